"""Saving what the editor accepted of a proposal: one transaction through the usual services.

The report becomes a Source (or an existing one with its URL is cited), new people are
created with the spellings the report used, known people gain the spellings they lacked,
and the agreement is written by ``agreement_create`` like any other. Every part the editor
did not give another source cites the report, and so does the agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction

from ...choices import EventType
from ...dates import PartialDate
from ...models import Agreement, Person, Source
from ..agreements import agreement_create
from ..base import Errors
from ..inputs import AgreementIn, CitationIn, EventIn, OtherNameIn, PersonIn
from ..people import person_sync_other_names
from ..sources import SourceIn, source_create
from .status import INITIALLED, NEGOTIATING, PLANNED, SIGNED

__all__ = ["IntakeIn", "SourceIn", "intake_confirm"]


@dataclass(frozen=True)
class IntakeIn:
    """The agreement as accepted (parts without a source cite the report), its status and date."""

    agreement: AgreementIn
    source: Source | SourceIn
    status: str  # signed, initialled, planned or negotiating
    date: PartialDate | None = None
    date_note: str = ""
    # Spellings of known people that the report uses and the tracker lacks.
    spellings: Sequence[tuple[Person, str]] = ()
    supports: str = "Added from this report"


def _event(data: IntakeIn, source: Source) -> EventIn | None:
    if data.status in (SIGNED, INITIALLED):
        if data.date is None:
            word = "signature" if data.status == SIGNED else "initialling"
            raise ValidationError(
                {
                    "date": [
                        f"Give the date of {word}: a day, a month or a year "
                        "(e.g. 23 July 2017, July 2017, 2017)."
                    ]
                }
            )
        status = EventType.SIGNED if data.status == SIGNED else EventType.INITIALLED
        return EventIn(status=status, date=data.date, date_note=data.date_note, source=source)
    if data.status not in (PLANNED, NEGOTIATING):
        raise ValidationError({"status": [f"Unknown status “{data.status}”."]})
    # Planned or under negotiation: negotiating as of the report's day (or the date given).
    when = data.date or (PartialDate(source.published_on) if source.published_on else None)
    if when is None:
        return None
    word = "Planned, not yet signed" if data.status == PLANNED else "Under negotiation"
    note = data.date_note or f"{word}, as of the report of {when}"
    return EventIn(status=EventType.NEGOTIATING, date=when, date_note=note[:300], source=source)


def _cite(data: AgreementIn, source: Source) -> AgreementIn:
    def person(value):
        if isinstance(value, PersonIn):
            names = [replace(n, source=n.source or source) for n in value.other_names]
            return replace(value, other_names=names)
        return value

    participants = [
        replace(p, person=person(p.person), source=p.source or source) for p in data.participants or ()
    ]
    clauses = [replace(c, source=c.source or source) for c in data.clauses or ()]
    return replace(data, participants=participants, clauses=clauses)


def intake_confirm(*, data: IntakeIn) -> Agreement:
    """Save the source, the new people and the agreement; all of it, or nothing."""
    with transaction.atomic():
        source = data.source
        if not isinstance(source, Source):
            try:
                source = source_create(data=source)
            except ValidationError as error:
                errors = Errors()
                errors.merge("source", error)
                errors.raise_if_any()
        assert isinstance(source, Source)
        event = _event(data, source)
        agreement = replace(
            _cite(data.agreement, source),
            events=[*(data.agreement.events or ()), *([event] if event else [])],
            citations=[CitationIn(source=source, supports=data.supports)],
        )
        saved = agreement_create(data=agreement)
        for known, name in data.spellings:
            if name.strip() and not known.other_names.filter(name=name).exists() and name != known.name:
                person_sync_other_names(person=known, other_names=[OtherNameIn(name=name, source=source)])
    return saved
