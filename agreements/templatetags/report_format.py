"""Template filters for the report pages: labels for codes, partial dates from ISO strings."""

from __future__ import annotations

import datetime

from django import template

from ..choices import (
    AgreementKind,
    CommitmentState,
    Disclosure,
    EventType,
    ImplementationKind,
    Level,
    LevelScope,
    ParticipantRole,
    Status,
)
from ..dates import DatePrecision, format_partial_date

register = template.Library()

_PRECISION_NOTE = {DatePrecision.MONTH: "month known", DatePrecision.YEAR: "year known"}


@register.filter
def partial_date(value: str | datetime.date | None, precision: str | None) -> str:
    """``2017-07-01`` with ``month`` → "July 2017": only what is known."""
    if not value:
        return ""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    return format_partial_date(day, precision or DatePrecision.DAY)


@register.filter
def precision_note(precision: str | None) -> str:
    """A short note for dates that are not known to the day."""
    return _PRECISION_NOTE.get(precision or "", "")


@register.filter
def status_label(value: str | None) -> str:
    if not value:
        return "—"
    return str(Status(value).label) if value in Status.values else value


@register.filter
def event_label(value: str) -> str:
    return str(EventType(value).label) if value in EventType.values else value


@register.filter
def kind_label(value: str) -> str:
    return str(AgreementKind(value).label) if value in AgreementKind.values else value


def _label(choices, value: str | None) -> str:
    if not value:
        return "—"
    return str(choices(value).label) if value in choices.values else value


@register.filter
def role_label(value: str) -> str:
    return _label(ParticipantRole, value)


@register.filter
def level_label(value: str) -> str:
    return _label(LevelScope, value) if value in LevelScope.values else _label(Level, value)


@register.filter
def disclosure_label(value: str) -> str:
    return _label(Disclosure, value)


@register.filter
def commitment_state_label(value: str) -> str:
    return _label(CommitmentState, value)


@register.filter
def implementation_label(value: str) -> str:
    return _label(ImplementationKind, value)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key) if mapping else None
