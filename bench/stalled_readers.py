"""Stalled readers (issue 16): clients that ask for the largest dyad-year panel an anonymous
client may have and read only its status line. Are other requests still answered?

    .venv/bin/python -m bench.stalled_readers              # --readers 16 --workers 2 --threads 8
    .venv/bin/python -m bench.stalled_readers --without-bounds   # as before issue 16

Prepares PostgreSQL database ``tracker_stall`` (only names starting with ``tracker_stall``
are accepted): created if missing and migrated; the panels of every pair of states need no
agreements, only the countries. Starts our server under gunicorn with ``gunicorn.conf.py``
in production settings, rate limits off (the worst case: every reader a different client).
Then

1. opens ``--readers`` connections, each asking for every pair of states over as many years
   as ``PANEL_ANONYMOUS_MAX_ROWS`` allows, with a small receive window, and reads at most
   the status line;
2. for ``--probe-seconds``, sends ordinary requests one after the other (a country, the
   network report, a page of agreements) with a 5 s timeout each, and records each answer
   and its time;
3. prints the readers' statuses and the probes: answered, timed out, p50, p95 and max.

``--without-bounds`` lifts the stream slots and the stall bound (``STREAMS_PER_PROCESS``
1000, ``CLIENT_STALL_SECONDS`` a day) to show what the readers did before. It prints figures
and asserts nothing; ``tests/test_stalled_readers.py`` is the small version that does.
The figures also go to ``bench/results/stalled-readers-<time>.json``.
"""

from __future__ import annotations

import secrets
import socket
import statistics
import time
from urllib.parse import urlsplit

import psycopg
import requests

from .harness import dataset
from .harness.common import WORK, argument_parser, say, shown, write_result
from .harness.servers import Servers, exit_on_sigterm, server_environment, start_gunicorn

DATABASE_PREFIX = "tracker_stall"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_stall"
PANEL_CAP = 500_000  # the product's PANEL_ANONYMOUS_MAX_ROWS
PROBES = ["/api/countries/IR/", "/api/reports/network/", "/api/agreements/?page_size=5"]


def largest_allowed_panel(database_url: str) -> tuple[str, int]:
    """The URL of the largest anonymous panel (every pair of states), and its rows."""
    with psycopg.connect(database_url) as connection:
        countries = connection.execute("SELECT COUNT(*) FROM agreements_country").fetchone()[0]
    pairs = countries * (countries - 1) // 2
    years = PANEL_CAP // pairs
    url = f"/api/reports/dyad-years.csv?all_pairs=true&start_year=2000&end_year={2000 + years - 1}"
    return url, pairs * years


def open_reader(base: str, path: str) -> socket.socket:
    parts = urlsplit(base)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname, parts.port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}\r\n\r\n".encode())
    return sock


def status_line(sock: socket.socket, wait: float) -> str:
    sock.settimeout(wait)
    try:
        return sock.recv(12).decode(errors="replace")[9:12] or "closed"
    except TimeoutError:
        return "no answer"


def probe(base: str, seconds: float) -> list[tuple[str, float]]:
    """(status or "timeout", seconds) of ordinary requests sent one after another."""
    results = []
    deadline = time.monotonic() + seconds
    index = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            status = str(requests.get(base + PROBES[index % len(PROBES)], timeout=5).status_code)
        except requests.RequestException:
            status = "timeout"
        results.append((status, time.monotonic() - started))
        index += 1
    return results


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per process")
    parser.add_argument("--stall-seconds", type=int, default=20, help="CLIENT_STALL_SECONDS")
    parser.add_argument("--probe-seconds", type=float, default=15)
    parser.add_argument("--without-bounds", action="store_true")
    args = parser.parse_args()
    exit_on_sigterm()

    dataset.check_own(args.database_url, DATABASE_PREFIX)
    dataset.create_database(args.database_url)
    env = server_environment(args.database_url, secrets.token_urlsafe(50))
    env.pop("PANEL_ANONYMOUS_MAX_ROWS", None)  # the product's cap: what an anonymous client may ask
    dataset.manage(env, "migrate", "--no-input", "-v0")
    path, rows = largest_allowed_panel(args.database_url)
    env["CLIENT_STALL_SECONDS"] = str(86400 if args.without_bounds else args.stall_seconds)
    if args.without_bounds:
        env["STREAMS_PER_PROCESS"] = "1000"

    with Servers(WORK) as servers:
        server = start_gunicorn(servers, "stalled-readers", env, workers=args.workers, threads=args.threads)
        say(f"{args.readers} readers of {path} ({rows:,} rows), {args.workers} × {args.threads} threads")
        readers = [open_reader(server.url, path) for _ in range(args.readers)]
        statuses = [status_line(sock, 2) for sock in readers]
        results = probe(server.url, args.probe_seconds)
        for sock in readers:
            sock.close()

    times = sorted(seconds for status, seconds in results if status == "200")
    answered = len(times)
    summary = {
        "mode": "without bounds" if args.without_bounds else "with bounds",
        "readers": args.readers,
        "panel_rows": rows,
        "workers": args.workers,
        "threads": args.threads,
        "client_stall_seconds": None if args.without_bounds else args.stall_seconds,
        "reader_statuses": {status: statuses.count(status) for status in sorted(set(statuses))},
        "probes": len(results),
        "answered": answered,
        "timed_out": sum(status == "timeout" for status, _ in results),
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p95_ms": round(times[int(0.95 * (answered - 1))] * 1000, 1) if times else None,
        "max_ms": round(times[-1] * 1000, 1) if times else None,
    }
    say(f"Readers' statuses: {summary['reader_statuses']}")
    say(
        f"Ordinary requests in {args.probe_seconds:g} s: {answered} of {len(results)} answered, "
        f"{summary['timed_out']} timed out; p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
        f"max {summary['max_ms']} ms"
    )
    say(f"Written to {shown(write_result('stalled-readers', summary))}")


if __name__ == "__main__":
    main()
