"""The pair between two days (reports.changes), on hand-built agreements whose answers are known."""

import dataclasses
import datetime

import pytest
from django.db.models import F

from agreements.choices import EventType, ImplementationKind, Status
from agreements.dates import DatePrecision, PartialDate
from agreements.models import Agreement
from agreements.reports import ReportInputError, UnknownCountryError, pair_changes
from agreements.services import CommitmentIn, EventIn, ImplementationEventIn, agreement_update
from agreements.services.inputs import agreement_to_input

from .factories import make_agreement

pytestmark = pytest.mark.django_db

START, END = datetime.date(2020, 1, 1), datetime.date(2026, 12, 1)


def day(text: str) -> PartialDate:
    return PartialDate(datetime.date.fromisoformat(text))


def month(text: str) -> PartialDate:
    return PartialDate(datetime.date.fromisoformat(text), DatePrecision.MONTH)


def recorded_on(agreement: Agreement, when: str) -> None:
    """Move every history record of the agreement and its parts to a moment, as if entered then."""
    from agreements.models import (
        AgreementSource,
        Clause,
        Commitment,
        ImplementationEvent,
        Participant,
        StatusEvent,
    )

    moment = datetime.datetime.fromisoformat(when).replace(tzinfo=datetime.UTC)
    # Shifted, not set: the records keep their order (a save's parts come before its agreement record).
    shift = Agreement.history.filter(id=agreement.pk).earliest("history_date").history_date - moment
    moved = {"history_date": F("history_date") - shift}
    Agreement.history.filter(id=agreement.pk).update(**moved)
    for model in (AgreementSource, Clause, Commitment, Participant, StatusEvent):
        model.history.filter(agreement_id=agreement.pk).update(**moved)
    commitments = Commitment.history.filter(agreement_id=agreement.pk).values("id")
    ImplementationEvent.history.filter(commitment_id__in=commitments).update(**moved)


@pytest.fixture
def treaty():
    """Signed before the window, ratified by Iran and in force inside it, with three commitments."""
    agreement = make_agreement(
        title="Treaty of friendship",
        events=[
            EventIn(EventType.SIGNED, day("2019-05-01")),
            EventIn(EventType.RATIFIED, day("2020-03-01"), party="IR"),
            EventIn(EventType.RATIFIED, month("2020-06-01"), party="IQ"),
            EventIn(EventType.IN_FORCE, month("2021-02-01")),
        ],
        commitments=[
            CommitmentIn(
                1,
                "Open two crossings.",
                party="IR",
                due=day("2021-06-01"),
                events=[ImplementationEventIn(ImplementationKind.MET, day("2021-05-15"))],
            ),
            CommitmentIn(2, "Exchange liaison officers.", due=month("2022-01-01")),
            CommitmentIn(3, "Joint exercises.", party="IQ", due=day("2031-01-01")),
        ],
    )
    recorded_on(agreement, "2019-06-01T10:00:00")
    return agreement


def test_signed_status_changes_and_the_counts_before_and_after(treaty):
    make_agreement(title="Border memorandum", signed=datetime.date(2023, 7, 23))
    make_agreement(title="Old memorandum", signed=datetime.date(2010, 1, 1))
    report = pair_changes("IQ", "IR", start=START, end=END)

    assert report.pair.name == "Iran and Iraq"
    assert (report.party_a["code"], report.party_b["code"]) == ("IQ", "IR")
    assert [row["title"] for row in report.signed] == ["Border memorandum"]
    changes = {row["title"]: row for row in report.status_changes}
    assert set(changes) == {"Treaty of friendship", "Border memorandum"}  # the old one did not move
    treaty_change = changes["Treaty of friendship"]
    assert (treaty_change["status_before"], treaty_change["status_at_end"]) == (
        Status.SIGNED,
        Status.IN_FORCE,
    )
    assert [
        (e["event"], e["party"], e["status_before"], e["status_after"]) for e in treaty_change["events"]
    ] == [
        ("ratified", "IR", "signed", "ratified"),
        ("ratified", "IQ", "ratified", "ratified"),
        ("in_force", None, "ratified", "in_force"),
    ]
    assert treaty_change["events"][2]["precision"] == "month"
    counts = {row["status"]: (row["before"], row["end"]) for row in report.status_counts}
    assert counts == {"signed": (2, 2), "in_force": (0, 1), None: (1, 0)}
    assert report.summary["agreements_signed"] == 1
    assert report.summary["status_changes"] == 2
    assert (report.summary["in_force_before"], report.summary["in_force_at_end"]) == (0, 1)


