"""The benchmark harness of issue 6: our API beside its peers and the database's limit.

    make bench                       # or: .venv/bin/python -m bench.run [--agreements N]
    make bench BENCH_ARGS="--database sqlite"   # ours on SQLite beside ours on PostgreSQL

1. Prepares PostgreSQL database ``tracker_bench`` with the synthetic dataset (250,000
   agreements) unless it already holds it, and a SQLite copy of the same rows.
2. Starts, on loopback ports the kernel picks: our server under gunicorn with
   production-like settings; the naive DRF baseline (``bench/harness/naive``) the same
   way; PostGraphile v4 on the same database; Datasette on the SQLite copy.
3. Drives every workload on every system that can answer it with wrk (8 connections,
   a bounded time, two rounds interleaved), and runs our server's SQL for each with
   pgbench, the physical limit; then times the full CSV export against COPY.
4. Prints one table (workload × system → requests/s, p50, p99, queries per request,
   our throughput ÷ theirs, the issue's target) and writes it as JSON under
   ``bench/results/``.

With ``--database sqlite`` it compares instead our server on the product's default
database, a SQLite file filled by the product's commands, with our server on PostgreSQL,
for every workload here and every report (``bench/harness/engines.py``, issue 20).

Absolute figures drift ±20 % between runs on a 2-core machine shared with others;
ratios within one run are what the targets are about. Every server is stopped by PID
at the end, whatever happens. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.request

from .harness import dataset, engines, peers, prerequisites, report
from .harness.common import ROOT, WORK, argument_parser, say, shown, write_result
from .harness.export import measure_export
from .harness.load import Measurement, Request, pgbench, settle, wrk
from .harness.sample import choose_sample
from .harness.servers import Server, Servers, configure_django, server_environment, start_gunicorn
from .harness.workloads import DATASETTE, NAIVE, OURS, PGBENCH, POSTGRAPHILE, Workload, define, probe

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"
EXPORT_PATH = "/api/agreements/export.csv"


def start_server(servers: Servers, name: str, env: dict[str, str], args: argparse.Namespace) -> Server:
    """Ours (or the naive baseline, ``bench.harness.naive``) at the bench's size."""
    return start_gunicorn(servers, name, env, workers=args.workers, threads=args.threads)


def check(system: str, request: Request) -> int:
    """One request before the load: it must succeed and carry no GraphQL errors. Its size."""
    data = json.dumps(request.body).encode() if request.body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    with urllib.request.urlopen(urllib.request.Request(request.url, data, headers), timeout=120) as answer:
        body = answer.read()
    if system == POSTGRAPHILE and b'"errors"' in body[:200]:
        raise RuntimeError(f"PostGraphile refused the query: {body[:500]!r}")
    return len(body)


def count_postgraphile_queries(servers: Servers, database_url: str, workloads: list[Workload]) -> None:
    """Start PostGraphile once with its SQL debug log and count the statements per request."""
    server = peers.start_postgraphile(servers, database_url, workers=1, log_queries=True)
    try:
        for workload in workloads:
            call = workload.calls.get(POSTGRAPHILE)
            if call is None:
                continue
            before = server.log.read_text(errors="replace")
            check(POSTGRAPHILE, call.on(server.url))
            time.sleep(0.3)  # the log is written asynchronously
            after = server.log.read_text(errors="replace")[len(before) :]
            workload.queries[POSTGRAPHILE] = after.count(" postgraphile:postgres ")
    finally:
        servers.stop(server)


def measure(
    workloads: list[Workload],
    urls: dict[str, str],
    database_url: str,
    args: argparse.Namespace,
) -> report.Results:
    """Each workload on each system, in rounds that alternate the order (A B C, C B A, …)
    so that a machine getting slower or faster during a workload weighs on all systems alike."""
    results: report.Results = {}
    for workload in workloads:
        systems = [system for system in workload.systems if system == PGBENCH or system in urls]
        for system in systems:  # warm up: caches, Node's JIT, persistent connections
            if system != PGBENCH:
                wrk(workload.calls[system].on(urls[system]), seconds=1, connections=args.connections)
        for round_number in range(1, args.rounds + 1):
            for system in systems if round_number % 2 else reversed(systems):
                settle(database_url)
                if system == PGBENCH:
                    measured: Measurement = pgbench(
                        database_url, workload.sql, seconds=args.seconds, connections=args.connections
                    )
                else:
                    measured = wrk(
                        workload.calls[system].on(urls[system]),
                        seconds=args.seconds,
                        connections=args.connections,
                    )
                results.setdefault(workload.key, {}).setdefault(system, []).append(measured)
                say(
                    f"  round {round_number}  {workload.label:44} {system:13} "
                    f"{measured.requests_per_second:8.1f}/s  p50 {measured.p50_ms:7.2f} ms"
                )
    return results


