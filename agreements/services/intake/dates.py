"""When it was signed: the date words of the key sentence, resolved against the publication date.

Reports rarely give a calendar date: "on Sunday", "yesterday", "last week", "earlier this
month". Each becomes a partial date with the precision the words support (a day, a month, a
year) and a note saying how it was derived, so that an editor can check it at a glance.

dateparser (with the publication date as its relative base) reads the calendar and the
counted forms ("19 March", "July 2017", "yesterday", "three days ago", "last month"). The
rest is done here because dateparser reads it otherwise or not at all: a bare weekday is
for dateparser the one of the week *before* the base, while in a report "on Sunday" is the
latest Sunday on or before the day it was published (the same day, when published on a
Sunday); "last week" and "earlier this month" it does not read as periods.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

import dateparser

from ...dates import DatePrecision, PartialDate
from .text import Evidence, Sentence

_WEEKDAYS = [day.lower() for day in calendar.day_name]
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)"
# Longest forms first: "19 March 2017" before "19 March", "March 2017" before "March".
_EXPRESSIONS = [
    ("date", rf"\b{_DAY} {_MONTH},? \d{{4}}\b"),
    ("date", rf"\b{_MONTH} {_DAY},? \d{{4}}\b"),
    ("date", r"\b\d{4}-\d{2}-\d{2}\b"),
    ("month", rf"\b(?:(?:early|mid|late)[ -])?{_MONTH},? \d{{4}}\b"),
    ("day_of_month", rf"\b{_DAY} (?:of )?{_MONTH}(?![\w])"),
    ("day_of_month", rf"\b{_MONTH} {_DAY}\b(?!,? \d{{4}})"),
    (
        "relative_day",
        r"\b(?:the day before yesterday|yesterday|today|tonight|this (?:morning|afternoon|evening))\b",
    ),
    (
        "weekday",
        r"\b(?:on |last |this |late |early |earlier on )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
        r"Saturday|Sunday)(?: (?:morning|afternoon|evening|night))?\b",
    ),
    ("days_ago", rf"\b{_NUMBER} days? ago\b"),
    ("week", r"\b(?:earlier this week|this week|last week|earlier in the week|a week ago|at the weekend)\b"),
    (
        "month_relative",
        r"\b(?:earlier this month|this month|last month|earlier in the month|"
        r"at the (?:start|beginning) of the month|a month ago)\b",
    ),
    ("year_relative", r"\b(?:earlier this year|this year|last year)\b"),
    (
        "month_only",
        rf"\b(?:in|since|during|early|mid|late) (?:(?:early|mid|late)[ -])?{_MONTH}(?![\w])(?!,? \d)",
    ),
    ("year", r"\bin (?:1[89]\d\d|20\d\d)\b"),
]
_REGEX = re.compile(
    "|".join(f"(?P<{kind}_{i}>{pattern})" for i, (kind, pattern) in enumerate(_EXPRESSIONS)), re.I
)
_EXPRESSION_KIND = {f"{kind}_{i}": kind for i, (kind, _) in enumerate(_EXPRESSIONS)}
# Date words after these tell when something else happened ("weeks after Mosul fell on Sunday").
_OTHER_TIME = re.compile(r"\b(?:after|since|before|until|ahead of|following|arrived|arrival)\b[^,;]*$", re.I)


@dataclass(frozen=True)
class DateFinding:
    date: PartialDate | None
    note: str
    evidence: Evidence


@dataclass(frozen=True)
class Expression:
    kind: str
    text: str
    start: int  # in the sentence
    end: int


def expressions(text: str) -> list[Expression]:
    found = []
    for match in _REGEX.finditer(text):
        kind = _EXPRESSION_KIND[match.lastgroup]
        found.append(Expression(kind, match[0], match.start(), match.end()))
    return found


def _long(value: datetime.date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def _parse(text: str, base: datetime.date | None) -> datetime.date | None:
    settings = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": False}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime.datetime.combine(base, datetime.time(12))
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if parsed else None


def _week_of(value: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = value - datetime.timedelta(days=value.weekday())
    return monday, monday + datetime.timedelta(days=6)


def _period(first: datetime.date, last: datetime.date) -> PartialDate:
    """The narrowest partial date that holds every day from ``first`` to ``last``."""
    if first == last:
        return PartialDate(first)
    if (first.year, first.month) == (last.year, last.month):
        return PartialDate.of(first, DatePrecision.MONTH)
    return PartialDate.of(first, DatePrecision.YEAR)


def resolve(expression: Expression, published: datetime.date | None) -> tuple[PartialDate | None, str]:
    """The partial date an expression names in a report published on ``published``, and how."""
    try:
        return _resolve(expression, published)
    except (OverflowError, ValueError):
        # Counting back from 1 January of year 1 (a date nobody publishes, but a client may send).
        return None, f"“{expression.text.strip()}”: outside the calendar counted from that publication date"


def _resolve(expression: Expression, published: datetime.date | None) -> tuple[PartialDate | None, str]:
    words = expression.text.strip()
    lowered = words.lower()
    said = f"“{words}”"
    if published is None and expression.kind not in ("date", "month"):
        return None, f"{said}: no publication date to count from; give the date"
    in_report = f"{said} in a report published {_long(published)}" if published else said
    if expression.kind == "date":
        value = _parse(re.sub(r"(\d)(st|nd|rd|th)", r"\1", words), None)
        return (PartialDate(value), f"{said}, as written") if value else (None, f"{said}: not a date")
    if expression.kind == "month":
        value = _parse(re.sub(r"^(early|mid|late)[ -]", "", words, flags=re.I), None)
        if value is None:
            return None, f"{said}: not a date"
        return PartialDate.of(value, DatePrecision.MONTH), f"{said}: the month only"
    assert published is not None
    if expression.kind == "weekday":
        day = next(d for d in _WEEKDAYS if d in lowered)
        back = (published.weekday() - _WEEKDAYS.index(day)) % 7
        if lowered.startswith("last ") and back == 0:
            back = 7
        value = published - datetime.timedelta(days=back)
        return PartialDate(value), f"{in_report}: the latest {day.title()} on or before it, {_long(value)}"
    if expression.kind in ("relative_day", "days_ago"):
        phrase = re.sub(r"\b(this (morning|afternoon|evening)|tonight)\b", "today", lowered)
        phrase = re.sub(r"\ba days? ago\b", "1 day ago", phrase)
        value = _parse(phrase, published)
        if value is None:
            return None, f"{said}: not understood"
        return PartialDate(value), f"{in_report}: {_long(value)}"
    if expression.kind == "day_of_month":
        value = _parse(re.sub(r"(\d)(st|nd|rd|th)", r"\1", words), published)
        if value is None:
            return None, f"{said}: not a date"
        if value > published:  # "on 19 March" in a report of January is last year's
            value = value.replace(year=value.year - 1)
        return PartialDate(value), f"{in_report}: the latest {value.day} {calendar.month_name[value.month]}"
    if expression.kind == "week":
        if "last" in lowered or "ago" in lowered:
            first, last = _week_of(published - datetime.timedelta(days=7))
        elif "weekend" in lowered:
            saturday = published - datetime.timedelta(days=(published.weekday() - 5) % 7)
            first, last = saturday, saturday + datetime.timedelta(days=1)
        else:
            first, last = _week_of(published)[0], published
        value = _period(first, last)
        return value, f"{in_report}: between {_long(first)} and {_long(last)}, so {value}"
    if expression.kind in ("month_relative", "month_only"):
        if expression.kind == "month_only":
            month = next(
                i
                for i, name in enumerate(calendar.month_name)
                if name and name.lower()[:3] in lowered.split()[-1]
            )
            year = published.year if month <= published.month else published.year - 1
            value = PartialDate(datetime.date(year, month, 1), DatePrecision.MONTH)
            return value, f"{in_report}: the latest {calendar.month_name[month]}, {value}"
        if "last month" in lowered or "month ago" in lowered:
            previous = published.replace(day=1) - datetime.timedelta(days=1)
            value = PartialDate.of(previous, DatePrecision.MONTH)
        else:
            value = PartialDate.of(published, DatePrecision.MONTH)
        return value, f"{in_report}: {value}"
    if expression.kind == "year_relative":
        year = published.year - 1 if "last" in lowered else published.year
        return PartialDate(datetime.date(year, 1, 1), DatePrecision.YEAR), f"{in_report}: {year}"
    if expression.kind == "year":
        year = int(re.search(r"\d{4}", words)[0])
        return PartialDate(datetime.date(year, 1, 1), DatePrecision.YEAR), f"{said}: the year only"
    return None, f"{said}: not understood"


def signature_date(
    sentence: Sentence, verb_at: int, published: datetime.date | None, others: list[Sentence]
) -> DateFinding | None:
    """The date words nearest the key verb (after it first), else those of another sentence that signs."""
    for candidate, anchor in [(sentence, verb_at), *((other, 0) for other in others)]:
        found = [e for e in expressions(candidate.text) if not _OTHER_TIME.search(candidate.text[: e.start])]
        if not found:
            continue
        best = min(found, key=lambda e: (e.start < anchor, abs(e.start - anchor)))
        value, note = resolve(best, published)
        return DateFinding(value, note[:300], candidate.evidence(best.start, best.end))
    return None
