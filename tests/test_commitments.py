"""A commitment's state: the pure derivation, its rules, and the SQL the reports ask, held together."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.choices import CommitmentState, ImplementationKind
from agreements.commitments import ImplementationFact, derive_commitment, validate_commitment
from agreements.dates import DatePrecision, PartialDate
from agreements.models import Commitment, ImplementationEvent
from agreements.reports.commitments import as_of_params, commitment_on
from agreements.reports.sql import current_dialect

from .factories import make_agreement

SIGNED = PartialDate(datetime.date(2020, 3, 15))
DUE = PartialDate(datetime.date(2020, 9, 15))


def fact(
    kind: str, day: str, new_due: str | None = None, precision: str = DatePrecision.DAY
) -> ImplementationFact:
    return ImplementationFact(
        kind,
        PartialDate.of(datetime.date.fromisoformat(day), precision),
        PartialDate(datetime.date.fromisoformat(new_due)) if new_due else None,
    )


@pytest.mark.parametrize(
    ("facts", "state", "due"),
    [
        ([], CommitmentState.OPEN, "2020-09-15"),
        ([fact("progress", "2020-05-01")], CommitmentState.IN_PROGRESS, "2020-09-15"),
        ([fact("progress", "2020-05-01"), fact("met", "2020-08-01")], CommitmentState.MET, "2020-09-15"),
        ([fact("extended", "2020-09-01", "2021-03-15")], CommitmentState.OPEN, "2021-03-15"),
        ([fact("met", "2020-08-01"), fact("unmet", "2021-01-01")], CommitmentState.UNMET, "2020-09-15"),
        # On one day: progress, then an extension, then unmet, met, superseded.
        ([fact("met", "2020-08-01"), fact("progress", "2020-08-01")], CommitmentState.MET, "2020-09-15"),
        ([fact("superseded", "2020-07-01")], CommitmentState.SUPERSEDED, "2020-09-15"),
    ],
)
def test_the_latest_report_decides_and_an_extension_moves_the_deadline(facts, state, due):
    status = derive_commitment(DUE, facts)
    assert (status.state, status.due.value.isoformat()) == (state, due)


def test_on_a_day_only_what_was_reported_by_then_counts():
    facts = [fact("extended", "2020-09-01", "2021-03-15"), fact("met", "2021-02-01")]
    assert derive_commitment(DUE, facts, as_of=datetime.date(2020, 8, 31)).due == DUE
    on = derive_commitment(DUE, facts, as_of=datetime.date(2020, 10, 1))
    assert (on.state, on.due.value) == (CommitmentState.OPEN, datetime.date(2021, 3, 15))
    assert not on.overdue_on(datetime.date(2020, 10, 1))
    assert derive_commitment(DUE, facts).state == CommitmentState.MET


def test_overdue_counts_a_month_to_its_last_day():
    in_september = PartialDate(datetime.date(2020, 9, 1), DatePrecision.MONTH)
    assert not derive_commitment(in_september, []).overdue_on(datetime.date(2020, 9, 30))
    assert derive_commitment(in_september, []).overdue_on(datetime.date(2020, 10, 1))
    assert not derive_commitment(in_september, [fact("met", "2020-09-20")]).overdue_on(
        datetime.date(2021, 1, 1)
    )


@pytest.mark.parametrize(
    ("due", "facts", "index", "field", "message"),
    [
        (PartialDate(datetime.date(2020, 1, 1)), [], None, "due_on", "before the signature"),
        (DUE, [fact("progress", "2020-01-01")], 0, "date", "before the signature"),
        (DUE, [fact("extended", "2020-05-01")], 0, "new_due_on", "needs the new due date"),
        (DUE, [fact("met", "2020-05-01", "2021-01-01")], 0, "new_due_on", "Only an extension"),
        (DUE, [fact("extended", "2020-05-01", "2020-08-01")], 0, "new_due_on", "is not after"),
        (DUE, [fact("superseded", "2020-05-01"), fact("met", "2020-06-01")], 1, "kind", "superseded"),
        (DUE, [fact("met", "2020-05-01"), fact("extended", "2020-06-01", "2021-01-01")], 1, "kind", "met"),
    ],
)
def test_impossible_sequences_are_named(due, facts, index, field, message):
    problems = validate_commitment(due, facts, SIGNED)
    assert [(p.index, p.field) for p in problems] == [(index, field)]
    assert message in problems[0].message


def test_a_month_that_contains_the_signature_is_not_before_it():
    in_march = PartialDate(datetime.date(2020, 3, 1), DatePrecision.MONTH)
    assert validate_commitment(in_march, [fact("progress", "2020-03-01", precision="month")], SIGNED) == []


# --- The reports' SQL gives the same answers ----------------------------------------------------------

KINDS = st.sampled_from(ImplementationKind.values)
DAYS = st.integers(min_value=0, max_value=900).map(lambda n: SIGNED.value + datetime.timedelta(days=n))
PRECISIONS = st.sampled_from(DatePrecision.values)


@st.composite
def histories(draw):
    due = PartialDate.of(draw(DAYS), draw(PRECISIONS))
    facts = []
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        kind = draw(KINDS)
        new_due = (
            PartialDate.of(draw(DAYS), draw(PRECISIONS)) if kind == ImplementationKind.EXTENDED else None
        )
        facts.append(ImplementationFact(kind, PartialDate.of(draw(DAYS), draw(PRECISIONS)), new_due))
    return due, facts


def sql_on(commitment: Commitment, day: datetime.date) -> tuple:
    on = commitment_on(current_dialect())
    sql = (
        f"SELECT {on['state']}, {on['due']}, {on['precision']}, CASE WHEN {on['overdue']} THEN 1 ELSE 0 END "
        f"FROM {Commitment._meta.db_table} cm WHERE cm.id = %(id)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**as_of_params(day), "id": commitment.pk})
        state, due, precision, overdue = cursor.fetchone()
    due = due if isinstance(due, datetime.date) else datetime.date.fromisoformat(due)
    return state, due, precision, bool(overdue)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories(), day=DAYS)
def test_the_sql_agrees_with_the_derivation_on_any_day(history, day):
    """Any sequence (valid or not: the derivation never refuses) on any day."""
    due, facts = history
    agreement = make_agreement(title="Parity", signed=SIGNED.value)
    commitment = Commitment.objects.create(
        agreement=agreement, position=1, text="Parity.", due_on=due.value, due_on_precision=due.precision
    )
    ImplementationEvent.objects.bulk_create(
        ImplementationEvent(
            commitment=commitment,
            kind=f.kind,
            date=f.date.value,
            date_precision=f.date.precision,
            new_due_on=f.new_due.value if f.new_due else None,
            new_due_on_precision=f.new_due.precision if f.new_due else "",
        )
        for f in facts
    )
    expected = derive_commitment(due, facts, as_of=day)
    assert sql_on(commitment, day) == (
        expected.state,
        expected.due.value,
        expected.due.precision,
        expected.overdue_on(day),
    )
    agreement.delete()
