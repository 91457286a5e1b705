"""An agreement's lifecycle, derived from its status events.

Status events are the single source of truth. This module holds the two pure
functions every write path uses: ``validate_events`` (which sequences are
impossible, and why, in words an editor understands) and ``derive_lifecycle`` (the
current status, the cached dates, and the periods each status lasted, which the
reports query in the database). Nothing here touches the database, so the admin's
formsets, the services and the API serializers all ask the same questions.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .choices import ENDED_STATUSES, EventType, Status
from .dates import PartialDate

# The order in which events happen when their dates alone cannot tell (same day,
# or one date known only to the month): signing comes before ratification, which
# comes before entry into force, and so on.
_RANK = {
    EventType.NEGOTIATING: 0,
    EventType.INITIALLED: 1,
    EventType.SIGNED: 2,
    EventType.RATIFIED: 3,
    EventType.APPROVED: 3,
    EventType.PROVISIONALLY_APPLIED: 4,
    EventType.IN_FORCE: 5,
    EventType.SUSPENDED: 6,
    EventType.RESUMED: 7,
    EventType.TERMINATED: 8,
    EventType.EXPIRED: 8,
    EventType.WITHDRAWN: 8,
    EventType.SUPERSEDED: 8,
}
_BEFORE_SIGNATURE = frozenset({EventType.NEGOTIATING, EventType.INITIALLED})
_ENDING = frozenset({EventType.TERMINATED, EventType.EXPIRED, EventType.WITHDRAWN, EventType.SUPERSEDED})
_NOT_YET_APPLIED = frozenset({None, Status.NEGOTIATING, Status.INITIALLED, Status.SIGNED, Status.RATIFIED})


@dataclass(frozen=True, slots=True)
class EventFact:
    """What ``lifecycle`` needs to know of a status event."""

    status: str
    date: PartialDate
    party: str | None = None  # country code of the acting party; None when both act

    @property
    def label(self) -> str:
        return EventType(self.status).label


@dataclass(frozen=True, slots=True)
class Problem:
    """An impossible sequence, pinned to the event (by index) and field at fault."""

    index: int
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of time during which the agreement had one status; ``end`` is exclusive."""

    status: str
    start: PartialDate
    end: PartialDate | None


@dataclass(frozen=True, slots=True)
class Lifecycle:
    status: str | None
    signed_on: PartialDate | None
    in_force_from: PartialDate | None
    ended_on: PartialDate | None
    periods: tuple[Period, ...]


def _compare(a: EventFact, b: EventFact) -> int:
    if a.date.definitely_before(b.date):
        return -1
    if b.date.definitely_before(a.date):
        return 1
    # Overlapping periods: the treaty-law order decides, then the earlier start.
    key_a, key_b = (_RANK[a.status], a.date.start), (_RANK[b.status], b.date.start)
    return (key_a > key_b) - (key_a < key_b)


def chronological(events: Iterable[EventFact]) -> list[EventFact]:
    """Events in the order they happened, as far as their dates and kinds tell."""
    return sorted(events, key=functools.cmp_to_key(_compare))


