"""How many rows a list has, without counting 250,000 of them on every page.

An exact ``COUNT(*)`` of a large result costs a scan of it (20–30 ms a request for the whole
agreements table on PostgreSQL), paid again by every page of a list. Up to ``limit`` rows the
count stays exact: the count runs over the first ``limit + 1`` rows only, so it stops there.
Beyond, PostgreSQL's planner already knows about how many rows the query returns (its
estimate, from the statistics ``planner.refresh_statistics`` keeps fresh), and that is the
answer, marked as an estimate. SQLite has no estimate to offer and counts a local file fast,
so it counts exactly.
"""

from __future__ import annotations

import json
from collections.abc import Sized
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class RowCount:
    value: int
    exact: bool


def count_rows(rows: QuerySet | Sized, limit: int) -> RowCount:
    """The number of ``rows``: exact up to ``limit``, else PostgreSQL's estimate (at least
    ``limit + 1``, which the bounded count has proved)."""
    if not isinstance(rows, QuerySet):
        return RowCount(len(rows), exact=True)
    if connections[rows.db].vendor != "postgresql":
        return RowCount(rows.count(), exact=True)
    # Without the list's order: a count does not need it, and a search ordered by relevance
    # would rank every match before the bound could stop the count.
    keys = rows.order_by().values("pk")
    bounded = keys[: limit + 1].count()
    if bounded <= limit:
        return RowCount(bounded, exact=True)
    return RowCount(max(planner_estimate(keys), limit + 1), exact=False)


def planner_estimate(rows: QuerySet) -> int:
    """The rows PostgreSQL's planner expects ``rows`` to return (``EXPLAIN``, nothing run)."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg decodes json; a text column on other setups
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
