"""Bad input gets a clear 4xx and writes nothing: never a 500."""

import json

import pytest

from agreements.models import Agreement, Person, PersonName, Source

pytestmark = pytest.mark.django_db
LIST = "/api/agreements/"
TOO_BIG = 2**63


def snapshot() -> tuple[int, ...]:
    return (
        Agreement.objects.count(),
        Person.objects.count(),
        PersonName.objects.count(),
        Source.objects.count(),
    )


def edited(payload: dict, path: str, value) -> dict:
    """``payload`` with the value at a dotted path (``signatories.0.person``) replaced."""
    result = json.loads(json.dumps(payload))
    keys = path.split(".")
    node = result
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return result


@pytest.mark.parametrize(
    ("path", "value", "error_path"),
    [
        ("title", "Memo\x00randum", "title"),
        ("summary", "a\x00", "summary"),
        ("clauses.0.text", "\x00", "clauses[0].text"),
        ("signatories.0.person", {"name": "Hossein\x00"}, "signatories[0].person.name"),
        ("title", "x" * 501, "title"),
        ("place_of_signature", "x" * 201, "place_of_signature"),
        ("title", "", "title"),
        ("title", None, "title"),
        ("title", 12, None),  # a number is accepted as a title's text, so this one is valid
        ("kind", "alliance", "kind"),
        ("party_a", "XX", "party_a"),
        ("party_a", 7, "party_a"),
        ("party_b", "", "party_b"),
        ("signatories.0.person", TOO_BIG, "signatories[0].person"),
        ("signatories.0.person", -1, "signatories[0].person"),
        ("signatories.0.person", 999999, "signatories[0].person"),
        ("signatories.0.person", True, "signatories[0].person"),
        ("signatories.0.source", TOO_BIG, "signatories[0].source"),
        ("signatories.0.party", "ZZ", "signatories[0].party"),
        ("clauses.0.categories", ["nope"], "clauses[0].categories[0]"),
        ("clauses.0.categories", "counterterrorism", "clauses[0].categories"),
        ("clauses.0.position", 0, "clauses[0].position"),
        ("clauses.0.position", 40000, "clauses[0].position"),
        ("clauses.0.position", "first", "clauses[0].position"),
        ("events.0.date", "2017-02-30", "events[0].date"),
        ("events.0.date", "23 July 2017", "events[0].date"),
        ("events.0.date", "2017-07", "events[0].date"),
        ("events.0.date_precision", "week", "events[0].date_precision"),
        ("events.0.status", "dissolved", "events[0].status"),
        ("events", {"status": "signed"}, "events"),
        ("citations.0.source", None, "citations[0].source"),
        ("wikidata_qid", "42", "wikidata_qid"),
        ("text_public", "perhaps", "text_public"),
        ("title", "Ünïcödé — 协议 — اتفاقية 🤝", None),
    ],
)
def test_a_bad_field_is_a_400_naming_it_and_nothing_is_written(
    editor_api, memorandum, path, value, error_path
):
    before = snapshot()
    response = editor_api.post(LIST, edited(memorandum, path, value), format="json")
    if error_path is None:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 400, response.content
    assert error_path in response.json()["errors"], response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"title": "x",}', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        ("[]", "application/json", 400),
        ('"a string"', "application/json", 400),
        ("null", "application/json", 400),
        ("title=x", "application/x-www-form-urlencoded", 415),
        ("<agreement/>", "application/xml", 415),
        ("title=x", "text/plain", 415),
    ],
)
def test_a_malformed_body_or_wrong_content_type_is_refused(editor_api, body, content_type, status):
    before = snapshot()
    response = editor_api.generic("POST", LIST, body, content_type=content_type)
    assert response.status_code == status, response.content
    assert "detail" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        f"{LIST}{TOO_BIG}/",
        f"{LIST}{TOO_BIG * 10}/",
        f"{LIST}0/",
        f"{LIST}-1/",
        f"{LIST}abc/",
        f"{LIST}1%00/",
        f"{LIST}{TOO_BIG}/clauses/",
        f"/api/people/{TOO_BIG}/",
        f"/api/sources/{TOO_BIG}/",
        f"/api/relations/{TOO_BIG}/",
        "/api/countries/QQ/",
        "/api/countries/Q%00/",
        "/api/categories/no-such/",
        "/api/nowhere/",
    ],
)
def test_ids_no_row_can_have_are_404_in_json(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_writes_to_ids_beyond_bigint_are_404(editor_api):
    response = editor_api.patch(f"{LIST}{TOO_BIG}/", {"title": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 404


def test_a_malformed_if_match_is_412(editor_api, memorandum):
    created = editor_api.post(LIST, memorandum, format="json").json()
    for header in ('"garbage"', "W/", '"agreement-x-vy"', "\x00"):
        response = editor_api.patch(
            f"{LIST}{created['id']}/", {"title": "x"}, format="json", HTTP_IF_MATCH=header
        )
        assert response.status_code == 412, header


def test_a_person_with_a_nul_byte_or_a_duplicate_other_name_is_refused(editor_api):
    before = snapshot()
    response = editor_api.post(
        "/api/people/", {"name": "A", "other_names": [{"name": "B"}, {"name": "B"}]}, format="json"
    )
    assert response.status_code == 400
    assert "other_names[1].name" in response.json()["errors"]
    response = editor_api.post("/api/people/", {"name": "A\x00"}, format="json")
    assert response.status_code == 400
    assert snapshot() == before


def test_a_source_with_a_bad_url_or_a_duplicate_url_is_refused(editor_api):
    assert (
        editor_api.post("/api/sources/", {"title": "A", "url": "not a url"}, format="json").status_code == 400
    )
    assert (
        editor_api.post(
            "/api/sources/", {"title": "A", "url": "https://x.example/1"}, format="json"
        ).status_code
        == 201
    )
    response = editor_api.post("/api/sources/", {"title": "B", "url": "https://x.example/1"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"url": ["source with this URL already exists."]}
    assert editor_api.post("/api/sources/", {"title": "C"}, format="json").status_code == 201
    assert editor_api.post("/api/sources/", {"title": "D", "url": ""}, format="json").status_code == 201


def test_a_relation_to_itself_or_twice_is_refused(editor_api, memorandum):
    created = editor_api.post(LIST, memorandum, format="json").json()
    body = {"from_agreement": created["id"], "to_agreement": created["id"], "kind": "amends"}
    assert editor_api.post("/api/relations/", body, format="json").status_code == 400
    body["to_agreement"] = TOO_BIG
    assert editor_api.post("/api/relations/", body, format="json").status_code == 400
