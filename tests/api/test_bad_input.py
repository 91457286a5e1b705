"""Bad input gets a clear 4xx naming what is wrong and changes nothing: never a 500.

The battery of issue 5, and where each item is:
- NUL bytes: in every kind of body field and lookup (text, country code, category slug,
  a parent's slug), in path ids and slugs, in query parameters (here, and every filter of
  the agreement list in test_filters.py);
- 2^63 ids: in paths, bodies and query parameters;
- negative offsets and huge page sizes: page and page_size on every list;
- malformed and partial dates: in bodies and in query parameters;
- unknown filters: on every list, the export and the reports;
- invalid JSON (malformed, not an object, too deeply nested, NaN) and wrong content types;
- oversized strings and lists (per field; the whole body's 413 is in test_hardening.py);
- unicode edge cases: lone surrogates refused; bidi controls, zero-width and combining
  characters, a BOM and astral-plane emoji accepted and stored exactly.

"Changes nothing" is checked as a content hash of every agreements_* table and the accounts
(``tests/database_content.py``), before and after.
"""

import json

import pytest

from agreements.models import Agreement

from ..database_content import snapshot

pytestmark = pytest.mark.django_db
LIST = "/api/agreements/"
TOO_BIG = 2**63


@pytest.fixture
def agreement_id(demo_data) -> int:
    return Agreement.objects.order_by("pk").first().pk


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
        ("participants.0.person", {"name": "Hossein\x00"}, "participants[0].person.name"),
        ("title", "x" * 501, "title"),
        ("place_of_signature", "x" * 201, "place_of_signature"),
        ("title", "", "title"),
        ("title", None, "title"),
        ("title", 12, None),  # a number is accepted as a title's text, so this one is valid
        ("kind", "alliance", "kind"),
        ("party_a", "XX", "party_a"),
        ("party_a", 7, "party_a"),
        ("party_b", "", "party_b"),
        ("participants.0.person", TOO_BIG, "participants[0].person"),
        ("participants.0.person", -1, "participants[0].person"),
        ("participants.0.person", 999999, "participants[0].person"),
        ("participants.0.person", True, "participants[0].person"),
        ("participants.0.source", TOO_BIG, "participants[0].source"),
        ("participants.0.source", str(TOO_BIG), "participants[0].source"),
        ("participants.0.source", "²", "participants[0].source"),  # isdigit(), yet not a number
        ("participants.0.party", "ZZ", "participants[0].party"),
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
        ("disclosure", "perhaps", "disclosure"),
        ("title", "Ünïcödé — 协议 — اتفاقية 🤝", None),
        # NUL bytes in lookups: PostgreSQL refuses to compare them, so these were 500s there.
        ("party_a", "I\x00", "party_a"),
        ("participants.0.party", "I\x00", "participants[0].party"),
        ("events.0.party", "I\x00", "events[0].party"),
        ("clauses.0.categories", ["a\x00"], "clauses[0].categories[0]"),
        ("citations.0.source", "1\x00", "citations[0].source"),
        ("clauses.0.position", TOO_BIG, "clauses[0].position"),
        ("events.0.date", "2017", "events[0].date"),
        ("events.0.date", "0000-01-01", "events[0].date"),
        ("events.0.date", "2017-07-23T10:00:00Z", "events[0].date"),
        ("events.0.date", "", "events[0].date"),
        ("participants.0.office", "x" * 201, "participants[0].office"),
        ("participants.0.person", {"name": "x" * 201}, "participants[0].person.name"),
        (
            "participants.0.person",
            {"name": "A", "other_names": [{"name": str(n)} for n in range(101)]},
            "participants[0].person.other_names",
        ),
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
        ("[" * 100_000 + "]" * 100_000, "application/json", 400),  # a RecursionError was a 500
        ('{"a":' * 5_000 + "1" + "}" * 5_000, "application/json", 400),
        ('{"title": NaN}', "application/json", 400),
        ("title=x", "application/x-www-form-urlencoded", 415),
        ("<agreement/>", "application/xml", 415),
        ("title=x", "text/plain", 415),
        ('{"title": "x"}', "multipart/form-data; boundary=x", 415),
        ('{"title": "x"}', "", 415),
    ],
)
def test_a_malformed_body_or_wrong_content_type_is_refused(editor_api, body, content_type, status):
    before = snapshot()
    response = editor_api.generic("POST", LIST, body, content_type=content_type)
    assert response.status_code == status, response.content
    assert "detail" in response.json()
    if status == 400:  # the body itself is at fault: not JSON, or not an object
        assert set(response.json()["errors"]) & {"body", "non_field_errors"}, response.json()
    assert snapshot() == before


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_change_in_the_wrong_content_type_is_refused(editor_api, agreement_id, method):
    before = snapshot()
    url = f"{LIST}{agreement_id}/"
    response = editor_api.generic(method, url, "title=x", content_type="text/plain", HTTP_IF_MATCH="*")
    assert response.status_code == 415
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
    before = snapshot()
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert snapshot() == before


