"""``python -m bench.run --database sqlite``: every workload of ours on the product's default
database, SQLite, beside the same workload on PostgreSQL at the same size (issue 20).

1. **Data**: the PostgreSQL database as ``bench.run`` prepares it (``tracker_bench…``), and
   the SQLite file beside it (``bench/.data/<name>.sqlite3``) filled the way a user fills the
   file of ``make run``: ``migrate``, then ``generate_synthetic_data`` (timed), which refreshes
   the planner's statistics itself; nothing here analyses it. Same generator, same seed: the
   same agreements, and the sample (busy pair, middle agreement, …) is chosen on each.
2. **Servers**: our server under gunicorn with the product's settings twice, one per database.
3. **Each workload**: the API's and the reports' requests. First one request (the first of
   its kind on that server: cold caches, a new connection), then, in rounds that alternate
   the engines, the median of sequential requests on one keep-alive connection (the time a
   user waits, which the targets are about) and requests/s under ``wrk``.
4. **Exports**: the full CSV export and the dyad-year CSV (1945 to this year), each from a
   fresh server of each engine: time, first byte, rows, and the workers' resident memory
   every 100,000 rows and at its peak (flat: it streams).

Targets: every workload on SQLite within 3× its PostgreSQL time and under 1 s; the exports'
times are stated, and their memory must stay flat.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import dataset, sqlite
from .common import WORK, say, shown, write_result
from .export import stream_csv
from .load import Measurement, Request, settle, wrk
from .sample import Sample, busiest_country, choose_sample
from .servers import Server, Servers, configure_django, server_environment, start_gunicorn
from .tracker_api import ApiClient
from .workloads import PAGE, drf_cursor

ENGINES = (sqlite.POSTGRESQL, sqlite.SQLITE)
MAX_RATIO, MAX_SECONDS = 3.0, 1.0
EXPORT = "/api/agreements/export.csv"
PANEL = "/api/reports/dyad-years.csv?start_year=1945&end_year={end}"
SECRET = "bench-only-not-a-secret"


@dataclass
class Workload:
    key: str
    label: str
    paths: dict[str, str]  # engine -> path (each engine's own sample)


@dataclass
class Cell:
    """One workload on one engine."""

    first_ms: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    load: list[Measurement] = field(default_factory=list)
    bytes: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def requests_per_second(self) -> float | None:
        return statistics.fmean(m.requests_per_second for m in self.load) if self.load else None


def define(samples: dict[str, Sample], countries: dict[str, str]) -> list[Workload]:
    """The workloads of ``bench.run`` (ours) and of the reports, each engine on its own sample."""

    def each(path) -> dict[str, str]:
        return {engine: path(samples[engine], countries[engine]) for engine in ENGINES}

    pg = samples[sqlite.POSTGRESQL]
    busy, typical = pg.busy_pair, pg.typical_pair
    return [
        Workload(
            "list_first",
            f"list, first page ({PAGE})",
            each(lambda s, c: f"/api/agreements/?page_size={PAGE}"),
        ),
        Workload(
            "list_cursor",
            f"list, deep cursor page ({PAGE})",
            each(lambda s, c: f"/api/agreements/?cursor={drf_cursor(s.middle_id)}&page_size={PAGE}"),
        ),
        Workload("detail", "agreement detail", each(lambda s, c: f"/api/agreements/{s.middle_id}/")),
        Workload(
            "pair_busy",
            f"pair report, busy {busy[0]}-{busy[1]} ({busy[2]:,})",
            each(lambda s, c: f"/api/reports/pairs/{s.busy_pair[0]}-{s.busy_pair[1]}/"),
        ),
        Workload(
            "pair_typical",
            f"pair report, typical {typical[0]}-{typical[1]} ({typical[2]:,})",
            each(lambda s, c: f"/api/reports/pairs/{s.typical_pair[0]}-{s.typical_pair[1]}/"),
        ),
        Workload(
            "search_common",
            f"search q={pg.common_term} ({PAGE})",
            each(lambda s, c: f"/api/agreements/?q={s.common_term}&page_size={PAGE}"),
        ),
        Workload(
            "search_rare",
            f"search q=<one title's number> ({PAGE})",
            each(lambda s, c: f"/api/agreements/?q={s.rare_term}&page_size={PAGE}"),
        ),
        Workload(
            "partners",
            f"partners report, busiest country {countries[sqlite.POSTGRESQL]}",
            each(lambda s, c: f"/api/reports/countries/{c}/"),
        ),
        Workload("network", "network report", each(lambda s, c: "/api/reports/network/")),
        Workload(
            "network_category",
            "network report, one category",
            each(lambda s, c: "/api/reports/network/?category=defence-cooperation"),
        ),
    ]


def sequential(base_url: str, path: str, *, requests: int, budget_s: float) -> list[float]:
    """Milliseconds of up to ``requests`` requests one after the other on one keep-alive
    connection (at least 3; no more once ``budget_s`` has passed), body read."""
    client = ApiClient(base_url)
    times: list[float] = []
    deadline = time.monotonic() + budget_s
    try:
        while len(times) < requests and (len(times) < 3 or time.monotonic() < deadline):
            answer = client.request("GET", path)
            if answer.status != 200:
                raise RuntimeError(f"{path} answered {answer.status} {answer.error}: {answer.body[:300]!r}")
            times.append(answer.seconds * 1000)
    finally:
        client.close()
    return times


def comparable(body: bytes) -> object:
    """The JSON answer without what differs between two databases filled at different times,
    and with the pages' links to the next and previous pages without their server's port."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {
                k: urlsplit(v)._replace(netloc="").geturl() if k in ("next", "previous") and v else strip(v)
                for k, v in value.items()
                if k not in ("created_at", "updated_at")
            }
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return strip(json.loads(body))


