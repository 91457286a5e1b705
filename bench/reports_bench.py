"""Measure the reports at scale on PostgreSQL and print the figures issue 4 asks for.

    .venv/bin/python -m bench.reports_bench --generate     # [--agreements N] [--skip-panel]

Prepares database ``tracker_reports_bench`` (only names starting with ``tracker_reports``
are accepted; ``--database-url``) the way ``make bench`` prepares its own: created if
missing, migrated, filled by ``generate_synthetic_data`` with ``--agreements`` synthetic
agreements unless it already holds that many, then ``VACUUM (ANALYZE)``. ``--generate``
fills it again all the same, to time the generator. Everything runs with the servers'
production settings (``DEBUG`` off, throttling lifted):

* pair summary, busiest and a typical (median-sized) pair: throughput of the JSON
  endpoint (the whole Django + DRF request, in process) against the throughput of the
  report's own SQL statement run directly on the same psycopg connection;
* the full dyad-year CSV (every pair with agreements, 1945 to this year) from a fresh
  gunicorn server, read by curl: time to the first byte and in all, rows, bytes, and the
  worker's RSS before, every 100,000 rows and at its peak, to show that memory stays flat;
* partners of the busiest country and the pair network: time per JSON request to the
  same server;
* the plans' use of indexes (EXPLAIN) for each report's statements;
* the time ``generate_synthetic_data`` took, when it ran.

It prints figures and never asserts anything: it is a measurement, not a test. The
figures are also written as ``bench/results/reports-<time>.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics

from .harness import dataset
from .harness.common import WORK, argument_parser, say, shown, write_result
from .harness.export import stream_csv
from .harness.load import timed
from .harness.sample import choose_sample
from .harness.servers import Servers, configure_django, server_environment, start_gunicorn
from .harness.tracker_api import ApiClient

DATABASE_PREFIX = "tracker_reports"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_reports_bench"
PANEL_PATH = "/api/reports/dyad-years.csv?start_year=1945&end_year={end}"
HOST = "127.0.0.1"  # in process as well: the servers' ALLOWED_HOSTS


# --- Pair summary: the endpoint against its own SQL, in process ----------------------------


def compare_pair(client, a: str, b: str, iterations: int, rounds: int = 3) -> dict:
    from django.db import connection

    from agreements.reports.pair import pair_summary_query
    from agreements.reports.sql import Dialect, text_as_bytes

    today = datetime.date.today()
    sql, params = pair_summary_query(Dialect("postgresql"), a, b, today)
    url = f"/api/reports/pairs/{a}-{b}/"
    connection.ensure_connection()
    raw = connection.connection.cursor()  # psycopg itself: no Django in the way
    text_as_bytes(raw)  # fetch the document as the report does, without decoding it

    def direct() -> None:
        raw.execute(sql, params)
        raw.fetchone()

    def endpoint() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        len(response.content)

    for warm in (direct, endpoint):
        timed(warm, 3)
    # Alternate the two in rounds so that drift on a shared machine hits both alike.
    sql_times: list[float] = []
    json_times: list[float] = []
    for _ in range(rounds):
        sql_times += timed(direct, iterations)
        json_times += timed(endpoint, iterations)
    sql_rate, json_rate = len(sql_times) / sum(sql_times), len(json_times) / sum(json_times)
    return {
        "pair": f"{a}-{b}",
        "sql_per_s": sql_rate,
        "json_per_s": json_rate,
        "ratio": json_rate / sql_rate,
        "sql_median_ms": statistics.median(sql_times) * 1000,
        "json_median_ms": statistics.median(json_times) * 1000,
        "bytes": len(client.get(url).content),
    }


# --- Over HTTP, from our server under gunicorn -----------------------------------------------


def time_request(client: ApiClient, path: str, repeat: int) -> dict:
    """The median time of ``repeat`` requests for ``path`` on one keep-alive connection (after one
    to warm up), body read."""
    answers = [client.request("GET", path) for _ in range(repeat + 1)][1:]
    failed = [answer for answer in answers if answer.status != 200]
    if failed:
        raise RuntimeError(f"{path} answered {failed[0].status} {failed[0].error}: {failed[0].body[:300]!r}")
    return {
        "path": path,
        "median_ms": statistics.median(answer.seconds for answer in answers) * 1000,
        "bytes": len(answers[-1].body),
    }


# --- Plans ------------------------------------------------------------------------------------


def plan_summary(sql: str, params=None) -> str:
    """Which indexes the plan uses, and which tables it reads whole."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    indexes: dict[str, int] = {}
    scans: dict[str, int] = {}

    def walk(node: dict) -> None:
        if "Index Name" in node:
            key = f"{node['Index Name']} ({node['Node Type']})"
            indexes[key] = indexes.get(key, 0) + 1
        elif node["Node Type"] in ("Seq Scan", "Parallel Seq Scan"):
            scans[node["Relation Name"]] = scans.get(node["Relation Name"], 0) + 1
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan[0]["Plan"])
    used = ", ".join(sorted(indexes)) or "none"
    whole = ", ".join(sorted(scans)) or "none"
    return f"indexes: {used}\n      sequential scans: {whole}"


