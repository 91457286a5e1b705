"""Large CSV responses of a fresh server: the full CSV export against ``COPY … TO STDOUT WITH
CSV`` of the same rows, and any streamed CSV (the reports' dyad-year panel) on its own.

For the export, both sides are read by a C client that throws the bytes away — psql for COPY,
curl for our endpoint — so that the comparison is of the servers, not of the clients. Rounds
alternate between the two. Memory is the peak resident set (``VmHWM``) of the gunicorn
workers, which is at least what any one response made them hold; their resident set is also
sampled while each response streams.
"""

from __future__ import annotations

import statistics
import subprocess
import time

from .memory import RSSSampler, peak_rss_mb, rss_mb
from .servers import Server


def measure_export(
    server: Server, path: str, copy_sql: str, database_url: str, *, rounds: int, queries: int
) -> dict:
    workers = server.children()
    before = rss_mb(workers)
    copy_times, http_times, sampled = [], [], 0
    size = 0
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", copy_sql, database_url],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        copy_times.append(time.perf_counter() - started)

        sampler = RSSSampler(workers)
        sampler.start()
        started = time.perf_counter()
        out = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", server.url + path],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        http_times.append(time.perf_counter() - started)
        sampler.done.set()
        sampler.join()
        sampled = max(sampled, sampler.peak_kb)
        status, size_text = out.split()
        if status != "200":
            raise RuntimeError(f"{path} answered {status}")
        size = int(size_text)
    copy_s, http_s = statistics.median(copy_times), statistics.median(http_times)
    return {
        "path": path,
        "rounds": rounds,
        "bytes": size,
        "copy_s": copy_s,
        "http_s": http_s,
        "copy_times_s": copy_times,
        "http_times_s": http_times,
        "wall_ratio": http_s / copy_s,
        "rss_before_mb": before,
        "rss_sampled_peak_mb": sampled / 1024,
        "peak_rss_mb": peak_rss_mb(workers),
        "queries": queries,
        "copy_sql": copy_sql,
    }


SAMPLE_EVERY_ROWS = 100_000


def stream_csv(server: Server, path: str) -> dict:
    """GET ``path`` with curl and count its lines as they arrive: time to the first byte and in
    all, rows (lines less the header), bytes, and the workers' resident set before, every
    100,000 rows, sampled every 20 ms, and at its peak (flat means it streams)."""
    workers = server.children()
    before = rss_mb(workers)
    every: list[float] = []
    size = lines = 0
    first_byte = None
    sampler = RSSSampler(workers)
    sampler.start()
    started = time.perf_counter()
    with subprocess.Popen(
        ["curl", "-s", "--fail", "--no-buffer", server.url + path], stdout=subprocess.PIPE
    ) as curl:
        while chunk := curl.stdout.read1(1 << 18):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
            while len(every) < lines // SAMPLE_EVERY_ROWS:
                every.append(round(rss_mb(workers), 1))
    elapsed = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    if curl.returncode:
        raise RuntimeError(f"{path}: curl exited with {curl.returncode} (an HTTP error or a cut-off)")
    return {
        "path": path,
        "seconds": elapsed,
        "first_byte_s": first_byte,
        "rows": lines - 1,
        "bytes": size,
        "rss_before_mb": before,
        "rss_peak_mb": peak_rss_mb(workers),
        "rss_sampled_peak_mb": sampler.peak_kb / 1024,
        "rss_every_100k_rows_mb": every,
    }
