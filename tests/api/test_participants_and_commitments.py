"""What the sources say, recorded without misstating it, through the API.

The 2019 Iran–Iraq border memorandum and a later (made-up for the test) provincial
arrangement: a witness, an unnamed counterpart, bodies that committed, sub-national sides,
a commitment with a deadline and what became of it.
"""

from __future__ import annotations

import datetime
import json

import pytest

from agreements.api.concurrency import etag
from agreements.models import Agreement, Body, Commitment, Participant
from agreements.reports import commitments_report, pair_summary

from ..factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies():
    return {
        "ir-guard": Body.objects.create(name="Border Guard Command", kind="armed_force", country_id="IR"),
        "iq-forces": Body.objects.create(name="Border Forces Command", kind="armed_force", country_id="IQ"),
        "ilam": Body.objects.create(
            name="Ilam Border Regiment", kind="armed_force", country_id="IR", subdivision="IR-05"
        ),
        "wasit": Body.objects.create(
            name="Wasit Border Police", kind="armed_force", country_id="IQ", subdivision="IQ-WA"
        ),
    }


@pytest.fixture
def border_memorandum(bodies) -> dict:
    rezaei = PersonFactory(name="Qasem Rezaei")
    return {
        "title": "Border cooperation memorandum",
        "kind": "memorandum",
        "party_a": "IR",
        "party_b": "IQ",
        "body_a": bodies["ir-guard"].pk,
        "body_b": bodies["iq-forces"].pk,
        "participants": [
            {"person": rezaei.pk, "party": "IR", "body": bodies["ir-guard"].pk, "office": "Commander"},
            {"description": "Iraqi counterpart, not named in the sources", "party": "IQ"},
            {
                "person": {"name": "Ali Shamkhani"},
                "party": "IR",
                "role": "witnessed",
                "office": "SNSC secretary",
            },
        ],
        "clauses": [{"position": 1, "text": "Armed groups are disarmed and moved from the border."}],
        "events": [{"status": "signed", "date": "2023-03-19"}],
        "commitments": [
            {
                "party": "IQ",
                "text": "Disarm the armed groups and move them away from the border.",
                "clauses": [1],
                "due_on": "2023-09-19",
                "due_note": "“within six months” of signature",
                "events": [
                    {"kind": "extended", "date": "2023-09-01", "new_due_on": "2024-03-19"},
                    {"kind": "progress", "date": "2024-01-10"},
                ],
            }
        ],
    }


def test_a_witness_an_unnamed_counterpart_bodies_and_a_commitment_are_recorded(editor_api, border_memorandum):
    response = editor_api.post("/api/agreements/", border_memorandum, format="json")
    assert response.status_code == 201, response.json()
    document = response.json()
    assert document["level"] == "government"  # national bodies on both sides: state-level
    assert (document["body_a"]["name"], document["body_b"]["name"]) == (
        "Border Forces Command",  # the pair is stored as IQ, IR: the bodies follow their parties
        "Border Guard Command",
    )
    roles = {
        (p["role"], p["person"]["name"] if p["person"] else None, p["description"])
        for p in document["participants"]
    }
    assert roles == {
        ("signed", "Qasem Rezaei", ""),
        ("signed", None, "Iraqi counterpart, not named in the sources"),
        ("witnessed", "Ali Shamkhani", ""),
    }
    [commitment] = document["commitments"]
    assert (commitment["state"], commitment["due_current"], commitment["clauses"]) == (
        "in_progress",
        "2024-03-19",
        [1],
    )
    assert [e["kind"] for e in commitment["events"]] == ["extended", "progress"]

    report = pair_summary("IR", "IQ", as_of=datetime.date(2023, 10, 1)).data
    assert report["signatories_not_named"] == 1
    [agreement] = report["agreements"]
    [on_the_day] = agreement["commitments"]
    # On 1 October 2023 the extension (1 September) had moved the deadline; nothing else was reported.
    assert (on_the_day["due_on_as_of"], on_the_day["state_on_as_of"], on_the_day["overdue_on_as_of"]) == (
        "2024-03-19",
        "open",
        False,
    )
    late = pair_summary("IR", "IQ", as_of=datetime.date(2024, 4, 1)).data
    assert late["commitments_overdue_on_as_of"] == 1
    assert late["agreements"][0]["commitments"][0]["state_on_as_of"] == "in_progress"


