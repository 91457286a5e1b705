"""Throughput of the agreements API next to the same SQL run by pgbench, in one run.

    .venv/bin/python bench/api.py --database-url postgres://postgres@127.0.0.1:5432/tracker

Starts gunicorn with production-like settings (DEBUG off, persistent connections),
drives each workload with wrk, runs the SQL that the request executes with pgbench
(the physical limit of the database on this machine), and prints requests/s, p50,
p99, queries per request and the ratio to pgbench. Absolute figures drift ±20 %
between runs on a 2-core machine; the ratios within one run are what to compare.
Needs wrk and pgbench (Debian: apt-get install wrk postgresql-client).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Workload:
    name: str
    path: str
    sql: list[str]  # what one request runs, for pgbench
    queries: int = 0  # measured queries per request


@dataclass
class Result:
    workload: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    pgbench_tps: float
    queries_per_request: int

    @property
    def ratio(self) -> float:
        return self.requests_per_second / self.pgbench_tps if self.pgbench_tps else 0.0


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }


def workloads() -> list[Workload]:
    """The requests to measure, each with the SQL it runs (captured, with parameters inlined)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from agreements.models import Agreement

    client = APIClient(SERVER_NAME="127.0.0.1")
    busiest = Agreement.objects.values_list("party_a", "party_b").order_by().first()
    sample = Agreement.objects.order_by("id").values_list("id", flat=True)[Agreement.objects.count() // 2]
    paths = {
        "nested list, first page (50)": "/api/agreements/?page_size=50",
        "nested list, cursor page (50)": "/api/agreements/?cursor=&page_size=50",
        "agreement detail": f"/api/agreements/{sample}/",
        "pair filter (50)": f"/api/agreements/?pair={busiest[0]},{busiest[1]}&page_size=50",
        "search q=memorandum (50)": "/api/agreements/?q=memorandum&page_size=50",
    }
    result = []
    for name, path in paths.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        sql = [_inline(query["sql"]) for query in captured.captured_queries]
        result.append(Workload(name, path, sql, len(sql)))
    return result


def _inline(sql: str) -> str:
    # Django's captured SQL already has parameters inlined for PostgreSQL; pgbench needs
    # literal percent signs and colons left alone.
    return sql.rstrip(";") + ";"


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/countries/IR/", timeout=1)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    return rps, _latency(out, "50%"), _latency(out, "99%")


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def pgbench(database_url: str, sql: list[str], seconds: int, connections: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("\n".join(sql) + "\n")
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            "-f",
            script.name,
            "-c",
            str(connections),
            "-j",
            "2",
            "-T",
            str(seconds),
            database_url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    return float(re.search(r"tps = ([\d.]+)", out)[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("Give a PostgreSQL --database-url (the benchmark compares against pgbench).")

    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    env = environment(args.database_url)
    os.environ.update(env)
    import django

    django.setup()
    from agreements.models import Agreement

    count = Agreement.objects.count()
    measured = workloads()
    server = start_server(env, args.port, args.workers)
    results = []
    try:
        wrk(f"http://127.0.0.1:{args.port}{measured[0].path}", 2, args.connections)  # warm up
        for workload in measured:
            rps, p50, p99 = wrk(
                f"http://127.0.0.1:{args.port}{workload.path}", args.seconds, args.connections
            )
            tps = pgbench(args.database_url, workload.sql, args.seconds, args.connections)
            results.append(Result(workload.name, rps, p50, p99, tps, workload.queries))
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(
        f"\n{count:,} agreements; {args.connections} connections, {args.seconds} s per run, "
        f"gunicorn with {args.workers} workers\n"
    )
    header = (
        f"{'workload':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} {'pgbench':>9} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.workload:34} {r.requests_per_second:8.1f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} "
            f"{r.queries_per_request:8d} {r.pgbench_tps:9.1f} {r.ratio:5.2f}x"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"api-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(
        json.dumps(
            {"agreements": count, "results": [asdict(r) | {"ratio": r.ratio} for r in results]}, indent=2
        )
    )
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
