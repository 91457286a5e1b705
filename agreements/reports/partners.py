"""Report 2: every counterpart of one country, with counts by status, ranked.

One grouped query over the country's agreements (two index ranges: as party A and as
party B); a pair is one group, because the country is always one of its two parties.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

from ..choices import Status
from ..models import Agreement, Clause, Country
from ..querysets import in_force_on
from .inputs import AgreementFilters, resolve_countries, today

STATUS_FIELDS = {status: f"status_{status}" for status in Status.values}


@dataclass(frozen=True)
class CountryPartners:
    country: Country
    as_of: datetime.date
    filters: AgreementFilters
    partners: list[dict[str, Any]]


def _categories_by_pair(agreements: QuerySet[Agreement]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The top-level categories (slug, name) covered by each pair's ``agreements``, by name;
    subcategories count too."""
    rows = (
        Clause.categories.through.objects.filter(clause__agreement__in=agreements)
        .values_list(
            "clause__agreement__party_a",
            "clause__agreement__party_b",
            Coalesce("clausecategory__parent__slug", "clausecategory__slug"),
            Coalesce("clausecategory__parent__name", "clausecategory__name"),
        )
        .distinct()
        .order_by("clause__agreement__party_a", "clause__agreement__party_b")
    )
    covered: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for party_a, party_b, slug, name in rows:
        covered.setdefault((party_a, party_b), set()).add((slug, name))
    return {pair: sorted(found, key=lambda category: category[1]) for pair, found in covered.items()}


def _signature_ends(agreements: QuerySet[Agreement]) -> dict[tuple[str, str, str], tuple]:
    """Each pair's first and latest signature as (date, precision), keyed by (party_a, party_b, end)."""
    pair = [F("party_a"), F("party_b")]
    ranked = agreements.filter(signed_on__isnull=False).annotate(
        first=Window(RowNumber(), partition_by=pair, order_by=[F("signed_on").asc(), F("id").asc()]),
        latest=Window(RowNumber(), partition_by=pair, order_by=[F("signed_on").desc(), F("id").desc()]),
    )
    ends = {}
    for party_a, party_b, day, precision, first, latest in ranked.filter(
        Q(first=1) | Q(latest=1)
    ).values_list("party_a", "party_b", "signed_on", "signed_on_precision", "first", "latest"):
        if first == 1:
            ends[(party_a, party_b, "first")] = (day, precision)
        if latest == 1:
            ends[(party_a, party_b, "latest")] = (day, precision)
    return ends


def country_partners(
    code: str, *, as_of: datetime.date | None = None, filters: AgreementFilters | None = None
) -> CountryPartners:
    """Counterparts of ``code``, most agreements first, counting only what ``filters`` let through.

    Four queries whatever the number of partners: the country, the counts by pair, each
    pair's first and latest signature (with their precision), and the categories covered.
    """
    country = resolve_countries(code)[code.strip().upper()]
    as_of = as_of or today()
    filters = filters or AgreementFilters()
    agreements = filters.apply(Agreement.objects.involving(country))
    rows = (
        agreements.order_by()
        .values(*(f"party_{side}{column}" for side in "ab" for column in ("", "__name", "__cow_code")))
        .annotate(
            agreements=Count("pk"),
            in_force_on_as_of=Count("pk", filter=Q(in_force_on(as_of))),
            **{name: Count("pk", filter=Q(status=status)) for status, name in STATUS_FIELDS.items()},
        )
        .order_by("-agreements", "party_a", "party_b")
    )
    ends = _signature_ends(agreements)
    categories = _categories_by_pair(agreements)
    partners = []
    for rank, row in enumerate(rows, start=1):
        side = "b" if row["party_a"] == country.code else "a"
        pair = (row["party_a"], row["party_b"])
        first = ends.get((*pair, "first"), (None, ""))
        latest = ends.get((*pair, "latest"), (None, ""))
        partners.append(
            {
                "rank": rank,
                "partner": row[f"party_{side}"],
                "partner_name": row[f"party_{side}__name"],
                "partner_cow_code": row[f"party_{side}__cow_code"],
                "agreements": row["agreements"],
                "in_force_on_as_of": row["in_force_on_as_of"],
                "by_status": {status: row[name] for status, name in STATUS_FIELDS.items()},
                "first_signed": first[0],
                "first_signed_precision": first[1],
                "latest_signed": latest[0],
                "latest_signed_precision": latest[1],
                # Slugs for programs, names (in the same order) for people.
                "categories": [slug for slug, _ in categories.get(pair, [])],
                "category_names": [name for _, name in categories.get(pair, [])],
            }
        )
    return CountryPartners(country, as_of, filters, partners)
