"""The full CSV export against ``COPY … TO STDOUT WITH CSV`` of the same rows.

Both are read by a C client that throws the bytes away — psql for COPY, curl for our
endpoint — so that the comparison is of the servers, not of the clients. Rounds
alternate between the two. Memory is the peak resident set (``VmHWM``) of the gunicorn
workers, which is at least what any one export made them hold; their resident set is
also sampled while each export streams.
"""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from pathlib import Path

from .servers import Server


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class _RSSSampler(threading.Thread):
    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak_kb = max([self.peak_kb, *(_status_kb(pid, "VmRSS") for pid in self.pids)])


def measure_export(
    server: Server, path: str, copy_sql: str, database_url: str, *, rounds: int, queries: int
) -> dict:
    workers = server.children()
    before = max(_status_kb(pid, "VmRSS") for pid in workers)
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

        sampler = _RSSSampler(workers)
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
        "rss_before_mb": before / 1024,
        "rss_sampled_peak_mb": sampled / 1024,
        "peak_rss_mb": max(_status_kb(pid, "VmHWM") for pid in workers) / 1024,
        "queries": queries,
        "copy_sql": copy_sql,
    }