def test_writes_to_ids_beyond_bigint_are_404(editor_api, admin_api):
    before = snapshot()
    response = editor_api.patch(f"{LIST}{TOO_BIG}/", {"title": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 404
    assert admin_api.delete(f"/api/people/{TOO_BIG}/").status_code == 404
    assert admin_api.patch("/api/categories/a%00/", {"name": "x"}, format="json").status_code == 404
    assert snapshot() == before


def test_a_malformed_if_match_is_400_and_a_tag_not_current_412(editor_api, memorandum):
    """An unquoted tag is not an ETag at all (400, naming the header); a quoted one that names no
    current version is a precondition that failed (412, with the current ETag)."""
    created = editor_api.post(LIST, memorandum, format="json")
    before = snapshot()
    for header, status in [
        ('"garbage"', 412),
        ('"agreement-x-vy"', 412),
        (f"W/{created['ETag']}", 412),  # If-Match compares strongly: a weak tag never matches
        ("W/", 400),
        ("garbage", 400),
        ("\x00", 400),
        (created["ETag"][1:-1], 400),
    ]:
        response = editor_api.patch(
            f"{LIST}{created.json()['id']}/", {"title": "x"}, format="json", HTTP_IF_MATCH=header
        )
        assert response.status_code == status, header
        if status == 400:
            assert list(response.json()["errors"]) == ["If-Match"]
        else:
            assert response["ETag"] == created["ETag"]
    assert snapshot() == before


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


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/people/?q=a%00", "q"),
        ("/api/sources/?q=%00", "q"),
        ("/api/countries/?q=I%00", "q"),
        ("/api/agreements/export.csv?country=I%00", "country"),
        ("/api/reports/network/?category=a%00", "category"),
        ("/api/relations/?agreement=9223372036854775808", "agreement"),
        ("/api/reports/dyad-years/?start_year=9223372036854775808", "start_year"),
        ("/api/people/?page=-1", "page"),
        ("/api/sources/?page=0", "page"),
        ("/api/categories/?page=-9223372036854775808", "page"),
        ("/api/countries/?page_size=-1", "page_size"),
        ("/api/people/?page_size=1000000000", "page_size"),
        ("/api/relations/?page_size=99999999999999999999", "page_size"),
        # Digits that str.isdigit() accepts and int() refuses (found by make fuzz: a 500).
        ("/api/sources/?page_size=%C2%B2", "page_size"),
        ("/api/people/?page=%E2%91%A0", "page"),
        ("/api/agreements/?cursor=&page_size=%C2%B2", "page_size"),
        ("/api/reports/dyad-years/?start_year=-1", "start_year"),
        ("/api/people/?nope=1", "nope"),
        ("/api/sources/?title=x", "title"),
        ("/api/relations/?nope=1", "nope"),
        ("/api/categories/?parent=logistics", "parent"),
        ("/api/countries/?code=IR", "code"),
        ("/api/agreements/export.csv?nope=1", "nope"),
        ("/api/reports/network/?nope=1", "nope"),
        ("/api/reports/pairs/IQ-IR/?nope=1", "nope"),
        ("/api/agreements/?signed_after=2017-07", "signed_after"),
        ("/api/agreements/?signed_before=2017", "signed_before"),
        ("/api/agreements/?signed_after=2017-02-30", "signed_after"),
        ("/api/people/?q=" + "x" * 5000, "q"),
        # Cursors this API never wrote (issue 16): some were 500s, some the first page.
        ("/api/agreements/?cursor=xyz", "cursor"),
        ("/api/agreements/?cursor=cD1hYmM%3D", "cursor"),  # p=abc
        ("/api/agreements/?cursor=bz0tMQ%3D%3D", "cursor"),  # o=-1
        ("/api/agreements/?cursor=cD05OTk5OTk5OTk5OTk5OTk5OTk5OQ%3D%3D", "cursor"),  # p beyond 64 bits
        ("/api/agreements/?cursor=eD0x", "cursor"),  # x=1
        ("/api/agreements/?cursor=bz0xJm89Mg%3D%3D", "cursor"),  # o=1&o=2
        ("/api/agreements/?cursor=cj0y", "cursor"),  # r=2
        ("/api/agreements/?cursor=cD0xJTAw", "cursor"),  # p=1%00
        ("/api/agreements/?cursor=%C3%A9", "cursor"),
        ("/api/people/?cursor=!!!!", "cursor"),
    ],
)
def test_a_bad_query_parameter_anywhere_is_a_400_naming_it(api, demo_data, url, parameter):
    before = snapshot()
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert parameter in response.json()["errors"], response.json()
    assert snapshot() == before


