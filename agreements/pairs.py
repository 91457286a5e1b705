"""Country pairs: the order agreements store them in, and the one rule about them."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
