"""Measure the reports at scale on PostgreSQL and print the figures issue 4 asks for.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_reports_bench \\
        .venv/bin/python -m bench.reports_bench --generate

* pair summary, busiest and a typical (median-sized) pair: throughput of the JSON
  endpoint (the whole Django + DRF request, in process) against the throughput of the
  report's own SQL statement run directly on the same psycopg connection;
* partners of the busiest country and the pair network: time per JSON request;
* the full dyad-year CSV (every pair with agreements, 1945 to this year), streamed in a
  child process: time, rows, bytes, RSS before and at the peak, and RSS sampled while
  streaming, to show that memory stays flat;
* the plans' use of indexes (EXPLAIN) for each report's statements;
* with ``--generate``: the time ``generate_synthetic_data`` takes to (re)fill the database.

It prints figures and never asserts anything: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PANEL_URL = "/api/reports/dyad-years.csv?start_year=1945&end_year={end}"


def configure_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["DEBUG"] = "false"  # production settings: no query log in memory
    # Where the API throttles anonymous clients, a benchmark would measure 429s instead.
    os.environ.setdefault("THROTTLE_ANON", "1000000/minute")
    os.environ.setdefault("THROTTLE_USER", "1000000/minute")


def setup_django() -> None:
    configure_environment()
    import django

    django.setup()


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    # VmHWM belongs to this program's memory; ru_maxrss would carry over the high-water
    # mark of the (larger) parent process this child was forked from.
    return _status_mb("VmHWM")


# --- Pair summary: the endpoint against its own SQL ----------------------------------------


def throughput(run: Callable[[], object], iterations: int) -> tuple[float, list[float]]:
    """(requests per second, per-request seconds) over ``iterations`` runs."""
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return iterations / sum(times), times


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
        assert response.status_code == 200, response.content[:300]
        len(response.content)

    for warm in (direct, endpoint):
        for _ in range(3):
            warm()
    # Alternate the two in rounds so that drift on a shared machine hits both alike.
    sql_times: list[float] = []
    json_times: list[float] = []
    for _ in range(rounds):
        sql_times += throughput(direct, iterations)[1]
        json_times += throughput(endpoint, iterations)[1]
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


def time_request(client, url: str, repeat: int) -> dict:
    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, body[:300]
    return {"url": url, "median_ms": statistics.median(times) * 1000, "bytes": len(body)}


# --- The dyad-year CSV, in a process of its own ----------------------------------------------


def panel_child() -> None:
    """Stream the full panel CSV and report time and memory as JSON on stdout."""
    setup_django()
    from django.test import Client

    client = Client()
    before = rss_mb()
    samples = []
    started = time.perf_counter()
    response = client.get(PANEL_URL.format(end=datetime.date.today().year))
    first_byte = None
    size = lines = 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
        if len(samples) < lines // 100_000:
            samples.append(round(rss_mb(), 1))
    elapsed = time.perf_counter() - started
    response.close()
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "first_byte_s": first_byte,
                "rows": lines - 1,
                "bytes": size,
                "rss_before_mb": before,
                "rss_peak_mb": peak_rss_mb(),
                "rss_every_100k_rows_mb": samples,
            }
        )
    )


def run_panel() -> dict:
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-m", "bench.reports_bench", "--panel-child"],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


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


def generate(count: int) -> float:
    manage = [sys.executable, str(ROOT / "manage.py"), "generate_synthetic_data"]
    subprocess.run([*manage, "--delete"], check=True, env=os.environ)
    started = time.perf_counter()
    subprocess.run([*manage, "--agreements", str(count)], check=True, env=os.environ)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--generate", action="store_true", help="Delete and regenerate the synthetic data first."
    )
    parser.add_argument("--agreements", type=int, default=250_000)
    parser.add_argument("--busy-iterations", type=int, default=20, help="Per round, 3 rounds.")
    parser.add_argument("--typical-iterations", type=int, default=300, help="Per round, 3 rounds.")
    parser.add_argument("--skip-panel", action="store_true")
    parser.add_argument("--panel-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    configure_environment()
    if args.panel_child:
        panel_child()
        return

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (its name starting with tracker_reports).")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"], check=True)
    generated = generate(args.agreements) if args.generate else None
    setup_django()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from agreements.models import Agreement

    client = Client()
    total = Agreement.objects.count()
    synthetic = Agreement.objects.filter(is_synthetic=True).count()
    sizes = list(
        Agreement.objects.order_by()
        .values_list("party_a", "party_b")
        .annotate(n=Count("id"))
        .order_by("-n", "party_a", "party_b")
    )
    busy, typical = sizes[0], sizes[len(sizes) // 2]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"PostgreSQL {version}; {os.cpu_count()} cores")
    print(f"{total:,} agreements ({synthetic:,} synthetic) in {len(sizes):,} pairs")
    if generated is not None:
        print(f"generate_synthetic_data --agreements {args.agreements:,}: {generated:.1f} s (target ≤ 120 s)")

    print("\nPair summary: JSON endpoint vs its own SQL run directly (throughput, median latency)")
    for label, (a, b, n), iterations, target in (
        ("busy", busy, args.busy_iterations, 0.95),
        ("typical", typical, args.typical_iterations, 0.6),
    ):
        r = compare_pair(client, a, b, iterations)
        verdict = "meets" if r["ratio"] >= target else "MISSES"
        print(
            f"  {label:8} {r['pair']} ({n:,} agreements, {r['bytes'] / 1e6:.2f} MB): "
            f"SQL {r['sql_per_s']:.1f}/s ({r['sql_median_ms']:.1f} ms), "
            f"JSON {r['json_per_s']:.1f}/s ({r['json_median_ms']:.1f} ms) → {r['ratio']:.2f}× "
            f"({verdict} the ≥ {target}× target)"
        )

    country = Agreement.objects.values("party_a").annotate(n=Count("id")).order_by("-n")[0]["party_a"]
    print("\nOther reports (JSON, median of 5)")
    for label, url in (
        (f"partners of {country}", f"/api/reports/countries/{country}/"),
        ("pair network", "/api/reports/network/"),
        ("pair network, one category", "/api/reports/network/?category=defence-cooperation"),
    ):
        r = time_request(client, url, 5)
        print(f"  {label:28} {r['median_ms']:8.1f} ms  ({r['bytes'] / 1e6:.2f} MB)")

    if not args.skip_panel:
        r = run_panel()
        verdict = "meets" if r["seconds"] <= 30 and r["rss_peak_mb"] < 200 else "MISSES"
        print(
            f"\nDyad-year CSV, all pairs 1945–{datetime.date.today().year}: {r['rows']:,} rows, "
            f"{r['bytes'] / 1e6:.1f} MB in {r['seconds']:.1f} s "
            f"(first byte after {r['first_byte_s']:.1f} s); "
            f"RSS {r['rss_before_mb']:.0f} MB before, peak {r['rss_peak_mb']:.0f} MB "
            f"({verdict} ≤ 30 s and < 200 MB)"
        )
        print(f"  RSS every 100,000 rows (MB): {r['rss_every_100k_rows_mb']}")

    print("\nPlans (EXPLAIN)")
    for label, summary in report_plans((busy[0], busy[1]), country):
        print(f"  {label}\n      {summary}")


if __name__ == "__main__":
    main()
