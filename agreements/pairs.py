"""Country pairs: the order agreements store them in, the order people read them in, and the one
rule about them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import slugify

if TYPE_CHECKING:
    from .models import Country

SAME_PARTIES = "An agreement needs two different parties; both are the same country."


def country_code(country: Country | str) -> str:
    return country if isinstance(country, str) else country.pk


def canonical_pair(a: Country | str, b: Country | str) -> tuple[str, str]:
    """The two country codes in the order agreements store them (party_a < party_b).

    One index on (party_a, party_b) then answers every question about a pair.
    """
    first, second = sorted((country_code(a), country_code(b)))
    return first, second


def same_parties_problem(a: Country | str | None, b: Country | str | None) -> str | None:
    """The message for a pair that names one country twice; ``None`` when the pair is fine."""
    if a and b and country_code(a).upper() == country_code(b).upper():
        return SAME_PARTIES
    return None


@dataclass(frozen=True)
class NamedPair:
    """A pair as people read it: the two countries in alphabetical order of their names.

    "Iran and Iraq", whichever order a link or a request gave them in. Every page title,
    list, breadcrumb, canonical URL and file name uses this order; the database keeps its
    own (``canonical_pair``, by code), which readers never see.
    """

    first: str
    first_name: str
    second: str
    second_name: str

    @property
    def name(self) -> str:
        return f"{self.first_name} and {self.second_name}"

    @property
    def slug(self) -> str:
        """For file names: ``iran-and-iraq`` (accents dropped, ASCII only)."""
        return slugify(self.name)

    def is_asked_as(self, a: str, b: str) -> bool:
        """Whether codes ``a`` and ``b`` (any case) are already in this order."""
        return (a.upper(), b.upper()) == (self.first, self.second)


def named_pair(a: tuple[str, str], b: tuple[str, str]) -> NamedPair:
    """Two ``(code, name)`` countries in reading order: by name without accents or case, then code."""
    from .models.country_names import fold  # here: the models import this module

    first, second = sorted((a, b), key=lambda country: (fold(country[1]), country[0]))
    return NamedPair(first[0], first[1], second[0], second[1])
