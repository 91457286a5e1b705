"""Partial dates: what a source says about *when*, and no more.

News reports say "on Sunday" or "in March 2023". We store the first day of the
period the source supports together with its precision, so a date known only to the
month is kept as ``2023-03-01`` with precision ``month``. Ordering questions ("was it
ratified before it was signed?") are answered on the whole period, and a period
counts from its first day (documented in the reports).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def truncate(value: datetime.date, precision: str) -> datetime.date:
    """The first day of the period of ``precision`` that contains ``value``."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to a day, a month or a year; ``value`` is the period's first day."""

    value: datetime.date
    precision: str = DatePrecision.DAY

    def __post_init__(self) -> None:
        if self.precision not in DatePrecision.values:
            raise ValueError(f"Unknown date precision {self.precision!r}.")
        if truncate(self.value, self.precision) != self.value:
            raise ValueError(
                f"A {self.precision}-precision date must be the first day of its period, "
                f"not {self.value.isoformat()}."
            )

    @classmethod
    def of(cls, value: datetime.date, precision: str) -> PartialDate:
        """Build a partial date, dropping any detail finer than ``precision``."""
        return cls(truncate(value, precision), precision)

    @property
    def start(self) -> datetime.date:
        return self.value

    @property
    def end(self) -> datetime.date:
        """The last day the period covers."""
        if self.precision == DatePrecision.YEAR:
            return self.value.replace(month=12, day=31)
        if self.precision == DatePrecision.MONTH:
            last = calendar.monthrange(self.value.year, self.value.month)[1]
            return self.value.replace(day=last)
        return self.value

    def definitely_before(self, other: PartialDate) -> bool:
        """True when every day of this period lies before every day of ``other``."""
        return self.end < other.start

    def __str__(self) -> str:
        return format_partial_date(self.value, self.precision)


def format_partial_date(value: datetime.date | None, precision: str | None) -> str:
    """Human form that shows only what is known: ``23 July 2017``, ``July 2017``, ``2017``."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return f"{calendar.month_name[value.month]} {value.year}"
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def optional_precision_check(field: str) -> models.Q:
    """A ``CheckConstraint`` condition for an optional ``field`` and its ``field_precision``:
    both set (and the date normalised) or both empty."""
    precision = f"{field}_precision"
    return (models.Q(**{f"{field}__isnull": True, precision: ""})) | (
        models.Q(**{f"{field}__isnull": False})
        & ~models.Q(**{precision: ""})
        & precision_check(field, precision)
    )


def precision_check(date_field: str, precision_field: str) -> models.Q:
    """A ``CheckConstraint`` condition: partial dates are stored as their period's first day.

    A null date passes (the field's own nullability decides whether that is allowed).
    """
    return (
        models.Q(**{f"{date_field}__isnull": True})
        | models.Q(**{precision_field: DatePrecision.DAY})
        | models.Q(**{precision_field: DatePrecision.MONTH, f"{date_field}__day": 1})
        | models.Q(
            **{precision_field: DatePrecision.YEAR, f"{date_field}__day": 1, f"{date_field}__month": 1}
        )
    )


# The forms a person may type a partial date in, each with the precision it states.
ACCEPTED_FORMS = "23 July 2017, 2017-07-23, 23/07/2017, July 2017, 2017-07 or 2017"
_FORMATS = (
    ("%Y-%m-%d", DatePrecision.DAY),
    ("%d/%m/%Y", DatePrecision.DAY),
    ("%d %B %Y", DatePrecision.DAY),
    ("%d %b %Y", DatePrecision.DAY),
    ("%B %d %Y", DatePrecision.DAY),
    ("%b %d %Y", DatePrecision.DAY),
    ("%Y-%m", DatePrecision.MONTH),
    ("%B %Y", DatePrecision.MONTH),
    ("%b %Y", DatePrecision.MONTH),
    ("%Y", DatePrecision.YEAR),
)


def parse_partial_date(text: str) -> PartialDate:
    """A date as people write it, with the precision the words support.

    "23 July 2017" and "2017-07-23" are known to the day, "July 2017" and "2017-07" to the
    month, "2017" to the year. Anything else is a ``ValueError`` saying which forms are read
    — or, for a day that does not exist, that it does not ("30 February 2017").
    """
    cleaned = " ".join(text.replace(",", " ").replace(".", " ").split())
    for pattern, precision in _FORMATS:
        try:
            return PartialDate.of(datetime.datetime.strptime(cleaned, pattern).date(), precision)
        except ValueError:
            continue
    day_month_year = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})|(\d{4})-(\d{2})-(\d{2})", cleaned)
    if day_month_year:
        raise ValueError(f"{text.strip()} does not exist in the calendar.")
    raise ValueError(f"“{text.strip()}” is not a date this form reads; write it as {ACCEPTED_FORMS}.")


# How a single day is written wherever a program sends one (API bodies and query strings).
ISO_DAY_FORM = "YYYY-MM-DD, e.g. 2017-07-23"


def iso_day_problem(text: str) -> str:
    """Why ``text`` is not a day written YYYY-MM-DD, in words: a day the calendar does not
    have ("30 February 2020 does not exist."), a month or a year where a day is wanted, or
    another form altogether (with the one accepted)."""
    text = str(text).strip()
    whole = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if whole:
        year, month, day = (int(part) for part in whole.groups())
        if year == 0:
            return "The year 0 does not exist (1 BC is followed by AD 1); give a year from 1 on."
        if not 1 <= month <= 12:
            return f"There is no month {month}; months run from 01 to 12."
        return f"{day} {calendar.month_name[month]} {year} does not exist."
    if re.fullmatch(r"\d{4}(-\d{1,2})?", text):
        first = f"{text}-01" if "-" in text else f"{text}-01-01"
        return f"Give a day, as {ISO_DAY_FORM}; for a month or a year, give its first day ({first})."
    return f"“{text}” is not a date; give it as {ISO_DAY_FORM}."