def test_parts_endpoints_add_a_witness_and_report_a_commitment_met(editor_api, border_memorandum):
    created = editor_api.post("/api/agreements/", border_memorandum, format="json")
    pk, tag = created.json()["id"], created["ETag"]
    response = editor_api.post(
        f"/api/agreements/{pk}/participants/",
        {"person": {"name": "Fuad Hussein"}, "party": "IQ", "role": "attended"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "attended"
    commitment = Commitment.objects.get(agreement=pk)
    current = editor_api.get(f"/api/agreements/{pk}/commitments/{commitment.pk}/")
    events = [*current.json()["events"], {"kind": "met", "date": "2024-06-01"}]
    response = editor_api.patch(
        f"/api/agreements/{pk}/commitments/{commitment.pk}/",
        {"events": events},
        format="json",
        HTTP_IF_MATCH=current["ETag"],
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "met"
    # Before it was met, past its extended deadline: overdue on that day, and not after.
    [overdue] = commitments_report(as_of=datetime.date(2024, 4, 1)).overdue
    assert (overdue["party"], overdue["due"], overdue["state"]) == (
        "IQ",
        datetime.date(2024, 3, 19),
        "in_progress",
    )
    assert commitments_report(as_of=datetime.date(2024, 7, 1)).rows == []
    due_soon = commitments_report(as_of=datetime.date(2024, 1, 1), window_days=90).due_soon
    assert [row["due"] for row in due_soon] == [datetime.date(2024, 3, 19)]


def test_a_sub_national_arrangement_is_not_counted_between_the_states(editor_api, bodies):
    body = {
        "title": "Provincial border patrol arrangement",
        "party_a": "IR",
        "party_b": "IQ",
        "body_a": bodies["ilam"].pk,
        "body_b": bodies["wasit"].pk,
        "events": [{"status": "signed", "date": "2024-05-02"}, {"status": "in_force", "date": "2024-05-02"}],
    }
    created = editor_api.post("/api/agreements/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["level"] == "sub_national"
    assert pair_summary("IR", "IQ").data["total"] == 0
    assert pair_summary("IR", "IQ", level="sub_national").data["total"] == 1
    assert pair_summary("IR", "IQ", level="all").data["total"] == 1
    assert editor_api.get("/api/agreements/?level=state_level").json()["count"] == 0
    assert editor_api.get("/api/agreements/?level=sub_national").json()["count"] == 1
    assert editor_api.get("/api/agreements/").json()["count"] == 1  # the list shows every level unless asked
    panel = streamed_json(editor_api.get("/api/reports/dyad-years/?start_year=2024&end_year=2024"))
    assert (panel["level"], panel["rows"]) == ("state_level", [])
    panel = streamed_json(
        editor_api.get("/api/reports/dyad-years/?start_year=2024&end_year=2024&level=sub_national")
    )
    assert [row[5:7] for row in panel["rows"]] == [[1, 1]]
    network = editor_api.get("/api/reports/network/").json()
    assert network["edges"] == []
    assert editor_api.get("/api/reports/network/?level=all").json()["edges"][0]["agreements"] == 1


def streamed_json(response) -> dict:
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            {"participants": [{"party": "IQ"}]},
            "participants[0].description",
            "Name the person, or describe them",
        ),
        (
            {"participants": [{"party": "IQ", "description": "x", "role": "blessed"}]},
            "participants[0].role",
            "",
        ),
        ({"body_a": "iq-forces"}, "body_a", "is a body of Iraq, not of Iran"),
        ({"level": "state", "body_a": "ilam", "body_b": "wasit"}, "level", "contradicts the sides"),
        ({"disclosure": "leaked"}, "disclosure", ""),
        (
            {"commitments": [{"text": "Do it.", "due_on": "2022-01-01"}]},
            "commitments[0].due_on",
            "before the signature",
        ),
        (
            {"commitments": [{"text": "Do it.", "events": [{"kind": "progress", "date": "2022-01-01"}]}]},
            "commitments[0].events[0].date",
            "before the signature",
        ),
        (
            {
                "commitments": [
                    {
                        "text": "Do it.",
                        "events": [
                            {"kind": "superseded", "date": "2024-01-01"},
                            {"kind": "met", "date": "2024-02-01"},
                        ],
                    }
                ]
            },
            "commitments[0].events[1].kind",
            "after the commitment was superseded",
        ),
        (
            {"commitments": [{"text": "Do it.", "clauses": [7]}]},
            "commitments[0].clauses[0]",
            "no clause at position 7",
        ),
    ],
)
def test_misstatements_are_refused_by_name_and_write_nothing(
    editor_api, border_memorandum, bodies, change, path, message
):
    body = {**border_memorandum}
    for key, value in change.items():
        body[key] = bodies[value].pk if key.startswith("body_") else value
    response = editor_api.post("/api/agreements/", body, format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert path in errors, errors
    assert message in " ".join(errors[path])
    assert not Agreement.objects.exists()
    assert not Participant.objects.exists()


def test_a_body_with_a_subdivision_of_another_country_is_refused(editor_api):
    response = editor_api.post(
        "/api/bodies/",
        {"name": "Kurdistan Region Peshmerga", "country": "IR", "subdivision": "IQ-KR"},
        format="json",
    )
    assert response.status_code == 400
    assert "is a subdivision of IQ, not of IR" in response.json()["errors"]["subdivision"][0]
    response = editor_api.post(
        "/api/bodies/", {"name": "Peshmerga", "country": "IQ", "subdivision": "IQ-ZZ"}, format="json"
    )
    assert response.status_code == 400
    response = editor_api.post(
        "/api/bodies/",
        {
            "name": "Ministry of Peshmerga Affairs",
            "country": "IQ",
            "subdivision": "iq-kr",
            "kind": "regional_government",
            "other_names": [{"name": "MoPA"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["subdivision"], response.json()["is_sub_national"]) == ("IQ-KR", True)
    assert (
        editor_api.get("/api/bodies/?q=mopa").json()["results"][0]["name"] == "Ministry of Peshmerga Affairs"
    )


def test_filters_by_role_person_body_commitment_state_and_due_dates(editor_api, border_memorandum, bodies):
    pk = editor_api.post("/api/agreements/", border_memorandum, format="json").json()["id"]
    shamkhani = Participant.objects.get(role="witnessed").person_id

    def ids(query: str) -> list[int]:
        response = editor_api.get(f"/api/agreements/?{query}")
        assert response.status_code == 200, response.json()
        return [a["id"] for a in response.json()["results"]]

    assert ids("role=witnessed") == [pk]
    assert ids("role=initialled") == []
    assert ids(f"person={shamkhani}") == [pk]
    assert ids(f"person={shamkhani}&role=signed") == []
    assert ids(f"body={bodies['ir-guard'].pk}") == [pk]
    assert ids(f"body={bodies['wasit'].pk}") == []
    assert ids("commitment_state=in_progress") == [pk]
    assert ids("commitment_state=met") == []
    assert ids("due_after=2024-03-01&due_before=2024-03-31") == [pk]
    assert ids("due_before=2024-01-01") == []
    assert ids("disclosure=unknown") == [pk]
    assert editor_api.get("/api/agreements/?role=blessed").status_code == 400


def test_a_put_of_the_agreement_keeps_the_stated_level_and_a_patch_derives_it(editor_api, bodies):
    created = editor_api.post(
        "/api/agreements/",
        {"title": "Local arrangement", "party_a": "IR", "party_b": "IQ", "level": "sub_national"},
        format="json",
    )
    assert created.json()["level"] == "sub_national"  # stated: no body says otherwise
    url = f"/api/agreements/{created.json()['id']}/"
    response = editor_api.patch(
        url, {"summary": "Unchanged level."}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert response.json()["level"] == "sub_national"
    response = editor_api.patch(  # the stored pair is IQ, IR: body_a is Iraq's
        url,
        {"body_a": bodies["iq-forces"].pk, "body_b": bodies["ir-guard"].pk},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.json()["level"] == "government"  # the sides say so now
    assert etag(created.json()["id"], response.json()["version"]) == response["ETag"]
