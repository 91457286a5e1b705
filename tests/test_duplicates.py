"""The one duplicate rule, asked by the API, the admin and the importer alike."""

from __future__ import annotations

import datetime

import pytest

from agreements.choices import EventType
from agreements.dates import PartialDate
from agreements.models import Agreement, Person
from agreements.services import AgreementIn, EventIn, ParticipantIn, possible_duplicates

from .factories import make_agreement
from .test_admin import ADD_URL, new_memorandum

pytestmark = pytest.mark.django_db


def signed(day: str) -> list[EventIn]:
    return [EventIn(EventType.SIGNED, PartialDate(datetime.date.fromisoformat(day)))]


def proposal(title: str, day: str, *people) -> AgreementIn:
    return AgreementIn(
        title=title,
        party_a="IR",
        party_b="IQ",
        events=signed(day),
        participants=[ParticipantIn(person, "IR") for person in people],
    )


def test_the_same_pair_within_thirty_days_or_a_shared_signatory_and_a_similar_title(people):
    dehqan = people["dehqan"]
    stored = make_agreement(
        title="Memorandum of understanding on military cooperation",
        signed=datetime.date(2017, 7, 23),
        participants=[ParticipantIn(dehqan, "IR")],
    )
    [near] = possible_duplicates(proposal("Something else entirely", "2017-08-10"))
    assert (near.id, near.why) == (stored.pk, "same pair, signed 23 July 2017, 18 days apart")
    assert possible_duplicates(proposal("Something else entirely", "2017-09-10")) == []
    [same] = possible_duplicates(
        proposal("MoU on military cooperation between Iran and Iraq", "2019-01-01", dehqan)
    )
    assert same.why == "a signatory in common and a similar title"
    # The same minister signing another memorandum is not a duplicate of the first.
    assert (
        possible_duplicates(
            proposal("Memorandum of understanding on defence cooperation", "2014-12-30", dehqan)
        )
        == []
    )
    # A month-precision signature counts over its whole month.
    monthly = AgreementIn(
        title="Other",
        party_a="IQ",
        party_b="IR",
        events=[EventIn(EventType.SIGNED, PartialDate(datetime.date(2017, 8, 1), "month"))],
    )
    assert [c.id for c in possible_duplicates(monthly)] == [stored.pk]


def test_the_api_answers_409_with_the_candidates_unless_told(editor_api, memorandum):
    assert editor_api.post("/api/agreements/", memorandum, format="json").status_code == 201
    again = editor_api.post("/api/agreements/", memorandum, format="json")
    assert again.status_code == 409
    [candidate] = again.json()["possible_duplicates"]
    assert candidate["title"] == memorandum["title"]
    assert "same pair, signed 23 July 2017" in candidate["why"]
    assert Agreement.objects.count() == 1
    assert (
        editor_api.post("/api/agreements/?allow_duplicate=maybe", memorandum, format="json").status_code
        == 400
    )
    assert (
        editor_api.post("/api/agreements/?allow_duplicate=true", memorandum, format="json").status_code == 201
    )
    assert Agreement.objects.count() == 2


def test_the_admin_lists_the_candidates_and_saves_only_when_told(editor_client, people):
    assert editor_client.post(ADD_URL, new_memorandum(people)).status_code == 302
    data = new_memorandum(
        people, fields={"title": "Military cooperation memorandum", "party_a": "IQ", "party_b": "IR"}
    )
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This agreement may already be recorded" in page
    stored = Agreement.objects.get()
    assert f'href="/admin/agreements/agreement/{stored.pk}/change/"' in page
    assert 'name="allow_duplicate"' in page
    response = editor_client.post(ADD_URL, data | {"allow_duplicate": "on"})
    assert response.status_code == 302
    assert Agreement.objects.count() == 2


def test_the_importer_refuses_a_possible_duplicate(demo_data):
    import json
    from pathlib import Path

    from agreements.services.importing import DocumentError, import_document

    document = json.loads((Path(__file__).parent.parent / "fixtures" / "iran-iraq.json").read_text())
    document["agreements"] = [dict(document["agreements"][0], title="Renamed copy")]
    with pytest.raises(DocumentError, match="may already be recorded"):
        import_document(document)


# People and bodies: another spelling of a known name is refused until the editor says so.


@pytest.mark.parametrize(
    "spelling", ["Hossein Dehghan", "Hossein Dehgaan", "hossein DEHQAN", "Hosein Dehqan"]
)
def test_the_api_refuses_another_spelling_of_a_known_person_with_a_409(editor_api, people, spelling):
    response = editor_api.post("/api/people/", {"name": spelling}, format="json")
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["possible_duplicates"][0]["id"] == people["dehqan"].pk
    assert body["possible_duplicates"][0]["name"] == "Hossein Dehqan"
    assert "allow_duplicate=true" in body["detail"]
    assert Person.objects.count() == 2
    allowed = editor_api.post("/api/people/?allow_duplicate=true", {"name": spelling}, format="json")
    assert allowed.status_code == 201


def test_a_different_person_is_not_refused(editor_api, people):
    assert editor_api.post("/api/people/", {"name": "Qasem Soleimani"}, format="json").status_code == 201
    assert editor_api.post("/api/people/", {"name": "Hossein Salami"}, format="json").status_code == 201


def test_a_new_participant_named_like_a_known_person_is_refused_on_its_row(editor_api, people, memorandum):
    memorandum["participants"] = [{"person": {"name": "Hossein Dehghaan"}, "party": "IR"}]
    response = editor_api.post("/api/agreements/", memorandum, format="json")
    assert response.status_code == 400, response.json()
    (message,) = response.json()["errors"]["participants[0].person"]
    assert "Hossein Dehqan" in message
    assert not Agreement.objects.exists()


def test_the_admin_lists_the_known_person_and_saves_only_when_told(editor_client, people):
    form = {
        "name": "Hossein Dehghan",
        "wikidata_qid": "",
        "note": "",
        "other_names-TOTAL_FORMS": "0",
        "other_names-INITIAL_FORMS": "0",
    }
    refused = editor_client.post("/admin/agreements/person/add/", form)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "may already be recorded" in page
    assert f"/admin/agreements/person/{people['dehqan'].pk}/change/" in page
    assert 'name="allow_duplicate"' in page
    saved = editor_client.post("/admin/agreements/person/add/", form | {"allow_duplicate": "on"})
    assert saved.status_code == 302
    assert Person.objects.filter(name="Hossein Dehghan").exists()


def test_a_body_named_like_a_known_one_of_the_same_country_is_refused(editor_api):
    ministry = {"name": "Ministry of Defence", "country": "IR", "kind": "ministry"}
    assert editor_api.post("/api/bodies/", ministry, format="json").status_code == 201
    for spelt in ["MINISTRY OF DEFENCE", "Ministry of Défence", "Ministry of the Defence"]:
        response = editor_api.post("/api/bodies/", ministry | {"name": spelt}, format="json")
        assert response.status_code == 409, spelt
    # Another country's ministry is another body.
    assert editor_api.post("/api/bodies/", ministry | {"country": "IQ"}, format="json").status_code == 201


@pytest.mark.parametrize("model", ["person", "body"])
def test_the_pages_that_ask_before_a_similar_record_fit_the_window_as_the_agreements_do(editor_client, model):
    # Their names' tabular inline needs the admin stylesheet's widths: without it the person
    # page, warning shown, was 181 pixels wider than a 1280-pixel window (the browser journey).
    page = editor_client.get(f"/admin/agreements/{model}/add/").content.decode()
    assert "agreements/admin.css" in page
