"""Entering an agreement quickly: the signature at the top, one source for every part, clauses
numbered for you, the next agreement from the same report, and no surprise after saving."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, Source

from .test_admin import ADD_URL, errors_of, form_data, slugs

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(db) -> Source:
    return Source.objects.create(title="Iran and Iraq sign border memorandum", publisher="IRNA")


def quick_entry(people, report, **fields) -> dict:
    return form_data(
        {
            "title": "Memorandum on military cooperation",
            "kind": "memorandum",
            "party_a": "IR",
            "party_b": "IQ",
            "signed": "July 2017",
            "signed_note": "“last month” in a report of August 2017",
            "place_of_signature": "Tehran",
            "source": report.pk,
            "evidence": "news_reports",
        }
        | fields,
        participants=[
            {"person": people["dehqan"].pk, "party": "IR"},
            {"person": people["hayali"].pk, "party": "IQ"},
        ],
        clauses=[
            {"text": "Share experience against terrorism.", "categories": slugs("counterterrorism")},
            {"text": "Boost border security.", "categories": slugs("border-security")},
        ],
    )


@pytest.mark.parametrize(
    ("typed", "stored", "precision"),
    [
        ("23 July 2017", datetime.date(2017, 7, 23), "day"),
        ("2017-07-23", datetime.date(2017, 7, 23), "day"),
        ("July 2017", datetime.date(2017, 7, 1), "month"),
        ("2017-07", datetime.date(2017, 7, 1), "month"),
        ("2017", datetime.date(2017, 1, 1), "year"),
    ],
)
def test_the_signature_typed_at_the_top_writes_the_signed_event(
    editor_client, people, report, typed, stored, precision
):
    response = editor_client.post(ADD_URL, quick_entry(people, report, signed=typed))
    assert response.status_code == 302, errors_of(response)
    event = Agreement.objects.get().events.get()
    assert (event.status, event.date, event.date_precision) == ("signed", stored, precision)


def test_a_date_it_cannot_read_says_which_forms_it_reads(editor_client, people, report):
    response = editor_client.post(ADD_URL, quick_entry(people, report, signed="30 February 2017"))
    assert response.context["adminform"].form.errors["signed"] == [
        "30 February 2017 does not exist in the calendar."
    ]
    response = editor_client.post(ADD_URL, quick_entry(people, report, signed="the other day"))
    assert "write it as 23 July 2017, 2017-07-23" in response.context["adminform"].form.errors["signed"][0]
    assert not Agreement.objects.exists()


def test_one_source_for_the_whole_agreement_and_clauses_numbered_in_page_order(editor_client, people, report):
    data = quick_entry(people, report) | {"_continue": "1"}  # "Save and continue editing"
    response = editor_client.post(ADD_URL, data, follow=True)
    agreement = Agreement.objects.get()
    assert [(c.position, c.source_id) for c in agreement.clauses.all()] == [(1, report.pk), (2, report.pk)]
    assert {p.source_id for p in agreement.participants.all()} == {report.pk}
    assert agreement.events.get().source_id == report.pk
    assert list(agreement.citations.values_list("source_id", flat=True)) == [report.pk]
    page = response.content.decode()
    # The editor typed Iran first: the form says why it comes back as Iraq – Iran.
    assert "The pair is stored as Iraq – Iran" in page
    assert '<div class="readonly">1</div>' in page  # version 1, not 2


def test_the_signature_field_shows_and_changes_the_stored_signature(editor_client, people, report):
    editor_client.post(ADD_URL, quick_entry(people, report))
    agreement = Agreement.objects.get()
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    page = editor_client.get(url)
    assert page.context["adminform"].form["signed"].value() == "July 2017"


def test_saving_with_no_source_warns(editor_client, people, report):
    response = editor_client.post(ADD_URL, quick_entry(people, report, source=""), follow=True)
    assert "No source is cited for this agreement" in response.content.decode()


def test_save_and_add_another_from_the_same_report_keeps_the_parties_and_the_source(
    editor_client, people, report
):
    data = quick_entry(people, report) | {"_addanother_same_report": "1"}
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302
    assert response["Location"] == f"{ADD_URL}?party_a=IQ&party_b=IR&source={report.pk}"
    form = editor_client.get(response["Location"]).context["adminform"].form
    assert (form["party_a"].value(), form["party_b"].value(), str(form["source"].value())) == (
        "IQ",
        "IR",
        str(report.pk),
    )


def test_a_source_url_already_recorded_links_to_that_source(editor_client, report):
    report.url = "https://en.mehrnews.com/news/126813"
    report.save()
    response = editor_client.post(
        reverse("admin:agreements_source_add"),
        {"title": "Copy", "url": report.url, "published_on_precision": "day"},
    )
    [message] = response.context["adminform"].form.errors["url"]
    assert f'href="/admin/agreements/source/{report.pk}/change/"' in message
    assert "Constraint" not in message
