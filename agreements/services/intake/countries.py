"""Countries in a report: by name ("Iran", "Iran's"), adjective ("Iranian") or capital ("Tehran").

The names are the tracker's own (every name of ``Country.also_known_as``: ISO's, CLDR's
and the everyday ones); adjectives and capitals come from ``agreements/data/country_adjectives.csv``
(generated from countryinfo, see the script beside it) and ``EVERYDAY_ADJECTIVES`` below.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ADJECTIVES_CSV = Path(__file__).resolve().parents[2] / "data" / "country_adjectives.csv"

# How the news names a state where countryinfo says otherwise or nothing, each with its reason.
EVERYDAY_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "SA": ("Saudi",),  # countryinfo: "Saudi Arabian"; the news writes "the Saudi foreign minister"
    "KZ": ("Kazakh",),  # countryinfo: "Kazakhstani"
    "KG": ("Kyrgyz",),  # countryinfo: "Kirghiz", an old spelling
    "TJ": ("Tajik",),  # countryinfo: "Tadzhik", an old spelling
    "UZ": ("Uzbek",),  # countryinfo: "Uzbekistani"
    "AR": ("Argentine",),  # countryinfo: "Argentinean" only
    "PH": ("Philippine",),  # the adjective beside the demonym "Filipino"
    "US": ("US", "U.S."),  # "US Defense Secretary"
    "GB": ("UK",),  # "the UK Defence Secretary"
    "AE": ("UAE",),  # "the UAE foreign minister"
    "CD": ("Congolese",),  # left out of the generated file as shared; in these reports, Kinshasa's
}
EVERYDAY_CAPITALS: dict[str, tuple[str, ...]] = {
    "US": ("Washington",),  # countryinfo: "Washington D.C."
    "IN": ("Delhi",),
    "UA": ("Kiev",),  # the spelling of older reports
}


@dataclass(frozen=True)
class Mention:
    code: str
    kind: str  # "name", "adjective" or "capital"
    start: int
    end: int
    text: str


class CountryLexicon:
    """Every form a state goes by, matched in one pass over a report."""

    def __init__(self, countries: Iterable[tuple[str, str, str]]) -> None:
        """``countries``: (code, name, other names one a line) of the current states."""
        forms: dict[str, set[tuple[str, str]]] = {}
        self.names: dict[str, str] = {}
        self.capitals: dict[str, str] = {}
        self.adjectives: dict[str, str] = {}
        for code, name, others in countries:
            self.names[code] = name
            for form in [name, *others.splitlines()]:
                form = form.strip()
                if form and "," not in form and "(" not in form:
                    forms.setdefault(form, set()).add((code, "name"))
        for code, kind, word in _generated_words():
            if code in self.names:
                forms.setdefault(word, set()).add((code, kind))
                getattr(self, "adjectives" if kind == "adjective" else "capitals").setdefault(code, word)
        for kind, table in (("adjective", EVERYDAY_ADJECTIVES), ("capital", EVERYDAY_CAPITALS)):
            for code, words in table.items():
                for word in words:
                    forms.setdefault(word, set()).add((code, kind))
        # A form of two states ("Congo", "Korea") names neither.
        self.forms = {
            form: min(owners, key=lambda owner: owner[1] != "name")
            for form, owners in forms.items()
            if len({code for code, _ in owners}) == 1
        }
        alternatives = sorted(self.forms, key=len, reverse=True)
        # Datelines are in capitals ("TEHRAN –"): each form also as upper case.
        self._upper = {form.upper(): form for form in self.forms if form.upper() != form}
        pattern = "|".join(
            re.escape(form) for form in [*alternatives, *sorted(self._upper, key=len, reverse=True)]
        )
        self._regex = re.compile(rf"(?<![\w.])(?:{pattern})(?![\w])")

    def mentions(self, text: str) -> list[Mention]:
        found = []
        for match in self._regex.finditer(text):
            form = self._upper.get(match[0], match[0])
            code, kind = self.forms[form]
            found.append(Mention(code, kind, match.start(), match.end(), match[0]))
        return found

    def adjective_of(self, word: str) -> str | None:
        """The code of the state ``word`` is the adjective of ("Iraqi" → IQ)."""
        owner = self.forms.get(word)
        return owner[0] if owner and owner[1] == "adjective" else None

    def code_of(self, word: str) -> str | None:
        owner = self.forms.get(word) or self.forms.get(self._upper.get(word, ""))
        return owner[0] if owner else None

    def adjective(self, code: str) -> str:
        return self.adjectives.get(code) or self.names.get(code, code)


@cache
def _generated_words() -> tuple[tuple[str, str, str], ...]:
    with ADJECTIVES_CSV.open(newline="", encoding="utf-8") as handle:
        return tuple((row["code"], row["kind"], row["word"]) for row in csv.DictReader(handle))
