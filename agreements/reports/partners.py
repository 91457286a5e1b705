"""Report 2: every counterpart of one country, with counts by status, ranked.

One grouped query over the country's agreements (two index ranges: as party A and as
party B); a pair is one group, because the country is always one of its two parties.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from ..choices import Status
from ..models import Agreement, Clause, Country, StatusPeriod
from .aggregates import DistinctList, split_list
from .inputs import AgreementFilters, resolve_countries, today

STATUS_FIELDS = {status: f"status_{status}" for status in Status.values}


@dataclass(frozen=True)
class CountryPartners:
    country: Country
    as_of: datetime.date
    filters: AgreementFilters
    partners: list[dict[str, Any]]


def in_force_on(day: datetime.date) -> Exists:
    """The agreement (``OuterRef('pk')``) was in force on ``day``; partial dates count from their start."""
    return Exists(
        StatusPeriod.objects.filter(
            Q(end__isnull=True) | Q(end__gt=day),
            agreement=OuterRef("pk"),
            status=Status.IN_FORCE,
            start__lte=day,
        )
    )


def top_level_categories(agreements) -> Subquery:
    """The slugs of the top-level categories that ``agreements`` of the outer pair cover."""
    through = Clause.categories.through.objects.filter(
        clause__agreement__party_a=OuterRef("party_a"),
        clause__agreement__party_b=OuterRef("party_b"),
        clause__agreement__in=agreements,
    )
    root = Coalesce("clausecategory__parent__slug", "clausecategory__slug")
    return Subquery(
        through.order_by()
        .values("clause__agreement__party_a")
        .annotate(slugs=DistinctList(root))
        .values("slugs")[:1]
    )


def country_partners(
    code: str, *, as_of: datetime.date | None = None, filters: AgreementFilters | None = None
) -> CountryPartners:
    """Counterparts of ``code``, most agreements first, counting only what ``filters`` let through."""
    country = resolve_countries(code)[code.strip().upper()]
    as_of = as_of or today()
    filters = filters or AgreementFilters()
    agreements = filters.apply(Agreement.objects.involving(country))
    signed = agreements.filter(
        party_a=OuterRef("party_a"), party_b=OuterRef("party_b"), signed_on__isnull=False
    )
    rows = (
        agreements.order_by()
        .values(*(f"party_{side}{column}" for side in "ab" for column in ("", "__name", "__cow_code")))
        .annotate(
            agreements=Count("pk"),
            in_force_on_as_of=Count("pk", filter=Q(in_force_on(as_of))),
            **{name: Count("pk", filter=Q(status=status)) for status, name in STATUS_FIELDS.items()},
            first_signed=Min("signed_on"),
            latest_signed=Max("signed_on"),
            first_signed_precision=Subquery(
                signed.order_by("signed_on", "id").values("signed_on_precision")[:1]
            ),
            latest_signed_precision=Subquery(
                signed.order_by("-signed_on", "-id").values("signed_on_precision")[:1]
            ),
            category_slugs=top_level_categories(agreements),
        )
        .order_by("-agreements", "-latest_signed", "party_a", "party_b")
    )
    partners = []
    for rank, row in enumerate(rows, start=1):
        side = "b" if row["party_a"] == country.code else "a"
        partners.append(
            {
                "rank": rank,
                "partner": row[f"party_{side}"],
                "partner_name": row[f"party_{side}__name"],
                "partner_cow_code": row[f"party_{side}__cow_code"],
                "agreements": row["agreements"],
                "in_force_on_as_of": row["in_force_on_as_of"],
                "by_status": {status: row[name] for status, name in STATUS_FIELDS.items()},
                "first_signed": row["first_signed"],
                "first_signed_precision": row["first_signed_precision"] or "",
                "latest_signed": row["latest_signed"],
                "latest_signed_precision": row["latest_signed_precision"] or "",
                "categories": split_list(row["category_slugs"]),
            }
        )
    return CountryPartners(country, as_of, filters, partners)
