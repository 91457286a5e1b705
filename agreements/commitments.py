"""A commitment's state, derived from what later reports say of it.

Like ``lifecycle`` for agreements, this module holds the two pure functions every path
uses: ``validate_commitment`` (which sequences are impossible, and why) and
``derive_commitment`` (the state and the due date in effect, on a day or now). The
reports ask the same question in SQL (``reports.commitments``), and a test holds the
two to the same answers.

Rules, in words:
* a commitment is *open* until something is reported; then the latest report decides:
  progress → *in progress*, met → *met*, unmet or breached → *unmet*, superseded → *superseded*;
* an extension changes the due date and nothing else;
* a report counts from the first day of its (possibly partial) date; on one day, progress
  comes before an extension, which comes before unmet, met and superseded;
* *overdue* on a day: the due date in effect has wholly passed, and the commitment is
  neither met nor superseded.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from .choices import CommitmentState, ImplementationKind
from .dates import PartialDate

# The order of reports made on the same day, and each report's effect on the state.
RANK = {
    ImplementationKind.PROGRESS: 0,
    ImplementationKind.EXTENDED: 1,
    ImplementationKind.UNMET: 2,
    ImplementationKind.MET: 3,
    ImplementationKind.SUPERSEDED: 4,
}
STATE_AFTER = {
    ImplementationKind.PROGRESS: CommitmentState.IN_PROGRESS,
    ImplementationKind.UNMET: CommitmentState.UNMET,
    ImplementationKind.MET: CommitmentState.MET,
    ImplementationKind.SUPERSEDED: CommitmentState.SUPERSEDED,
}
SETTLED = frozenset({CommitmentState.MET, CommitmentState.SUPERSEDED})


@dataclass(frozen=True, slots=True)
class ImplementationFact:
    """What this module needs to know of an implementation event."""

    kind: str
    date: PartialDate
    new_due: PartialDate | None = None

    @property
    def label(self) -> str:
        return ImplementationKind(self.kind).label


@dataclass(frozen=True, slots=True)
class CommitmentProblem:
    """An impossible fact, pinned to the event (by index; ``None`` for the commitment) and field."""

    index: int | None
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class CommitmentStatus:
    state: str
    due: PartialDate | None  # the due date in effect, after extensions

    def overdue_on(self, day: datetime.date) -> bool:
        return self.due is not None and self.due.end < day and self.state not in SETTLED


def chronological(facts: Sequence[ImplementationFact]) -> list[tuple[int, ImplementationFact]]:
    """The facts with their input index, in the order they happened."""
    return sorted(enumerate(facts), key=lambda item: (item[1].date.start, RANK[item[1].kind], item[0]))


def derive_commitment(
    due: PartialDate | None, facts: Sequence[ImplementationFact], *, as_of: datetime.date | None = None
) -> CommitmentStatus:
    """The state and due date after ``facts`` (those known on ``as_of``, when given)."""
    state, current = CommitmentState.OPEN, due
    for _, fact in chronological(facts):
        if as_of is not None and fact.date.start > as_of:
            break
        if fact.kind == ImplementationKind.EXTENDED:
            current = fact.new_due
        else:
            state = STATE_AFTER[fact.kind]
    return CommitmentStatus(state, current)


def validate_commitment(
    due: PartialDate | None, facts: Sequence[ImplementationFact], signed: PartialDate | None
) -> list[CommitmentProblem]:
    """What cannot be true of a commitment with this due date and these reports."""
    problems: list[CommitmentProblem] = []
    if due is not None and signed is not None and due.definitely_before(signed):
        problems.append(
            CommitmentProblem(None, "due_on", f"Due on {due} is before the signature on {signed}.")
        )
    for index, fact in enumerate(facts):
        if signed is not None and fact.date.definitely_before(signed):
            problems.append(
                CommitmentProblem(
                    index, "date", f"{fact.label} on {fact.date} is before the signature on {signed}."
                )
            )
        is_extension = fact.kind == ImplementationKind.EXTENDED
        if is_extension and fact.new_due is None:
            problems.append(CommitmentProblem(index, "new_due_on", "An extension needs the new due date."))
        if not is_extension and fact.new_due is not None:
            problems.append(CommitmentProblem(index, "new_due_on", "Only an extension has a new due date."))

    current, settled = due, None
    for index, fact in chronological(facts):
        if settled is not None and settled.kind == ImplementationKind.SUPERSEDED:
            problems.append(
                CommitmentProblem(
                    index,
                    "kind",
                    f"{fact.label} on {fact.date} comes after the commitment was superseded "
                    f"on {settled.date}.",
                )
            )
            continue
        if fact.kind == ImplementationKind.EXTENDED and fact.new_due is not None:
            if settled is not None:
                problems.append(
                    CommitmentProblem(
                        index,
                        "kind",
                        f"The commitment was met on {settled.date}; there is no deadline left to extend.",
                    )
                )
            elif current is not None and not current.definitely_before(fact.new_due):
                problems.append(
                    CommitmentProblem(
                        index, "new_due_on", f"The new due date {fact.new_due} is not after {current}."
                    )
                )
            current = fact.new_due
        elif fact.kind in (ImplementationKind.MET, ImplementationKind.SUPERSEDED):
            settled = fact
        elif fact.kind == ImplementationKind.UNMET:
            settled = None  # a breach after "met" reopens the commitment
    return problems
