"""Every name a country is known by, and the states the tracker adds beside ISO 3166-1.

The names come from maintained sources first:

* pycountry (ISO 3166): the name, common name and official name ("Iran, Islamic
  Republic of", "Iran", "Islamic Republic of Iran");
* CLDR's English names with their short and variant forms ("Türkiye" and "Turkey",
  "United Kingdom" and "UK", "Côte d’Ivoire" and "Ivory Coast"), generated into
  ``agreements/data/cldr_country_names.csv`` (see ``generate_cldr_country_names.py`` there);

and then from ``EVERYDAY_NAMES`` below, only for what neither has. The names are built when
the data migration runs and stored on each row (``also_known_as`` to show, ``search_names``
to search), so a search is one query with no name source loaded at request time.

A stored search text is every name folded (no accents or case, one kind of apostrophe),
each between ``|`` separators: ``|iran|iran, islamic republic of|persia|``. "Contains
``|persia|``" is then "a name is exactly Persia", and "contains ``|pers``" is "a name starts
with pers": the three tiers of ``CountryQuerySet.matching`` are three ``LIKE``s.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CLDR_NAMES = Path(__file__).resolve().parent.parent / "data" / "cldr_country_names.csv"
SEPARATOR = "|"

# States that ISO 3166-1 does not list, as the migrations add them. Kosovo has no ISO code;
# XK is the user-assigned code that CLDR, the European Union and the World Bank use for it
# (alpha-3 XKX likewise), and 347 is its Correlates-of-War number. pycountry has no Kosovo,
# so no name source but CLDR knows it: its official name is left as its name, as the ISO
# loader does for a state without one.
STATES_OUTSIDE_ISO: dict[str, dict[str, Any]] = {
    "XK": {
        "alpha_2": "XK",
        "alpha_3": "XKX",
        "numeric": "",
        "name": "Kosovo",
        "official_name": "Kosovo",
        "is_former": False,
        "withdrawn": "",
        "cow_code": 347,
    },
}

# Everyday English names that neither CLDR nor pycountry gives as a name of their own,
# keyed by the Country's code. Keep this short: a name belongs here only when a person
# would type it and the sources miss it, or have it only inside a longer name so that a
# search for it would list another country first.
EVERYDAY_NAMES: dict[str, tuple[str, ...]] = {
    # In the sources only within "United States of America", so "America" listed American
    # Samoa (a name that starts with it) before the United States.
    "US": ("America",),
    # CLDR has it only in brackets ("Myanmar (Burma)"), so "Burma" listed the former
    # Burma of ISO 3166-3 (BUMM) first; the state has been Myanmar since 1989.
    "MM": ("Burma",),
    # Iran's name in English until 1935, still common; no source has it.
    "IR": ("Persia",),
    # The everyday pars pro toto for the Netherlands; no source has it.
    "NL": ("Holland",),
    # The usual abbreviation (like UK and US, which CLDR has); no source has it.
    "AE": ("UAE",),
    # ISO 3166-3 gives former states only their formal names ("USSR, Union of Soviet
    # Socialist Republics", "German Democratic Republic"); these are what people type.
    "SUHH": ("Soviet Union",),
    "DDDE": ("East Germany",),
}

# Apostrophes and quotes that differ between sources (CLDR writes "Côte d’Ivoire",
# pycountry "Côte d'Ivoire") and keyboards.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})


def fold(text: str) -> str:
    """``text`` as it is stored and searched: no accents, no case, single spaces.

    "Türkiye" and "Turkiye", "Côte d’Ivoire" and "cote d'ivoire" fold alike, so a search
    needs no accent-insensitive collation (SQLite has none, PostgreSQL only as an extension).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    # Accents go, and so do control characters: PostgreSQL refuses a NUL even in a LIKE.
    bare = "".join(
        character
        for character in decomposed
        if not unicodedata.combining(character) and unicodedata.category(character) != "Cc"
    )
    bare = bare.translate(_APOSTROPHES).casefold().replace(SEPARATOR, " ")
    return " ".join(bare.split())


@cache
def _cldr_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    with CLDR_NAMES.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names.setdefault(row["code"], []).append(row["name"])
    return names


def _iso_names(code: str) -> list[str]:
    import pycountry  # only when names are built (migrations, tests), never per request

    if len(code) == 4:
        country = pycountry.historic_countries.get(alpha_4=code)
    else:
        country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return []
    return [getattr(country, key, None) or "" for key in ("name", "common_name", "official_name")]


def country_names(code: str, name: str, official_name: str = "") -> list[str]:
    """Every name of the country with this code: ``name`` first, then the others, each once.

    Former states (four-letter codes) get no CLDR names: CLDR is keyed by alpha-2 codes,
    which ISO reassigns (CS was Czechoslovakia, then Serbia and Montenegro).
    """
    candidates = [name, official_name, *_iso_names(code)]
    if len(code) == 2:
        candidates += _cldr_names().get(code, [])
    candidates += EVERYDAY_NAMES.get(code, ())
    names: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        key = fold(candidate)
        if key and key not in seen:
            seen.add(key)
            names.append(" ".join(candidate.split()))
    return names


def search_text(names: Iterable[str]) -> str:
    """The stored search text of these names: each folded, between separators."""
    return SEPARATOR + SEPARATOR.join(fold(name) for name in names) + SEPARATOR


@dataclass(frozen=True)
class StoredNames:
    also_known_as: str
    search_names: str


def stored_names(code: str, name: str, official_name: str = "") -> StoredNames:
    """What a Country row stores of its names: the other names one a line, and the search text."""
    names = country_names(code, name, official_name)
    return StoredNames(also_known_as="\n".join(names[1:]), search_names=search_text(names))


def add_states_outside_iso(country_model: Any) -> None:
    """Create (or bring up to date) the states of ``STATES_OUTSIDE_ISO``.

    ``country_model`` is the Country model, or its historical version in a migration.
    ``update_or_create``, so it is safe whether or not the ISO loader already made the row.
    """
    for code, values in STATES_OUTSIDE_ISO.items():
        country_model.objects.update_or_create(code=code, defaults=values)


def store_names(country_model: Any) -> int:
    """Fill ``also_known_as`` and ``search_names`` of every country; returns how many rows."""
    countries = list(country_model.objects.all())
    for country in countries:
        names = stored_names(country.code, country.name, country.official_name)
        country.also_known_as, country.search_names = names.also_known_as, names.search_names
    country_model.objects.bulk_update(countries, ["also_known_as", "search_names"], batch_size=200)
    return len(countries)
