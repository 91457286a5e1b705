"""Report 3: the pair network. Nodes are countries, edges are pairs with their agreements.

One statement: the agreements that the filters let through, grouped by pair, with both
countries' names. The nodes are sums over the edges (a country's agreements are those of
its pairs, its partners the pairs themselves), so the table is read once, not three times
(figures: docs/benchmarks.md, issue 20).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection

from ..choices import Status
from ..models import Agreement
from .inputs import AgreementFilters
from .sql import TABLES, Dialect, current_dialect

EDGE_KEYS = (
    "party_a",
    "party_b",
    "party_a__name",
    "party_b__name",
    "agreements",
    "in_force",
    "first_year",
    "latest_year",
)


@dataclass(frozen=True)
class PairNetwork:
    filters: AgreementFilters
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def edges_query(d: Dialect, filters: AgreementFilters) -> tuple[str, list[Any]]:
    """The statement and its parameters: one row per pair, in ``EDGE_KEYS`` order and then
    both countries' COW codes, the busiest pair first."""
    t = TABLES
    agreement = connection.ops.quote_name(t["agreement"])
    # The filters as the ORM writes them, on the unaliased table, which the statement reads
    # under its own name. They test the agreement's own columns or a subquery (a category is
    # a semi-join on the tag table); a filter that needed a join would need it here too.
    filtered = filters.apply(Agreement.objects.all()).query
    try:
        where, params = filtered.get_compiler(connection=connection).compile(filtered.where)
    except FullResultSet:  # no filter
        where, params = "TRUE", []
    except EmptyResultSet:  # a filter nothing can pass
        where, params = "FALSE", []
    # Years, not dates: a year is known whatever the precision of the signature.
    sql = f"""
SELECT e.party_a_id, e.party_b_id, ca.name, cb.name, e.agreements, e.in_force,
       {d.year("e.first_signed")}, {d.year("e.latest_signed")}, ca.cow_code, cb.cow_code
  FROM (SELECT {agreement}.party_a_id, {agreement}.party_b_id, COUNT(*) AS agreements,
               SUM(CASE WHEN {agreement}.status = '{Status.IN_FORCE.value}' THEN 1 ELSE 0 END) AS in_force,
               MIN({agreement}.signed_on) AS first_signed, MAX({agreement}.signed_on) AS latest_signed
          FROM {d.whole_table(agreement)}
         WHERE {where}
         GROUP BY {agreement}.party_a_id, {agreement}.party_b_id) e
  JOIN {t["country"]} ca ON ca.code = e.party_a_id
  JOIN {t["country"]} cb ON cb.code = e.party_b_id
 ORDER BY e.agreements DESC, e.party_a_id, e.party_b_id
"""
    return sql, list(params)


def _nodes(edges: list[dict[str, Any]], cow_codes: dict[str, int | None]) -> list[dict[str, Any]]:
    """Countries with their agreements and partners, summed over the edges they are in."""
    nodes: dict[str, dict[str, Any]] = {}
    for edge in edges:
        for side in ("a", "b"):
            code = edge[f"party_{side}"]
            node = nodes.setdefault(
                code,
                {
                    "code": code,
                    "name": edge[f"party_{side}__name"],
                    "cow_code": cow_codes[code],
                    "agreements": 0,
                    "in_force": 0,
                    "partners": 0,
                },
            )
            node["agreements"] += edge["agreements"]
            node["in_force"] += edge["in_force"]
            node["partners"] += 1
    return sorted(nodes.values(), key=lambda node: (-node["agreements"], node["code"]))


def pair_network(*, filters: AgreementFilters | None = None) -> PairNetwork:
    """Every pair with agreements that ``filters`` let through, and the countries they join."""
    filters = filters or AgreementFilters()
    sql, params = edges_query(current_dialect(), filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    edges = [dict(zip(EDGE_KEYS, row[:-2], strict=True)) for row in rows]
    cow_codes = {code: cow for row in rows for code, cow in ((row[0], row[-2]), (row[1], row[-1]))}
    return PairNetwork(filters, _nodes(edges, cow_codes), edges)
