"""POST /api/intake/: the proposal as JSON, for editors, nothing saved; bad input a 400 naming the field."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from agreements.models import Agreement, Person, PersonName, Source

pytestmark = pytest.mark.django_db

SEED = (
    Path(__file__).resolve().parents[2] / "fixtures" / "reports" / "iran-iraq-military-cooperation-2017.txt"
)


@pytest.fixture
def seed() -> dict:
    return {
        "text": SEED.read_text(encoding="utf-8"),
        "url": "https://en.mehrnews.com/news/126484/",
        "publisher": "Mehr News Agency",
        "published_on": "2017-07-23",
        "language": "en",
        "licence": "CC BY 4.0",
    }


def test_an_editor_gets_the_proposal_with_its_evidence_and_nothing_is_saved(editor_api, seed):
    dehqan = Person.objects.create(name="Hossein Dehqan")
    PersonName.objects.create(person=dehqan, name="Hossein Dehghan")
    counts = (Agreement.objects.count(), Person.objects.count(), Source.objects.count())

    response = editor_api.post("/api/intake/", seed, format="json")

    assert response.status_code == 200, response.json()
    proposal = response.json()
    assert [p["code"] for p in proposal["parties"]] == ["IR", "IQ"]
    assert proposal["status"]["value"] == "signed"
    assert proposal["date"] == {
        "date": "2017-07-23",
        "precision": "day",
        "note": "“on Sunday” in a report published 23 July 2017: the latest Sunday on or before it, 23 "
        "July 2017",
        "evidence": [{"text": "on Sunday", "start": 51, "end": 60}],
    }
    assert proposal["place"]["value"] == "Tehran"
    first, second = proposal["participants"]
    assert (first["person_id"], first["role"], first["office"], first["rank"]) == (
        dehqan.pk,
        "signed",
        "Minister of Defence",
        "Brigadier General",
    )
    assert (second["person_id"], second["name"], second["party"], second["other_names"]) == (
        None,
        "Erfan Mahmoud al-Hayali",
        "IQ",
        ["al-Hiyali"],
    )
    for evidence in first["evidence"]["rank"]:
        assert seed["text"][evidence["start"] : evidence["end"]] == evidence["text"] == "Brigadier General"
    assert [c["slug"] for c in proposal["clauses"][0]["categories"]] == ["counterterrorism"]
    assert proposal["source"]["licence"] == "CC BY 4.0"
    assert (Agreement.objects.count(), Person.objects.count(), Source.objects.count()) == counts


def test_only_those_who_may_add_agreements_may_ask(api, seed):
    assert api.post("/api/intake/", seed, format="json").status_code == 401
    viewer = get_user_model().objects.create_user("viewer", password="a long enough password")
    from django.contrib.auth.models import Group

    viewer.groups.add(Group.objects.get(name="Viewers"))
    client = APIClient()
    client.force_authenticate(viewer)
    assert client.post("/api/intake/", seed, format="json").status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": None}, "text"),
        ({"text": "x" * 50_001}, "text"),
        ({"text": "Iran and Iraq signed\x00 it"}, "text"),
        ({"published_on": "23 July 2017"}, "published_on"),
        ({"url": "not a url"}, "url"),
        ({"language": "x" * 17}, "language"),
        ({"licence": 13 * "licence "}, "licence"),
        ({"title": "not a field of the request"}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(editor_api, seed, change, field):
    response = editor_api.post("/api/intake/", {**seed, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_text_is_required_and_a_body_must_be_an_object(editor_api):
    assert "text" in editor_api.post("/api/intake/", {}, format="json").json()["errors"]
    assert editor_api.post("/api/intake/", ["text"], format="json").status_code == 400


@pytest.mark.parametrize("published_on", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_are_no_error(editor_api, seed, published_on):
    text = "Iran and Iraq signed it on Sunday, last week, last month, on 19 March, two days ago."
    response = editor_api.post(
        "/api/intake/", {**seed, "text": text, "published_on": published_on}, format="json"
    )
    assert response.status_code == 200


def test_text_alone_is_enough_and_gibberish_is_an_empty_proposal_not_an_error(editor_api):
    response = editor_api.post("/api/intake/", {"text": "A B C. \n\n Q"}, format="json")
    assert response.status_code == 200
    assert response.json()["parties"] == []
    assert response.json()["date"]["date"] is None


def test_the_operation_is_in_the_schema_with_its_documented_answer():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/intake/"]["post"]
    assert operation["summary"] == "Propose an agreement from a news report"
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Proposal"
    )
    request = schema["components"]["schemas"]["IntakeRequest"]
    assert request["required"] == ["text"]
    assert not any("default" in field for field in request["properties"].values())