# Search text in the syntax of FTS5 (SQLite's index) or of tsquery: searched as words, never
# read as syntax (issue 20); what each one matches is tests/test_search.py's.
SEARCH_SYNTAX = ['"', '""', "AND", "OR", "NOT", "*", "NEAR(", "NEAR(a b, 2)", "a NEAR b", "title:x", "x*"]
SEARCH_SYNTAX += ["^x", "(", ")", "-", "--x", "a & !b | c", "x:*A", "'", "\\", '" OR 1=1 --', "a) OR (b"]


@pytest.mark.parametrize("text", SEARCH_SYNTAX)
def test_search_syntax_of_either_engine_is_searched_as_words_never_a_500(api, demo_data, text):
    before = snapshot()
    for url in (LIST, f"{LIST}?cursor=", f"{LIST}?ordering=-signed_on"):
        response = api.get(url, {"q": text})
        assert response.status_code == 200, (url, response.content)
        assert isinstance(response.json()["results"], list)
    response = api.get("/api/agreements/export.csv", {"q": text})
    assert response.status_code == 200
    assert b"title" in b"".join(response.streaming_content).splitlines()[0]  # streamed to the end
    assert snapshot() == before


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_parent_category_with_a_nul_byte_is_a_400_not_a_500(admin_api, method):
    """Regression: a NUL byte in a slug lookup reached PostgreSQL, which answered with an error."""
    before = snapshot()
    body = {"slug": "new-one" if method == "POST" else "logistics", "name": "L", "parent": "a\x00"}
    url = "/api/categories/" if method == "POST" else "/api/categories/logistics/"
    response = admin_api.generic(
        method, url, json.dumps(body), content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"parent": ["Null characters are not allowed."]}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "body", "error_path"),
    [
        ("clauses/", {"position": 9, "text": "t", "categories": ["a\x00"]}, "categories[0]"),
        ("participants/", {"person": {"name": "A"}, "party": "I\x00"}, "party"),
        ("events/", {"status": "signed", "date": "2017-07-23", "party": "I\x00"}, "party"),
        ("events/", {"status": "signed", "date": "2017-07", "date_precision": "month"}, "date"),
    ],
)
def test_a_part_with_a_nul_byte_or_a_partial_date_is_a_400(editor_api, agreement_id, url, body, error_path):
    before = snapshot()
    response = editor_api.post(f"{LIST}{agreement_id}/{url}", body, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400, response.content
    assert error_path in response.json()["errors"], response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "body", "error_path"),
    [
        (LIST, '{"title": "\\ud800", "party_a": "IR", "party_b": "IQ"}', "title"),
        (LIST, '{"title": "a\\udfffb", "party_a": "IR", "party_b": "IQ"}', "title"),
        ("/api/people/", '{"name": "\\ud83e"}', "name"),
        ("/api/sources/", '{"title": "x\\udc00"}', "title"),
    ],
)
def test_a_lone_surrogate_is_a_400_naming_the_field(editor_api, url, body, error_path):
    """A JSON escape can spell half of a UTF-16 pair, which no UTF-8 database can store."""
    before = snapshot()
    response = editor_api.generic("POST", url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert error_path in response.json()["errors"], response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "text",
    [
        "\u202eright-to-left override\u202c",
        "zero\u200bwidth\u200djoiner",
        "combining e\u0301 and e\u0301\u0301\u0301",
        "\ufeffbyte order mark",
        "astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 🤝🏽 and 👩‍👩‍👧",
        "ﷺ and ᾏ and ß and İ",
    ],
)
def test_unicode_edge_cases_are_stored_exactly(editor_api, memorandum, text):
    response = editor_api.post(LIST, {**memorandum, "title": text, "summary": text}, format="json")
    assert response.status_code == 201, response.content
    stored = editor_api.get(f"{LIST}{response.json()['id']}/").json()
    assert (stored["title"], stored["summary"]) == (text, text)


