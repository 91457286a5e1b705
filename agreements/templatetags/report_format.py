"""Template filters for the report pages: labels for codes, partial dates from ISO strings."""

from __future__ import annotations

import datetime

from django import template

from ..choices import AgreementKind, EventType, Status
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


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key) if mapping else None
