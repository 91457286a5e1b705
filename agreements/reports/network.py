"""Report 3: the pair network. Nodes are countries, edges are pairs with their agreements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear

from ..choices import Status
from ..models import Agreement, Country
from .inputs import AgreementFilters


@dataclass(frozen=True)
class PairNetwork:
    filters: AgreementFilters
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def _count_as(agreements, side: str, aggregate: Count) -> Coalesce:
    """``aggregate`` over the outer country's ``agreements`` in which it is party ``side``."""
    per_country = agreements.filter(**{f"party_{side}": OuterRef("pk")}).order_by().values(f"party_{side}")
    return Coalesce(
        Subquery(per_country.annotate(n=aggregate).values("n")[:1]), 0, output_field=IntegerField()
    )


def pair_network(*, filters: AgreementFilters | None = None) -> PairNetwork:
    """Every pair with agreements that ``filters`` let through, and the countries they join."""
    filters = filters or AgreementFilters()
    agreements = filters.apply(Agreement.objects.all())
    edges = list(
        agreements.order_by()
        .values("party_a", "party_b", "party_a__name", "party_b__name")
        .annotate(
            agreements=Count("pk"),
            in_force=Count("pk", filter=Q(status=Status.IN_FORCE)),
            # Years, not dates: a year is known whatever the precision of the signature.
            first_year=Min(ExtractYear("signed_on")),
            latest_year=Max(ExtractYear("signed_on")),
        )
        .order_by("-agreements", "party_a", "party_b")
    )
    # A country's agreements and partners are its edges' sums; each side is an indexed probe.
    nodes = list(
        Country.objects.annotate(
            agreements_as_a=_count_as(agreements, "a", Count("pk")),
            agreements_as_b=_count_as(agreements, "b", Count("pk")),
            partners_as_a=_count_as(agreements, "a", Count("party_b", distinct=True)),
            partners_as_b=_count_as(agreements, "b", Count("party_a", distinct=True)),
        )
        .annotate(
            agreements=F("agreements_as_a") + F("agreements_as_b"),
            partners=F("partners_as_a") + F("partners_as_b"),
        )
        .filter(agreements__gt=0)
        .values("code", "name", "cow_code", "agreements", "partners")
        .order_by("-agreements", "code")
    )
    return PairNetwork(filters, nodes, edges)
