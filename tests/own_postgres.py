"""A PostgreSQL cluster of the test's own, to restart at will (never the machine's).

``initdb`` into a temporary directory and ``pg_ctl`` on a port of our range, as the
``postgres`` user when the tests run as root (PostgreSQL refuses to run as root). Outside
CI, a machine without PostgreSQL's binaries skips the tests that need one; in CI
(``CI=true``) their absence is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PORT = int(os.environ.get("WEBHOOKS_TEST_PG_PORT", "8632"))


def binaries_or_skip() -> None:
    if (BIN / "initdb").exists() and (BIN / "pg_ctl").exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL's binaries are not in {BIN} (set PG_BIN)")
    pytest.skip(f"PostgreSQL's binaries are not in {BIN}")


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    data: Path
    socket_dir: Path
    port: int

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [
            str(BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.data / "log"),
            "-w",
        ]
        subprocess.run(_as_postgres([*command, *args]), check=True, capture_output=True, timeout=60)

    def restart(self) -> None:
        """A fast restart: every connection is cut, as when a server is restarted in production."""
        self.pg_ctl("restart", "-m", "fast")

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True)


@contextmanager
def own_cluster(port: int = PORT) -> Iterator[Cluster]:
    binaries_or_skip()
    root = Path(tempfile.mkdtemp(prefix="webhooks-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        data = root / "data"
        subprocess.run(
            _as_postgres(
                [str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        cluster = Cluster(data, root, port)
        cluster.pg_ctl("start")
        try:
            yield cluster
        finally:
            cluster.pg_ctl("stop", "-m", "immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