def test_commitments_due_met_and_missed(treaty):
    report = pair_changes("IR", "IQ", start=START, end=END)
    by_position = {row["position"]: row for row in report.commitments}
    assert set(by_position) == {1, 2}  # the third falls due after the window
    met, missed = by_position[1], by_position[2]
    assert (met["due_in_window"], met["met"], met["missed"]) == (True, True, False)
    assert [e["kind"] for e in met["events"]] == ["met"]
    assert (missed["due_in_window"], missed["met"], missed["missed"], missed["overdue_at_end"]) == (
        True,
        False,
        True,
        True,
    )
    assert missed["due_precision"] == "month"
    assert report.summary["commitments_due"] == 2
    assert (report.summary["commitments_met"], report.summary["commitments_missed"]) == (1, 1)
    # Before the second one's month was over, it was due but not yet missed.
    early = pair_changes("IR", "IQ", start=START, end=datetime.date(2022, 1, 31))
    assert {row["position"]: row["missed"] for row in early.commitments} == {1: False, 2: False}


def test_an_extension_in_the_window_moves_a_commitment_out_of_it(treaty):
    data = agreement_to_input(Agreement.objects.with_details().get(pk=treaty.pk))
    second = data.commitments[1]
    extended = dataclasses.replace(
        second,
        events=[
            ImplementationEventIn(ImplementationKind.EXTENDED, day("2021-12-01"), new_due=day("2027-06-01"))
        ],
    )
    agreement_update(
        agreement=treaty,
        data=dataclasses.replace(data, commitments=[data.commitments[0], extended, data.commitments[2]]),
    )
    report = pair_changes("IR", "IQ", start=START, end=END)
    row = next(row for row in report.commitments if row["position"] == 2)
    # Listed for the extension reported in the window, no longer due in it, not missed.
    assert (row["due"], row["due_in_window"], row["missed"]) == (datetime.date(2027, 6, 1), False, False)
    assert [e["kind"] for e in row["events"]] == ["extended"]


def test_corrections_are_the_saves_recorded_between_the_two_days(treaty):
    data = agreement_to_input(Agreement.objects.with_details().get(pk=treaty.pk))
    agreement_update(agreement=treaty, data=dataclasses.replace(data, title="Treaty of friendship and trust"))
    moment = datetime.datetime(2024, 3, 3, 9, 0, tzinfo=datetime.UTC)
    Agreement.history.filter(id=treaty.pk, title="Treaty of friendship and trust").update(history_date=moment)

    report = pair_changes("IR", "IQ", start=START, end=END)
    (correction,) = report.corrections
    assert (correction["recorded_on"], correction["action"]) == (datetime.date(2024, 3, 3), "changed")
    (entry,) = correction["entries"]
    assert entry["changes"] == [
        {
            "field": "title",
            "label": "Title",
            "before": "Treaty of friendship",
            "after": "Treaty of friendship and trust",
        }
    ]
    entered = pair_changes("IR", "IQ", start=datetime.date(2019, 1, 1), end=datetime.date(2019, 12, 31))
    assert [c["action"] for c in entered.corrections] == ["created"]
    assert pair_changes("IR", "IQ", start=datetime.date(2025, 1, 1), end=END).corrections == []


def test_a_sub_national_arrangement_is_counted_only_when_asked(treaty):
    from agreements.choices import Level

    make_agreement(title="Border posts", signed=datetime.date(2022, 2, 2), level=Level.SUB_NATIONAL)
    titles = [row["title"] for row in pair_changes("IR", "IQ", start=START, end=END).signed]
    assert titles == []
    everything = pair_changes("IR", "IQ", start=START, end=END, level="all")
    assert [row["title"] for row in everything.signed] == ["Border posts"]


def test_bad_pairs_are_refused():
    with pytest.raises(UnknownCountryError, match="ZZ"):
        pair_changes("IR", "ZZ", start=START, end=END)
    with pytest.raises(ReportInputError) as error:
        pair_changes("IR", "ir", start=START, end=END)
    assert "pair" in error.value.errors


def test_the_number_of_queries_does_not_grow_with_the_pair(django_assert_num_queries):
    def add(first: int, count: int) -> None:
        for index in range(first, first + count):
            agreement = make_agreement(
                title=f"Agreement {index}",
                signed=datetime.date(2021, 1, 1 + index),
                commitments=[
                    CommitmentIn(
                        1,
                        "Do it.",
                        party="IR",
                        due=day("2022-01-01"),
                        events=[ImplementationEventIn(ImplementationKind.MET, day("2021-12-01"))],
                    )
                ],
            )
            data = agreement_to_input(Agreement.objects.with_details().get(pk=agreement.pk))
            agreement_update(agreement=agreement, data=dataclasses.replace(data, summary="Corrected."))

    today = datetime.datetime.now(datetime.UTC).date()
    for first, count in ((0, 2), (2, 18)):
        add(first, count)
        # The countries; the agreements; their events; the commitments and what was reported of them;
        # the ids in the history; one query per kind of part (7, and the clauses' categories); the
        # names the changes mention (the countries, once).
        with django_assert_num_queries(PINNED_QUERIES):
            report = pair_changes("IR", "IQ", start=START, end=today)
        assert len(report.signed) == first + count
        assert len(report.corrections) == 2 * (first + count)


PINNED_QUERIES = 14