def report_plans(busy: tuple[str, str], country: str) -> list[tuple[str, str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements.reports import country_partners, dyad_year_panel, pair_network
    from agreements.reports.pair import pair_summary_query
    from agreements.reports.sql import Dialect

    plans = []
    sql, params = pair_summary_query(Dialect("postgresql"), *busy, datetime.date.today())
    plans.append((f"pair summary {busy[0]}-{busy[1]}", plan_summary(sql, params)))
    for label, run in (("partners", lambda: country_partners(country)), ("network", pair_network)):
        with CaptureQueriesContext(connection) as captured:
            run()
        for number, query in enumerate(captured.captured_queries, start=1):
            plans.append((f"{label} query {number}", plan_summary(query["sql"])))
    panel = dyad_year_panel(end_year=datetime.date.today().year)
    sql, params = panel.query()
    plans.append(("dyad-year panel", plan_summary(sql, params)))
    return plans


# --- Main -------------------------------------------------------------------------------------


def parse_arguments() -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"named {DATABASE_PREFIX}…")
    parser.add_argument("--agreements", type=int, default=250_000, help="synthetic agreements wanted")
    parser.add_argument(
        "--generate", action="store_true", help="delete and regenerate the synthetic data (timed) first"
    )
    parser.add_argument("--busy-iterations", type=int, default=20, help="per round, 3 rounds")
    parser.add_argument("--typical-iterations", type=int, default=300, help="per round, 3 rounds")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn processes serving the CSV")
    parser.add_argument("--skip-panel", action="store_true", help="do not stream the dyad-year CSV")
    return parser.parse_args()


def main() -> None:
    args = parse_arguments()
    env = server_environment(args.database_url, secret_key="bench-only-not-a-secret")
    prepared = dataset.prepare_postgres(
        args.database_url, args.agreements, env, prefix=DATABASE_PREFIX, regenerate=args.generate
    )
    configure_django(env)
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from agreements.models import Agreement

    client = Client(HTTP_HOST=HOST)
    sample = choose_sample()
    busy, typical = sample.busy_pair, sample.median_pair
    synthetic = dataset.synthetic_agreements(args.database_url)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    results: dict = {"settings": vars(args), "prepared": prepared, "postgresql": version}
    print(f"PostgreSQL {version}; {os.cpu_count()} cores")
    print(f"{sample.agreements:,} agreements ({synthetic:,} synthetic) in {sample.pairs:,} pairs")
    if prepared["generated_s"] is not None:
        print(
            f"generate_synthetic_data --agreements {args.agreements:,}: "
            f"{prepared['generated_s']:.1f} s (target ≤ 120 s)"
        )

    print("\nPair summary: JSON endpoint vs its own SQL run directly (throughput, median latency)")
    for label, (a, b, n), iterations, target in (
        ("busy", busy, args.busy_iterations, 0.95),
        ("typical", typical, args.typical_iterations, 0.6),
    ):
        r = compare_pair(client, a, b, iterations)
        results[f"pair_{label}"] = {**r, "agreements": n, "target": target}
        verdict = "meets" if r["ratio"] >= target else "MISSES"
        print(
            f"  {label:8} {r['pair']} ({n:,} agreements, {r['bytes'] / 1e6:.2f} MB): "
            f"SQL {r['sql_per_s']:.1f}/s ({r['sql_median_ms']:.1f} ms), "
            f"JSON {r['json_per_s']:.1f}/s ({r['json_median_ms']:.1f} ms) → {r['ratio']:.2f}× "
            f"({verdict} the ≥ {target}× target)"
        )

    country = Agreement.objects.values("party_a").annotate(n=Count("id")).order_by("-n")[0]["party_a"]
    year = datetime.date.today().year
    with Servers(WORK / "logs") as servers:
        say(f"\nStarting gunicorn ({args.workers} process(es)) for the CSV and the JSON reports")
        server = start_gunicorn(servers, "ours-reports", env, workers=args.workers)
        if not args.skip_panel:
            # First, on the fresh server: its workers' peak RSS is then the CSV's.
            r = results["panel"] = stream_csv(server, PANEL_PATH.format(end=year))
            verdict = "meets" if r["seconds"] <= 30 and r["rss_peak_mb"] < 200 else "MISSES"
            print(
                f"\nDyad-year CSV, all pairs 1945–{year}: {r['rows']:,} rows, "
                f"{r['bytes'] / 1e6:.1f} MB in {r['seconds']:.1f} s "
                f"(first byte after {r['first_byte_s']:.1f} s); "
                f"worker RSS {r['rss_before_mb']:.0f} MB before, peak {r['rss_peak_mb']:.0f} MB "
                f"({verdict} ≤ 30 s and < 200 MB)"
            )
            print(f"  RSS every 100,000 rows (MB): {r['rss_every_100k_rows_mb']}")

        print("\nOther reports (JSON over HTTP, median of 5)")
        api = ApiClient(server.url)
        results["json"] = {}
        for label, path in (
            (f"partners of {country}", f"/api/reports/countries/{country}/"),
            ("pair network", "/api/reports/network/"),
            ("pair network, one category", "/api/reports/network/?category=defence-cooperation"),
        ):
            r = results["json"][label] = time_request(api, path, 5)
            print(f"  {label:28} {r['median_ms']:8.1f} ms  ({r['bytes'] / 1e6:.2f} MB)")
        api.close()

    print("\nPlans (EXPLAIN)")
    results["plans"] = report_plans((busy[0], busy[1]), country)
    for label, summary in results["plans"]:
        print(f"  {label}\n      {summary}")
    print(f"\nWritten to {shown(write_result('reports', results))}")


if __name__ == "__main__":
    main()