@pytest.mark.parametrize("path", [LIST, "/api/agreements/export.csv"])
def test_a_time_with_an_offset_postgresql_cannot_read_is_taken_in_utc(api, demo_data, path):
    """Regression: the CSV export inlines its parameters into COPY, and PostgreSQL reads
    offsets only up to ±15:59 in SQL text; "-20:22" was a 500 there (schemathesis)."""
    response = api.get(path, {"updated_since": "0015-01-21T09:26:46-20:22"})
    assert response.status_code == 200, response.content
    # The export streams: the COPY, and the error it was, happen while the body is read.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body
    response = api.get(path, {"updated_since": "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 400, response.content
    assert "updated_since" in response.json()["errors"]


def test_a_cursor_the_api_wrote_still_pages(api, demo_data):
    first = api.get(LIST, {"cursor": "", "page_size": 1}).json()
    second = api.get(first["next"]).json()
    assert second["results"]
    assert second["results"][0]["id"] != first["results"][0]["id"]
    assert api.get(second["previous"]).json()["results"] == first["results"]


# --- Issue 15: repeated parameters, strict bodies, one voice for errors (conditional requests:
# test_contract.py, each bad case with the same content-hash check) ------------------------------


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/agreements/?q=a&q=b", "q"),
        ("/api/agreements/?pair=IQ,IR&pair=IQ,IR", "pair"),
        ("/api/agreements/?signed_after=2017-01-01&signed_after=2018-01-01", "signed_after"),
        ("/api/agreements/?category=logistics&category=counterterrorism", "category"),
        ("/api/agreements/export.csv?country=IR&country=IQ", "country"),
        ("/api/people/?q=a&q=b", "q"),
        ("/api/agreements/?page_size=5&page_size=6", "page_size"),
        ("/api/reports/network/?category=logistics&category=logistics", "category"),
        ("/api/reports/pairs/IQ-IR/?as_of=2018-01-01&as_of=2019-01-01", "as_of"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_a_400_naming_it(api, demo_data, url, parameter):
    before = snapshot()
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][parameter] == [
        f"“{parameter}” is given 2 times; give it once (it takes one value)."
    ]
    assert snapshot() == before


def with_key(payload: dict, path: list, key: str, value) -> dict:
    """``payload`` with ``key: value`` added to the object at ``path`` (keys and indexes)."""
    result = json.loads(json.dumps(payload))
    node = result
    for step in path:
        node = node[step]
    node[key] = value
    return result


@pytest.mark.parametrize(
    ("path", "key", "error_path"),
    [
        ([], "witnesses", "witnesses"),
        (["clauses", 1], "colour", "clauses[1].colour"),
        (["participants", 0], "title", "participants[0].title"),
        (["participants", 0, "person"], "born", "participants[0].person.born"),
        (
            ["participants", 0, "person", "other_names", 1],
            "script",
            "participants[0].person.other_names[1].script",
        ),
        (["events", 0], "place", "events[0].place"),
        (["citations", 0], "page", "citations[0].page"),
    ],
)
def test_an_unknown_key_anywhere_in_a_body_is_a_400_naming_its_path(
    editor_api, memorandum, path, key, error_path
):
    before = snapshot()
    response = editor_api.post(LIST, with_key(memorandum, path, key, ["x"]), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == [error_path], errors
    assert errors[error_path][0].startswith(f"“{key}” is not a field here; the fields you can send are: ")
    assert snapshot() == before


def test_an_unknown_key_in_a_commitment_event_or_a_part_write_is_refused(editor_api, memorandum):
    created = editor_api.post(LIST, memorandum, format="json")
    agreement = created.json()
    before = snapshot()
    commitment = {
        "text": "Train officers.",
        "events": [{"kind": "progress", "date": "2018-01-01", "by": "x"}],
    }
    response = editor_api.post(
        f"{LIST}{agreement['id']}/commitments/", commitment, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["events[0].by"]
    clause = agreement["clauses"][0]
    response = editor_api.patch(
        f"{LIST}{agreement['id']}/clauses/{clause['id']}/",
        {"colour": "red"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert list(response.json()["errors"]) == ["colour"]
    for url, body in [
        ("/api/people/", {"name": "A", "born": 1950}),
        ("/api/sources/", {"title": "A", "author": "B"}),
    ]:
        response = editor_api.post(url, body, format="json")
        assert response.status_code == 400, response.content
        assert list(response.json()["errors"]) == [next(iter(set(body) - {"name", "title"}))]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "value", "error_path", "message"),
    [
        ("citations.0.source", 99999, "citations[0].source", "No source with id 99999."),
        ("participants.0.source", 99999, "participants[0].source", "No source with id 99999."),
        ("participants.0.person", 99999, "participants[0].person", "No person with id 99999."),
        ("events.0.date", "2020-02-30", "events[0].date", "30 February 2020 does not exist."),
        ("events.0.date", "2020-13-01", "events[0].date", "There is no month 13; months run from 01 to 12."),
        (
            "events.0.date",
            "2017-07",
            "events[0].date",
            "Give a day, as YYYY-MM-DD, e.g. 2017-07-23; for a month or a year, give its first day",
        ),
        (
            "kind",
            "alliance",
            "kind",
            "“alliance” is not a valid choice; choose one of treaty, agreement, memorandum",
        ),
        (
            "clauses.0.categories",
            ["nope"],
            "clauses[0].categories[0]",
            "No clause category “nope”; the categories are listed at /api/categories/.",
        ),
    ],
)
def test_the_same_mistake_is_told_the_same_way_in_a_body(
    editor_api, memorandum, path, value, error_path, message
):
    before = snapshot()
    body = json.loads(json.dumps(memorandum))
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    response = editor_api.post(LIST, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][error_path][0].startswith(message), response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "parameter", "message"),
    [
        ("/api/agreements/?signed_after=2020-02-30", "signed_after", "30 February 2020 does not exist."),
        (
            "/api/agreements/?due_before=soon",
            "due_before",
            "“soon” is not a date; give it as YYYY-MM-DD",
        ),
        (
            "/api/agreements/?signed_before=2017",
            "signed_before",
            "Give a day, as YYYY-MM-DD, e.g. 2017-07-23;",
        ),
        (
            "/api/agreements/?category=nope",
            "category",
            "No clause category “nope”; the categories are listed at",
        ),
        (
            "/api/agreements/?kind=alliance",
            "kind",
            "“alliance” is not a valid choice; choose one of treaty, agreement,",
        ),
        ("/api/agreements/?evidence=rumour", "evidence", "“rumour” is not a valid choice; choose one of"),
        ("/api/agreements/?person=99999", "person", "No person with id 99999."),
        (
            "/api/reports/network/?category=nope",
            "category",
            "No clause category “nope”; the categories are listed",
        ),
        ("/api/reports/pairs/IQ-IR/?as_of=2019-02-29", "as_of", "29 February 2019 does not exist."),
        (
            "/api/agreements/?format=csv",
            "format",
            "“csv” is not a format served here; use one of api, json. The list",
        ),
        ("/api/reports/network/?format=xml", "format", "“xml” is not a format served here; use one of"),
    ],
)
def test_the_same_mistake_is_told_the_same_way_in_a_query(api, demo_data, url, parameter, message):
    before = snapshot()
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][parameter][0].startswith(message), response.json()
    assert snapshot() == before