def validate_events(
    events: Sequence[EventFact], parties: Sequence[str], names: Mapping[str, str] | None = None
) -> list[Problem]:
    """Every reason why this sequence of events cannot have happened, one per event and field.

    ``names`` maps country codes to the names used in messages.
    """
    problems: list[Problem] = []
    names = names or {}
    both = " and ".join(names.get(code, code) for code in parties)

    signatures: dict[str | None, tuple[int, EventFact]] = {}
    seen: set[tuple[str, PartialDate, str | None]] = set()
    for index, event in enumerate(events):
        if event.party is not None and event.party not in parties:
            problems.append(
                Problem(
                    index,
                    "party",
                    f"{names.get(event.party, event.party)} is not a party to this agreement ({both}).",
                )
            )
        key = (event.status, event.date, event.party)
        if key in seen:
            problems.append(Problem(index, "status", f"This {event.label.lower()} event is recorded twice."))
        seen.add(key)
        if event.status == EventType.SIGNED:
            clash = None in signatures or (event.party is None and signatures) or event.party in signatures
            if clash:
                problems.append(
                    Problem(
                        index,
                        "status",
                        "The agreement already has a signature event; record one joint signature, "
                        "or one per party when they signed on different days.",
                    )
                )
            else:
                signatures[event.party] = (index, event)

    signature_dates = [event.date for _, event in signatures.values()]
    if signature_dates:
        first_signature = min(signature_dates, key=lambda d: d.start)
        last_signature = max(signature_dates, key=lambda d: d.start)
        for index, event in enumerate(events):
            if event.status == EventType.SIGNED:
                continue
            if event.status in _BEFORE_SIGNATURE:
                if first_signature.definitely_before(event.date):
                    problems.append(
                        Problem(
                            index,
                            "date",
                            f"{event.label} on {event.date} is after the signature on {first_signature}.",
                        )
                    )
                continue
            # A party's own act cannot precede its own signature; a joint act (entry
            # into force, termination) cannot precede the last signature.
            own = signatures.get(event.party) or signatures.get(None)
            signature = own[1].date if (event.party is not None and own) else last_signature
            if event.date.definitely_before(signature):
                problems.append(
                    Problem(
                        index,
                        "date",
                        f"{event.label} on {event.date} is before the signature on {signature}.",
                    )
                )

    endings = [event for event in events if event.status in _ENDING]
    if endings:
        end = chronological(endings)[0]
        for index, event in enumerate(events):
            if event is not end and end.date.definitely_before(event.date):
                problems.append(
                    Problem(
                        index,
                        "date",
                        f"{event.label} on {event.date} is after the agreement ended "
                        f"({end.label.lower()} on {end.date}).",
                    )
                )

    suspensions = [event.date for event in events if event.status == EventType.SUSPENDED]
    for index, event in enumerate(events):
        if event.status == EventType.RESUMED and not any(
            not event.date.definitely_before(suspended) for suspended in suspensions
        ):
            problems.append(
                Problem(index, "status", f"Resumed on {event.date}, but no earlier suspension is recorded.")
            )
    return problems


def _next_status(current: str | None, event: EventFact, before_suspension: str | None) -> str | None:
    if current in ENDED_STATUSES:
        return current
    match event.status:
        case EventType.NEGOTIATING | EventType.INITIALLED:
            return event.status if current in (None, Status.NEGOTIATING, Status.INITIALLED) else current
        case EventType.SIGNED:
            return Status.SIGNED if current in (None, Status.NEGOTIATING, Status.INITIALLED) else current
        case EventType.RATIFIED | EventType.APPROVED:
            return Status.RATIFIED if current in _NOT_YET_APPLIED else current
        case EventType.PROVISIONALLY_APPLIED:
            return Status.PROVISIONALLY_APPLIED if current in _NOT_YET_APPLIED else current
        case EventType.IN_FORCE:
            return Status.IN_FORCE
        case EventType.SUSPENDED:
            return Status.SUSPENDED
        case EventType.RESUMED:
            return (before_suspension or Status.IN_FORCE) if current == Status.SUSPENDED else current
        case _:
            return event.status  # the ending events share their value with a status


def derive_lifecycle(events: Iterable[EventFact], *, as_of: datetime.date | None = None) -> Lifecycle:
    """The status and dates that follow from ``events`` (optionally, as known on ``as_of``).

    A partial date counts from the first day of its period.
    """
    ordered = chronological(e for e in events if as_of is None or e.date.start <= as_of)
    status: str | None = None
    before_suspension: str | None = None
    signed_on = in_force_from = ended_on = None
    periods: list[Period] = []
    for event in ordered:
        if event.status == EventType.SIGNED and signed_on is None:
            signed_on = event.date
        elif event.status == EventType.IN_FORCE and in_force_from is None:
            in_force_from = event.date
        elif event.status in _ENDING and ended_on is None:
            ended_on = event.date
        if event.status == EventType.SUSPENDED and status != Status.SUSPENDED:
            before_suspension = status
        new = _next_status(status, event, before_suspension)
        if new != status:
            while periods and periods[-1].start.start >= event.date.start:
                # Two changes on the same day, or a partial date whose period starts
                # before the last change (terminated "January 2001" after entering into
                # force on 4 January 2001): counted from its start, the earlier status
                # never lasted a day.
                periods.pop()
            if periods:
                periods[-1] = Period(periods[-1].status, periods[-1].start, event.date)
            periods.append(Period(new, event.date, None))
            status = new
    return Lifecycle(status, signed_on, in_force_from, ended_on, tuple(periods))