def export_probe() -> tuple[int, str] | None:
    """Our export's queries per request and its COPY statement, from one in-process request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = Client(HTTP_HOST="127.0.0.1").get(EXPORT_PATH)
        if response.status_code == 404:
            return None
        for _ in response.streaming_content:
            pass
    statements = [query["sql"] for query in captured.captured_queries]
    copy = [sql for sql in statements if sql.lstrip().upper().startswith("COPY")]
    if response.status_code != 200 or len(copy) != 1:
        raise RuntimeError(f"{EXPORT_PATH}: {response.status_code}, statements {statements}")
    return len(statements), copy[0]


def parse_arguments() -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument("--agreements", type=int, default=250_000, help="synthetic agreements wanted")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="named tracker_bench…")
    parser.add_argument("--seconds", type=float, default=8, help="per wrk or pgbench run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per process")
    parser.add_argument("--postgraphile-workers", type=int, default=2, help="PostGraphile --cluster-workers")
    parser.add_argument("--export-rounds", type=int, default=3)
    parser.add_argument("--no-datasette", action="store_true", help="skip the SQLite copy and Datasette")
    parser.add_argument("--only", nargs="*", help="workload keys to run (default: all)")
    parser.add_argument(
        "--database",
        choices=("postgresql", "sqlite"),
        default="postgresql",
        help="sqlite: ours on SQLite beside ours on PostgreSQL (no peers), every API and report workload",
    )
    parser.add_argument(
        "--latency-requests", type=int, default=10, help="--database sqlite: sequential requests a round"
    )
    parser.add_argument(
        "--latency-seconds", type=float, default=5, help="--database sqlite: at most, a round (3 requests)"
    )
    parser.add_argument(
        "--load-max-ms",
        type=float,
        default=250,
        help="--database sqlite: wrk only for workloads whose median time is at most this",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_arguments()
    if args.database == "sqlite":
        prerequisites.require(prerequisites.BENCH_SQLITE)
        engines.main(args)
        return
    prerequisites.require(prerequisites.BENCH_POSTGRES)
    started = time.perf_counter()
    env = server_environment(args.database_url, secret_key="bench-only-not-a-secret")
    prepared = dataset.prepare_postgres(args.database_url, args.agreements, env)
    peers.install()
    sqlite_path = None
    if not args.no_datasette:
        sqlite_path = ROOT / "bench" / ".data" / f"{dataset.database_name(args.database_url)}.sqlite3"
        prepared["sqlite"] = dataset.sqlite_copy(args.database_url, sqlite_path, env)

    configure_django(env)
    from agreements.reports.documents import agreement_document_sql
    from agreements.reports.sql import SQLITE

    sample = choose_sample()
    workloads = [w for w in define(sample, sqlite_path) if not args.only or w.key in args.only]
    say(f"Probing queries per request ({sample.agreements:,} agreements)")
    probe(workloads)
    exported = export_probe() if not args.only or "export" in args.only else None

    with Servers(WORK / "logs") as servers:
        count_postgraphile_queries(servers, args.database_url, workloads)
        say("Starting the servers")
        running = {
            OURS: start_server(servers, "ours", env, args),
            NAIVE: start_server(
                servers, "naive", {**env, "DJANGO_SETTINGS_MODULE": "bench.harness.naive.settings"}, args
            ),
            POSTGRAPHILE: peers.start_postgraphile(
                servers, args.database_url, workers=args.postgraphile_workers
            ),
        }
        if sqlite_path:
            document = agreement_document_sql(SQLITE).replace("%%", "%")
            running[DATASETTE] = peers.start_datasette(servers, sqlite_path, document, WORK)
        urls = {system: server.url for system, server in running.items()}
        say("Checking every request once (and warming up)")
        sizes = {}
        for workload in workloads:
            for system, call in workload.calls.items():
                sizes[f"{workload.key}/{system}"] = check(system, call.on(urls[system]))
        say(f"Measuring: {args.rounds} rounds × {args.seconds:g} s × {args.connections} connections")
        results = measure(workloads, urls, args.database_url, args)
        export = None
        if exported:
            say("Timing the CSV export against COPY")
            # A fresh server of ours, so that its peak RSS is the export's and no earlier request's.
            for system in (NAIVE, POSTGRAPHILE, DATASETTE, OURS):
                if system in running:
                    servers.stop(running.pop(system))
            fresh = start_server(servers, "ours-export", env, args)
            queries, copy_sql = exported
            export = measure_export(
                fresh, EXPORT_PATH, copy_sql, args.database_url, rounds=args.export_rounds, queries=queries
            )
            export["rows"] = sample.agreements

    table = report.rows(workloads, results)
    elapsed = time.perf_counter() - started
    print(
        f"\n{sample.agreements:,} agreements on PostgreSQL; "
        f"wrk and pgbench at {args.connections} connections, "
        f"{args.rounds} rounds × {args.seconds:g} s; gunicorn {args.workers}×{args.threads} gthread, "
        f"PostGraphile {args.postgraphile_workers} cluster workers, Datasette 1 process; "
        f"{os.cpu_count()} cores\n"
    )
    print(report.format_table(table))
    if export:
        print("\n" + report.format_export(export))
    elif not args.only or "export" in args.only:
        print(f"\nCSV export: {EXPORT_PATH} does not exist here; not measured.")
    path = write_result(
        "bench",
        {
            "agreements": sample.agreements,
            "sample": sample.__dict__,
            "settings": vars(args),
            "prepared": prepared,
            "response_bytes": sizes,
            "table": table,
            "export": export,
            "elapsed_s": elapsed,
        },
    )
    print(f"\nWhole run {elapsed / 60:.1f} min; written to {shown(path)}")


if __name__ == "__main__":
    main()