def cpu_ticks(pids: list[int]) -> int:
    """User and system time the processes have used so far, in clock ticks."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def quiet(servers: dict[str, Server], urls: dict[str, str], timeout_s: float = 120) -> None:
    """Wait until no server is still working on the last run's requests (requests cut off
    when wrk stops go on in the server, and on SQLite the queries run inside its workers):
    PostgreSQL runs no query of ours and the workers use no CPU for half a second."""
    settle(urls[sqlite.POSTGRESQL])
    pids = [pid for server in servers.values() for pid in server.children()]
    deadline = time.monotonic() + timeout_s
    last, still_since = cpu_ticks(pids), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - still_since < 0.5:
        time.sleep(0.1)
        now = cpu_ticks(pids)
        if now - last > 1:  # a tick or two is the workers' own housekeeping
            still_since = time.monotonic()
        last = now


def measure(
    workloads: list[Workload], servers: dict[str, Server], urls: dict[str, str], args: argparse.Namespace
) -> tuple[dict[str, dict[str, Cell]], dict[str, bool]]:
    cells: dict[str, dict[str, Cell]] = {}
    same: dict[str, bool] = {}
    for workload in workloads:
        row = cells[workload.key] = {engine: Cell() for engine in ENGINES}
        bodies = {}
        for engine in ENGINES:
            answer = ApiClient(servers[engine].url).request("GET", workload.paths[engine])
            if answer.status != 200:
                raise RuntimeError(f"{engine} {workload.paths[engine]} answered {answer.status}")
            row[engine].first_ms, row[engine].bytes = answer.seconds * 1000, len(answer.body)
            bodies[engine] = answer.body
        same[workload.key] = comparable(bodies[sqlite.POSTGRESQL]) == comparable(bodies[sqlite.SQLITE])
        for round_number in range(1, args.rounds + 1):
            order = ENGINES if round_number % 2 else tuple(reversed(ENGINES))
            for engine in order:
                quiet(servers, urls)
                row[engine].latencies_ms += sequential(
                    servers[engine].url,
                    workload.paths[engine],
                    requests=args.latency_requests,
                    budget_s=args.latency_seconds,
                )
            # Under load only what is meant to be asked often: a report of a second, eight at
            # a time on two cores, would not finish a request within wrk's run.
            if max(row[engine].median_ms for engine in ENGINES) <= args.load_max_ms:
                for engine in order:
                    quiet(servers, urls)
                    row[engine].load.append(
                        wrk(
                            Request(servers[engine].url + workload.paths[engine]),
                            seconds=args.seconds,
                            connections=args.connections,
                        )
                    )
            say(
                f"  round {round_number}  {workload.label:48} "
                + "  ".join(
                    f"{engine} {row[engine].median_ms:8.1f} ms "
                    + (f"{row[engine].requests_per_second:7.1f}/s" if row[engine].load else "")
                    for engine in ENGINES
                )
            )
    return cells, same


def exports(servers: Servers, env: dict[str, dict[str, str]], args: argparse.Namespace) -> dict:
    """Each CSV from a fresh server of each engine, so that its workers' peak is the CSV's."""
    measured: dict = {}
    paths = {"export": EXPORT, "panel": PANEL.format(end=datetime.date.today().year)}
    for key, path in paths.items():
        for engine in ENGINES:
            server = start_gunicorn(servers, f"ours-{engine}-{key}", env[engine], workers=args.workers)
            try:
                measured.setdefault(key, {})[engine] = stream_csv(server, path)
            finally:
                servers.stop(server)
            r = measured[key][engine]
            say(
                f"  {key:7} {engine:10} {r['seconds']:6.1f} s  {r['rows']:,} rows  "
                f"peak {r['rss_peak_mb']:.0f} MB"
            )
    return measured


def verdict(pg: Cell, lite: Cell) -> tuple[float, bool]:
    ratio = lite.median_ms / pg.median_ms
    return ratio, ratio <= MAX_RATIO and lite.median_ms < MAX_SECONDS * 1000


def format_table(workloads: list[Workload], cells: dict[str, dict[str, Cell]], same: dict[str, bool]) -> str:
    header = (
        f"{'workload':46} {'PG ms':>8} {'SQLite ms':>9} {'SQLite÷PG':>9}  {'PG req/s':>8} {'SQLite/s':>8} "
        f"{'÷ (load)':>8}  {'first PG/SQLite ms':>18}  {'target':9} same answer"
    )
    lines = [header, "-" * len(header)]
    for workload in workloads:
        pg, lite = cells[workload.key][sqlite.POSTGRESQL], cells[workload.key][sqlite.SQLITE]
        ratio, met = verdict(pg, lite)
        if pg.requests_per_second and lite.requests_per_second:
            load = (
                f"{pg.requests_per_second:8.1f} {lite.requests_per_second:8.1f} "
                f"{pg.requests_per_second / lite.requests_per_second:7.2f}×"
            )
        else:
            load = f"{'—':>8} {'—':>8} {'—':>8}"
        lines.append(
            f"{workload.label:46} {pg.median_ms:8.1f} {lite.median_ms:9.1f} {ratio:8.2f}×  {load}  "
            f"{pg.first_ms:8.0f} / {lite.first_ms:7.0f}  {'met' if met else 'MISSED':9} "
            f"{'yes' if same[workload.key] else 'no'}"
        )
    return "\n".join(lines)


def format_exports(measured: dict) -> str:
    lines = []
    for key, label in (
        ("export", "CSV export of all agreements"),
        ("panel", "Dyad-year CSV, 1945 to this year"),
    ):
        pg, lite = measured[key][sqlite.POSTGRESQL], measured[key][sqlite.SQLITE]
        lines.append(
            f"{label}: {lite['rows']:,} rows, {lite['bytes'] / 1e6:.1f} MB (PostgreSQL: {pg['rows']:,} rows)"
        )
        for engine, r in ((sqlite.POSTGRESQL, pg), (sqlite.SQLITE, lite)):
            lines.append(
                f"  {engine:10} {r['seconds']:6.1f} s (first byte {r['first_byte_s']:.2f} s); worker RSS "
                f"{r['rss_before_mb']:.0f} MB before, peak {r['rss_peak_mb']:.0f} MB; "
                f"every 100,000 rows: {r['rss_every_100k_rows_mb']}"
            )
        lines.append(f"  SQLite ÷ PostgreSQL: {lite['seconds'] / pg['seconds']:.2f}×")
    return "\n".join(lines)


def add_sqlite_connection(alias: str, database_url: str) -> None:
    """A second database in this process, with the settings the product gives a SQLite URL."""
    import environ
    from django.db import connections

    from tracker.sqlite import server_settings

    entry = server_settings(environ.Env.db_url_config(database_url))
    connections.settings[alias] = connections.configure_settings({"default": {}, alias: entry})[alias]


def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    urls = {sqlite.POSTGRESQL: args.database_url, sqlite.SQLITE: sqlite.sqlite_url(args.database_url)}
    env = {engine: server_environment(url, secret_key=SECRET) for engine, url in urls.items()}
    prepared = {
        sqlite.POSTGRESQL: dataset.prepare_postgres(
            urls[sqlite.POSTGRESQL], args.agreements, env[sqlite.POSTGRESQL]
        ),
        sqlite.SQLITE: sqlite.prepare_sqlite(
            urls[sqlite.SQLITE], args.agreements, env[sqlite.SQLITE], prefix=dataset.DATABASE_PREFIX
        ),
    }
    configure_django(env[sqlite.POSTGRESQL])
    add_sqlite_connection(sqlite.SQLITE, urls[sqlite.SQLITE])
    aliases = {sqlite.POSTGRESQL: "default", sqlite.SQLITE: sqlite.SQLITE}
    samples = {engine: choose_sample(alias) for engine, alias in aliases.items()}
    countries = {engine: busiest_country(alias)[0] for engine, alias in aliases.items()}
    if samples[sqlite.POSTGRESQL] != samples[sqlite.SQLITE] or len(set(countries.values())) != 1:
        say("NOTE: the two databases hold different samples; each engine is asked about its own")
    workloads = [w for w in define(samples, countries) if not args.only or w.key in args.only]

    with Servers(WORK / "logs") as servers:
        say(f"Starting gunicorn on each database ({args.workers}×{args.threads} gthread)")
        running = {
            engine: start_gunicorn(
                servers, f"ours-{engine}", env[engine], workers=args.workers, threads=args.threads
            )
            for engine in ENGINES
        }
        say(
            f"Measuring: {args.rounds} rounds × (up to {args.latency_requests} sequential requests, "
            f"then wrk {args.seconds:g} s × {args.connections} connections)"
        )
        cells, same = measure(workloads, running, urls, args)
        for server in list(running.values()):
            servers.stop(server)
        measured = None
        if not args.only or "export" in args.only:
            say("The two CSVs from fresh servers")
            measured = exports(servers, env, args)

    elapsed = time.perf_counter() - started
    agreements = samples[sqlite.POSTGRESQL].agreements
    path = write_result(
        "engines",
        {
            "agreements": agreements,
            "settings": vars(args),
            "prepared": prepared,
            "samples": {engine: asdict(sample) for engine, sample in samples.items()},
            "countries": countries,
            "workloads": [
                {
                    "key": w.key,
                    "label": w.label,
                    "paths": w.paths,
                    "same_answer": same[w.key],
                    **{
                        engine: {**asdict(cells[w.key][engine]), "median_ms": cells[w.key][engine].median_ms}
                        for engine in ENGINES
                    },
                }
                for w in workloads
            ],
            "exports": measured,
            "elapsed_s": elapsed,
        },
    )
    print(
        f"\n{agreements:,} agreements; SQLite beside PostgreSQL, our server under gunicorn "
        f"{args.workers}×{args.threads} gthread on each; medians of sequential requests, then wrk at "
        f"{args.connections} connections; {args.rounds} rounds; {os.cpu_count()} cores"
    )
    for engine in ENGINES:
        generated = prepared[engine]["generated_s"]
        if generated is not None:
            print(f"generate_synthetic_data --agreements {args.agreements:,} on {engine}: {generated:.0f} s")
    size = sqlite.path_of(urls[sqlite.SQLITE]).stat().st_size
    print(f"SQLite file {shown(sqlite.path_of(urls[sqlite.SQLITE]))}: {size / 1e6:,.0f} MB\n")
    print(format_table(workloads, cells, same))
    print(f"\ntarget: SQLite within {MAX_RATIO:g}× its PostgreSQL time and under {MAX_SECONDS:g} s (median)")
    if measured:
        print("\n" + format_exports(measured))
    print(f"\nWhole run {elapsed / 60:.1f} min; written to {shown(path)}")
