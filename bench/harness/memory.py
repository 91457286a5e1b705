"""The memory of a server's processes, read from ``/proc/<pid>/status``: the resident set
(``VmRSS``) now, sampled while a response streams, and its peak (``VmHWM``, which belongs to
the process itself, unlike ``ru_maxrss``, which a forked child inherits from its parent)."""

from __future__ import annotations

import threading
from pathlib import Path


def status_kb(pid: int, field: str) -> int:
    """A ``kB`` field of the process's status (``VmRSS``, ``VmHWM``); 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pids: list[int]) -> float:
    """The largest resident set of ``pids`` now, in MB."""
    return max((status_kb(pid, "VmRSS") for pid in pids), default=0) / 1024


def peak_rss_mb(pids: list[int]) -> float:
    """The largest peak resident set any of ``pids`` ever had, in MB."""
    return max((status_kb(pid, "VmHWM") for pid in pids), default=0) / 1024


class RSSSampler(threading.Thread):
    """Samples the largest resident set of ``pids`` every 20 ms until ``done`` is set."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak_kb = max([self.peak_kb, *(status_kb(pid, "VmRSS") for pid in self.pids)])
