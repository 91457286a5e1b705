"""Reading one cell as the value it stands for: a country, a choice, a partial date, categories.

Each reader raises ``CellError`` with a message in an editor's words; the caller adds the cell.
The rules are the domain's: countries as ``CountryQuerySet.matching`` finds them, dates as
``dates.parse_partial_date`` reads them.
"""

from __future__ import annotations

import datetime

from django.db.models import TextChoices

from ...dates import DatePrecision, PartialDate, parse_partial_date
from ...models import ClauseCategory, Country
from .columns import SEPARATOR
from .reading import Value


class CellError(ValueError):
    """The cell's value cannot be read; the message says why."""


class Vocabulary:
    """Countries and categories, each looked up once per import."""

    def __init__(self) -> None:
        self._countries: dict[str, str] = {}
        self._categories: dict[str, ClauseCategory] = {}
        for category in ClauseCategory.objects.all():
            self._categories[category.slug.casefold()] = category
            self._categories.setdefault(category.name.casefold(), category)

    def country(self, text: str) -> str:
        """The code of the country ``text`` names: a code, or one of its names exactly."""
        key = text.strip().casefold()
        if key not in self._countries:
            found = list(Country.objects.matching(text)[:3])
            # A code, or a name exactly (a term of no letters is ranked nowhere).
            exact = [c for c in found if getattr(c, "search_rank", 9) <= 1]
            if not exact:
                if found:
                    names = ", ".join(f"{c.name} ({c.code})" for c in found)
                    raise CellError(f"“{text}” is not a country's name or code; did you mean {names}?")
                raise CellError(f"No country is called “{text}”; give its ISO code (e.g. IR) or its name.")
            self._countries[key] = exact[0].code
        return self._countries[key]

    def categories(self, text: str) -> list[ClauseCategory]:
        chosen = []
        for part in text.split(SEPARATOR):
            name = part.strip().casefold()
            if not name:
                continue
            if name not in self._categories:
                raise CellError(f"No clause category has the slug or name “{part.strip()}”.")
            chosen.append(self._categories[name])
        return chosen


def choice(text: str, choices: type[TextChoices], what: str) -> str:
    """A value of ``choices`` given as itself or as its label, in any case."""
    key = " ".join(text.replace("_", " ").split()).casefold()
    for value, label in choices.choices:
        if key in (value.replace("_", " ").casefold(), str(label).casefold()):
            return value
    raise CellError(f"“{text}” is not a {what}; use one of {', '.join(choices.values)}.")


def partial_date(value: Value) -> PartialDate:
    """A date cell (known to the day), a year as a number, or text as people write dates."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return PartialDate(value, DatePrecision.DAY)
    if isinstance(value, int | float) and float(value).is_integer() and 1000 <= value <= 9999:
        return PartialDate(datetime.date(int(value), 1, 1), DatePrecision.YEAR)
    try:
        return parse_partial_date(str(value))
    except ValueError as error:
        raise CellError(str(error)) from None


def whole_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise CellError(f"“{text}” is not a whole number from 1.")
    return int(text)


__all__ = ["CellError", "Vocabulary", "choice", "partial_date", "whole_number"]
