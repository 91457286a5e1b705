"""Template filters for the report pages: labels for codes, partial dates from ISO strings,
pairs named in reading order, and short titles that keep the whole title for screen readers."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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
from ..pairs import NamedPair, named_pair

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


@register.simple_tag
def pair_of(code_a: str, name_a: str, code_b: str, name_b: str) -> NamedPair:
    """``{% pair_of a name_a b name_b as pair %}``: the pair in reading order (``pair.name``,
    and ``pair.first``/``pair.second`` for its one URL)."""
    return named_pair((code_a, name_a), (code_b, name_b))


@register.filter
def country_name(code: str | None, names: Mapping[str, str] | None) -> str:
    """A country code as its name, from the page's ``{code: name}``; "both parties" for none."""
    if not code:
        return "both parties"
    return (names or {}).get(code, code)


# A column head or a row head in the matrix shows this much of a title; the rest is read out.
SHORT_TITLE = 44


@register.simple_tag
def short_title(title: str, limit: int = SHORT_TITLE) -> SafeString:
    """The title cut at a word before ``limit`` characters with an ellipsis; the rest stays in the
    page for screen readers (visually hidden), so the heading still names the whole agreement."""
    if len(title) <= limit:
        return format_html("{}", title)
    cut = title.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return format_html(
        '{}<span aria-hidden="true">…</span><span class="visually-hidden">{}</span>',
        title[:cut],
        title[cut:],
    )


@register.filter
def signed_difference(after: int, before: int) -> str:
    """``+2``, ``−1`` (a true minus sign), or ``0``: how a count changed."""
    difference = (after or 0) - (before or 0)
    if difference > 0:
        return f"+{difference}"
    return f"−{-difference}" if difference < 0 else "0"
