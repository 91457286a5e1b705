"""The admin records what the sources say: roles, unnamed participants, bodies, commitments."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, Body, Commitment, Participant

from .test_admin import ADD_URL, errors_of, new_memorandum

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies():
    return {
        "ir": Body.objects.create(name="Ministry of Defence and Armed Forces Logistics", country_id="IR"),
        "iq": Body.objects.create(name="Ministry of Defence", country_id="IQ"),
    }


def memorandum_with_witness_unnamed_and_commitment(people, bodies, **commitment) -> dict:
    return new_memorandum(
        people,
        fields={
            "title": "Memorandum of understanding on military cooperation",
            "kind": "memorandum",
            "party_a": "IR",
            "party_b": "IQ",
            "body_a": bodies["ir"].pk,
            "body_b": bodies["iq"].pk,
            "place_of_signature": "Tehran",
            "evidence": "news_reports",
            "disclosure": "withheld",
        },
        participants=[
            {
                "person": people["dehqan"].pk,
                "party": "IR",
                "body": bodies["ir"].pk,
                "office": "Minister of Defence",
            },
            {
                "description": "Iraqi counterpart, not named in the sources",
                "party": "IQ",
                "body": bodies["iq"].pk,
            },
            {"person": people["hayali"].pk, "party": "IQ", "role": "witnessed"},
        ],
        commitments=[
            {
                "position": 1,
                "party": "IQ",
                "text": "Move the armed groups away from the border.",
                "clause_positions": "2",
                "due_on": "2018-01-23",
                "due_on_precision": "day",
                "due_note": "within six months of signature",
            }
            | commitment
        ],
    )


def test_an_editor_records_a_witness_an_unnamed_signatory_bodies_and_a_commitment(
    editor_client, people, bodies
):
    response = editor_client.post(ADD_URL, memorandum_with_witness_unnamed_and_commitment(people, bodies))
    assert response.status_code == 302, errors_of(response)
    agreement = Agreement.objects.get()
    assert (agreement.level, agreement.disclosure) == ("government", "withheld")
    assert (agreement.body_a, agreement.body_b) == (bodies["iq"], bodies["ir"])  # with their parties
    rows = {(p.role, p.person_id, p.description) for p in agreement.participants.all()}
    assert rows == {
        ("signed", people["dehqan"].pk, ""),
        ("signed", None, "Iraqi counterpart, not named in the sources"),
        ("witnessed", people["hayali"].pk, ""),
    }
    commitment = agreement.commitments.get()
    assert (commitment.party_id, commitment.due_on, commitment.state) == (
        "IQ",
        datetime.date(2018, 1, 23),
        "open",
    )
    assert [c.position for c in commitment.clauses.all()] == [2]


def test_an_unnamed_participant_needs_a_description_on_its_row(editor_client, people, bodies):
    data = memorandum_with_witness_unnamed_and_commitment(people, bodies)
    data["participants-1-description"] = ""
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    rows = response.context["inline_admin_formsets"][0].formset.forms
    # Django's check of the row's constraint speaks first, in the services' words.
    assert "Name the person, or describe them" in " ".join(rows[1].non_field_errors())
    assert not Agreement.objects.exists()


def test_a_deadline_before_the_signature_is_an_error_on_the_commitment(editor_client, people, bodies):
    response = editor_client.post(
        ADD_URL, memorandum_with_witness_unnamed_and_commitment(people, bodies, due_on="2017-01-01")
    )
    assert response.status_code == 200
    assert "Due on 1 January 2017 is before the signature on 23 July 2017." in errors_of(response)
    assert not Agreement.objects.exists()


def test_a_body_of_the_other_party_is_refused_on_the_body_field(editor_client, people, bodies):
    data = memorandum_with_witness_unnamed_and_commitment(people, bodies)
    data["body_a"] = bodies["iq"].pk  # party A as given is Iran
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body_a"] == [
        "Ministry of Defence is a body of Iraq, not of Iran."
    ]


def test_what_became_of_a_commitment_is_recorded_on_its_page(editor_client, people, bodies):
    editor_client.post(ADD_URL, memorandum_with_witness_unnamed_and_commitment(people, bodies))
    commitment = Commitment.objects.get()
    url = reverse("admin:agreements_commitment_change", args=[commitment.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    base = {
        "position": 1,
        "party": "IQ",
        "text": commitment.text,
        "clause_positions": "2",
        "due_on": "2018-01-23",
        "due_on_precision": "day",
        "due_note": commitment.due_note,
        "read_version": commitment.agreement.version,
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    events = {
        "events-TOTAL_FORMS": "2",
        "events-0-kind": "extended",
        "events-0-date": "2018-01-10",
        "events-0-date_precision": "day",
        "events-0-new_due_on": "2018-07-23",
        "events-0-new_due_on_precision": "day",
        "events-1-kind": "met",
        "events-1-date": "2017-06-01",  # before the signature
        "events-1-date_precision": "day",
    }
    response = editor_client.post(url, base | events)
    assert response.status_code == 200
    rows = response.context["inline_admin_formsets"][0].formset.forms
    assert "before the signature on 23 July 2017" in rows[1].errors["date"][0]

    events["events-1-date"] = "2018-06-30"
    response = editor_client.post(url, base | events)
    assert response.status_code == 302, errors_of(response)
    commitment.refresh_from_db()
    assert (commitment.state, commitment.due_current) == ("met", datetime.date(2018, 7, 23))
    history = reverse("admin:agreements_agreement_history", args=[commitment.agreement_id])
    assert "implementation event" in editor_client.get(history).content.decode()


def test_a_body_below_the_state_names_a_subdivision_of_its_own_country(admin_client):
    url = reverse("admin:agreements_body_add")
    data = {
        "name": "Kurdistan Region Border Guard",
        "kind": "armed_force",
        "country": "IR",
        "subdivision": "IQ-KR",
        "note": "",
        "other_names-TOTAL_FORMS": "0",
        "other_names-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert not Body.objects.exists()
    response = admin_client.post(url, data | {"country": "IQ"})
    assert response.status_code == 302
    assert Body.objects.get().is_sub_national


def test_every_new_admin_page_renders(admin_client, demo_data):
    participant = Participant.objects.first()
    for url in [
        reverse("admin:agreements_body_changelist"),
        reverse("admin:agreements_body_change", args=[participant.body_id]),
        reverse("admin:agreements_commitment_changelist"),
        reverse("admin:agreements_body_add"),
    ]:
        assert admin_client.get(url).status_code == 200, url
