"""What each system is asked, and what our server's request costs in queries and SQL.

A ``Workload`` names one request per system that can answer it (the same page, in the
same order, with the same nested parts), the SQL our server runs for it (captured from
a real request through Django's test client, parameters inlined, which pgbench then
runs as the physical limit), the queries per request of each system, and the targets
of issue 6 as minimum ratios of our throughput to another system's.

Everything here runs inside the harness process with the product's settings
(``django.setup()`` done by the caller).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import peers
from .load import Request
from .sample import Sample

OURS, PGBENCH, POSTGRAPHILE, DATASETTE, NAIVE = "ours", "pgbench", "postgraphile", "datasette", "naive"
SYSTEMS = (OURS, PGBENCH, POSTGRAPHILE, DATASETTE, NAIVE)
PAGE = 50


@dataclass
class Call:
    """A request without its server: a path (and a GraphQL body for a POST)."""

    path: str
    body: dict | None = None

    def on(self, base_url: str) -> Request:
        return Request(base_url + self.path, self.body)


@dataclass
class Workload:
    key: str
    label: str
    calls: dict[str, Call]  # system -> request; pgbench runs ``sql`` instead
    sql: list[str] = field(default_factory=list)
    queries: dict[str, int | None] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)  # system -> minimum ours ÷ system
    max_queries: int | None = None  # the ceiling for our server
    note: str = ""

    @property
    def systems(self) -> list[str]:
        return [system for system in SYSTEMS if system in self.calls or (system == PGBENCH and self.sql)]


def drf_cursor(after_id: int) -> str:
    """DRF's cursor for "the page after ``after_id``" in id order (``p=<id>``, base64)."""
    return base64.b64encode(f"p={after_id}".encode()).decode()


def define(sample: Sample, sqlite_path: Path | None) -> list[Workload]:
    a, b, _ = sample.busy_pair
    c, d, _ = sample.typical_pair
    cursor = drf_cursor(sample.middle_id)

    def datasette(query: str, **params: object) -> Call | None:
        return Call(peers.datasette_path(sqlite_path, query, **params)) if sqlite_path else None

    lists = {"max_queries": 2}
    workloads = [
        Workload(
            "list_first",
            f"nested list, first page ({PAGE})",
            {
                OURS: Call(f"/api/agreements/?page_size={PAGE}"),
                POSTGRAPHILE: Call("/graphql", peers.graphql_first_page(PAGE)),
                DATASETTE: datasette("list_first"),
                NAIVE: Call(f"/naive/agreements/?page_size={PAGE}"),
            },
            targets={PGBENCH: 0.45, POSTGRAPHILE: 2.5, DATASETTE: 2.5},
            **lists,
        ),
        Workload(
            "list_cursor",
            f"nested list, deep cursor page ({PAGE})",
            {
                OURS: Call(f"/api/agreements/?cursor={cursor}&page_size={PAGE}"),
                POSTGRAPHILE: Call("/graphql", peers.graphql_page_after(PAGE, sample.middle_id)),
                DATASETTE: datasette("list_after", after=sample.middle_id),
                NAIVE: Call(f"/naive/agreements/?cursor={cursor}&page_size={PAGE}"),
            },
            targets={PGBENCH: 0.45, POSTGRAPHILE: 2.5, DATASETTE: 2.5},
            **lists,
        ),
        Workload(
            "detail",
            "agreement detail",
            {
                OURS: Call(f"/api/agreements/{sample.middle_id}/"),
                POSTGRAPHILE: Call("/graphql", peers.graphql_detail(sample.middle_id)),
                DATASETTE: datasette("detail", id=sample.middle_id),
                NAIVE: Call(f"/naive/agreements/{sample.middle_id}/"),
            },
            max_queries=2,
        ),
        Workload(
            "pair_busy",
            f"pair summary, busy {a}-{b} ({sample.busy_pair[2]:,})",
            {OURS: Call(f"/api/reports/pairs/{a}-{b}/")},
            targets={PGBENCH: 0.95},
            max_queries=3,
        ),
        Workload(
            "pair_typical",
            f"pair summary, typical {c}-{d} ({sample.typical_pair[2]:,})",
            {OURS: Call(f"/api/reports/pairs/{c}-{d}/")},
            targets={PGBENCH: 0.6},
            max_queries=3,
        ),
        Workload(
            "search_common",
            f"search q={sample.common_term} ({PAGE})",
            {OURS: Call(f"/api/agreements/?q={sample.common_term}&page_size={PAGE}")},
            max_queries=2,
        ),
        Workload(
            "search_rare",
            f"search q={sample.rare_term} ({PAGE})",
            {OURS: Call(f"/api/agreements/?q={sample.rare_term}&page_size={PAGE}")},
            max_queries=2,
        ),
    ]
    for workload in workloads:
        workload.calls = {system: call for system, call in workload.calls.items() if call is not None}
    return workloads


def probe(workloads: Iterable[Workload]) -> None:
    """Run each request of ours and of the naive baseline once in process: count its queries
    and keep our SQL (with its parameters inlined) for pgbench."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for workload in workloads:
        for system, urlconf in ((OURS, None), (NAIVE, "bench.harness.naive.urls")):
            call = workload.calls.get(system)
            if call is None:
                continue
            urls = {"ROOT_URLCONF": urlconf} if urlconf else {}
            with override_settings(**urls), CaptureQueriesContext(connection) as captured:
                response = client.get(call.path)
                b"".join(response) if response.streaming else response.content
            if response.status_code != 200:
                raise RuntimeError(f"{system} {call.path} answered {response.status_code}")
            workload.queries[system] = len(captured.captured_queries)
            if system == OURS:
                workload.sql = [query["sql"] for query in captured.captured_queries]
        if workload.sql:
            workload.queries[PGBENCH] = len(workload.sql)
        if DATASETTE in workload.calls:
            workload.queries[DATASETTE] = 1  # a canned query is one SQL statement
