"""Report 3: the pair network. Nodes are countries, edges are pairs with their agreements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractYear

from ..choices import Status
from ..models import Agreement
from .inputs import AgreementFilters


@dataclass(frozen=True)
class PairNetwork:
    filters: AgreementFilters
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def _nodes(agreements: QuerySet[Agreement]) -> list[dict[str, Any]]:
    """Countries with their agreements (and those in force now) and partners: one grouped query per
    side of the pair.

    A country's partners as party A (codes after its own) and as party B (codes before
    it) are disjoint, so the two sides' counts add up.
    """
    nodes: dict[str, dict[str, Any]] = {}
    for side, other in (("a", "b"), ("b", "a")):
        rows = (
            agreements.order_by()
            .values(f"party_{side}", f"party_{side}__name", f"party_{side}__cow_code")
            .annotate(
                agreements=Count("pk"),
                in_force=Count("pk", filter=Q(status=Status.IN_FORCE)),
                partners=Count(f"party_{other}", distinct=True),
            )
        )
        for row in rows:
            code = row[f"party_{side}"]
            node = nodes.setdefault(
                code,
                {
                    "code": code,
                    "name": row[f"party_{side}__name"],
                    "cow_code": row[f"party_{side}__cow_code"],
                    "agreements": 0,
                    "in_force": 0,
                    "partners": 0,
                },
            )
            node["agreements"] += row["agreements"]
            node["in_force"] += row["in_force"]
            node["partners"] += row["partners"]
    return sorted(nodes.values(), key=lambda node: (-node["agreements"], node["code"]))


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
    return PairNetwork(filters, _nodes(agreements), edges)
