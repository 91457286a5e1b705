"""What a bench script needs from the machine, found or installed before anything starts.

A newcomer's ``make bench`` should not stop twenty minutes in, after the dataset is built,
because ``wrk`` was never installed. Each script names the programs it needs; those that are
missing are installed from Debian's packages when that can be done without asking (running
as root with ``apt-get``; ``BENCH_INSTALL=0`` forbids it), otherwise the script stops at once
naming every missing piece and the command that would install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from .common import say


@dataclass(frozen=True)
class Program:
    command: str  # what must be on PATH
    package: str  # the Debian package that provides it
    purpose: str  # why the bench needs it, for the message


WRK = Program("wrk", "wrk", "drives HTTP load")
PGBENCH = Program("pgbench", "postgresql-contrib", "measures the database's own limit")
NPM = Program("npm", "npm", "installs PostGraphile, the GraphQL peer")
NODE = Program("node", "nodejs", "runs PostGraphile")
PSQL = Program("psql", "postgresql-client", "reads COPY's CSV, the export's yardstick")
CURL = Program("curl", "curl", "reads our CSV export as a client would")

# What each mode of ``make bench`` runs besides Python: the peers only beside PostgreSQL.
BENCH_POSTGRES = (WRK, PGBENCH, PSQL, CURL, NODE, NPM)
BENCH_SQLITE = (WRK, CURL)


class MissingPrograms(SystemExit):
    """Stops the script before any work, with one line per missing program."""


def missing(programs: Iterable[Program]) -> list[Program]:
    return [program for program in programs if shutil.which(program.command) is None]


def _may_install() -> bool:
    return (
        os.environ.get("BENCH_INSTALL", "1") != "0"
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and shutil.which("apt-get") is not None
    )


def _install(packages: list[str]) -> bool:
    say(f"Installing {', '.join(packages)} from Debian's packages (BENCH_INSTALL=0 to refuse)")
    quiet = {"DEBIAN_FRONTEND": "noninteractive", **os.environ}
    for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *packages]):
        if subprocess.run(argv, env=quiet, stdin=subprocess.DEVNULL, check=False).returncode != 0:
            return False
    return True


def require(programs: Iterable[Program]) -> None:
    """Return when every program is on PATH; install the missing ones or stop naming them."""
    programs = list(programs)
    absent = missing(programs)
    if not absent:
        return
    if _may_install() and _install(sorted({program.package for program in absent})):
        absent = missing(absent)
        if not absent:
            return
    lines = [f"  {p.command} ({p.purpose}): apt-get install {p.package}" for p in absent]
    raise MissingPrograms("The bench cannot start; missing on this machine:\n" + "\n".join(lines))
