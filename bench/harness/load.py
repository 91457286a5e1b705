"""The two load generators, run the same way: ``wrk`` over HTTP and ``pgbench`` on SQL.

Both run a bounded time with the same number of connections and return a
``Measurement`` (throughput and the 50th and 99th latency percentiles). wrk computes
its percentiles itself; for pgbench they come from its per-transaction log. Also here:
``timed``, a call repeated in process (``bench.reports_bench``), and ``percentile``.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int = 0  # timeouts and socket errors (a non-2xx answer aborts the run instead)


@dataclass(frozen=True)
class Request:
    """One HTTP request as wrk sends it over and over."""

    url: str
    body: dict | None = None  # sent as a JSON POST (GraphQL); None: a GET
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request (e.g. If-None-Match)

    def curl_args(self) -> list[str]:
        if self.body is None:
            return [self.url]
        return ["-H", "Content-Type: application/json", "--data-binary", json.dumps(self.body), self.url]


def _lua(body: dict) -> str:
    encoded = json.dumps(body)
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{encoded}]==]\n"
    )


def wrk(request: Request, *, seconds: float, connections: int, timeout_s: int = 30) -> Measurement:
    """Drive ``request`` for ``seconds`` at ``connections`` connections (two wrk threads)."""
    with tempfile.TemporaryDirectory(prefix="tracker-bench-wrk-") as tmp:
        argv = [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds:g}s",
            f"--timeout={timeout_s}s",
            "--latency",
        ]
        for name, value in request.headers:
            argv += ["-H", f"{name}: {value}"]
        if request.body is not None:
            script = Path(tmp) / "post.lua"
            script.write_text(_lua(request.body))
            argv += ["-s", str(script)]
        out = subprocess.run([*argv, request.url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{request.url} answered errors under load:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Measurement(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        p50_ms=_wrk_latency(out, "50%"),
        p99_ms=_wrk_latency(out, "99%"),
        requests=int(re.search(r"(\d+) requests in", out)[1]),
        errors=errors,
    )


def _wrk_latency(out: str, percentile: str) -> float:
    found = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s|m)\b", out)
    if not found:
        return float("nan")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def pgbench_script(statements: Sequence[str]) -> str:
    """A pgbench script running ``statements`` (complete SQL, parameters inlined) in turn.

    pgbench reads ``:name`` as a variable only when such a variable is set, which none
    is here, so casts and ``HH24:MI:SS`` formats pass through as they are.
    """
    return "".join(statement.strip().rstrip(";") + ";\n" for statement in statements)


def pgbench(database_url: str, statements: Sequence[str], *, seconds: float, connections: int) -> Measurement:
    """Run ``statements`` as one pgbench transaction over and over; latencies from its log."""
    with tempfile.TemporaryDirectory(prefix="tracker-bench-pgbench-") as tmp:
        script = Path(tmp) / "workload.sql"
        script.write_text(pgbench_script(statements))
        out = subprocess.run(
            [
                "pgbench",
                "--no-vacuum",
                f"--file={script}",
                f"--client={connections}",
                "--jobs=2",
                f"--time={max(1, round(seconds))}",
                "--log",
                f"--log-prefix={Path(tmp) / 'tx'}",
                database_url,
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp,
        ).stdout
        latencies = sorted(
            int(line.split()[2]) / 1000
            for log in Path(tmp).glob("tx.*")
            for line in log.read_text().splitlines()
            if line.strip()
        )
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return Measurement(
        requests_per_second=float(re.search(r"tps = ([\d.]+)", out)[1]),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        requests=len(latencies),
        errors=int(failed[1]) if failed else 0,
    )


def settle(database_url: str, timeout_s: float = 60) -> float:
    """Wait until no other query runs on the database; the seconds waited.

    A request cut off when a wrk run ends can go on running in the server and in
    PostgreSQL for seconds; it must not eat into the next system's measurement.
    """
    started = time.monotonic()
    idle_since = None
    with psycopg.connect(database_url, autocommit=True) as connection:
        while time.monotonic() - started < timeout_s:
            busy = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            now = time.monotonic()
            if busy:
                idle_since = None
            elif idle_since is None:
                idle_since = now
            elif now - idle_since >= 0.6:  # a request between two of its queries looks idle briefly
                break
            time.sleep(0.1)
    return time.monotonic() - started


def timed(run: Callable[[], object], iterations: int) -> list[float]:
    """The seconds each of ``iterations`` calls of ``run`` took, one after the other."""
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def percentile(values: Sequence[float], percent: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]
