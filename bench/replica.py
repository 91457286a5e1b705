"""A PostgreSQL primary and streaming replicas of our own on this machine (``make replica``).

    make replica          # or: .venv/bin/python -m bench.replica up [--directory .replica]
    make replica-down     # or: .venv/bin/python -m bench.replica down [--directory .replica]

``up`` creates, under a directory of ours, a primary cluster (``initdb``, its own port) and
streaming replicas of it (``pg_basebackup -R``, each on the next port), starts them, creates the
database ``tracker`` on the primary, and prints the ``DATABASE_URL`` and
``DATABASE_REPLICA_URLS`` to use. Run again, it starts what is already there. ``down`` stops
exactly the servers whose data directories are under that directory, and nothing else: the
machine's own cluster (5432) is never reconfigured, restarted or stopped. The data stays until
the directory is removed (``rm -rf .replica``).

Run as root, every PostgreSQL program runs as the ``postgres`` user (``runuser``), which then
owns the directory. The tests (tests/test_replicas.py) build their set with the same functions.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _newest_server_programs() -> Path:
    """Debian's newest PostgreSQL server programs (``PG_BIN`` in the environment wins)."""
    if "PG_BIN" in os.environ:
        return Path(os.environ["PG_BIN"])
    versions = sorted(
        (path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        key=lambda bin_dir: int(bin_dir.parent.name) if bin_dir.parent.name.isdigit() else 0,
    )
    return versions[-1] if versions else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _newest_server_programs()
DEFAULT_DIRECTORY = ROOT / ".replica"
DEFAULT_PORT = 55470
HOST = "127.0.0.1"
DATABASE = "tracker"
SUPERUSER = "postgres"


class ReplicaSetError(RuntimeError):
    """A step of building or starting the set failed; the message says which and why."""


def server_binaries_present() -> bool:
    return all((PG_BIN / program).is_file() for program in ("initdb", "pg_ctl", "pg_basebackup", "postgres"))


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root; run its programs as the postgres user instead.
    return ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []


def _run(argv: Sequence[str], what: str) -> str:
    done = subprocess.run(
        [*_as_postgres(), *argv], capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    if done.returncode != 0:
        raise ReplicaSetError(
            f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
    return done.stdout


@dataclass(frozen=True)
class Server:
    """One cluster of the set: its data directory and port."""

    name: str
    data: Path
    port: int

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.name}.log"

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def running(self) -> bool:
        probe = subprocess.run(
            [*_as_postgres(), str(PG_BIN / "pg_ctl"), "status", "-D", str(self.data)],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return probe.returncode == 0

    def start(self) -> None:
        if not self.running():
            _run(
                [
                    str(PG_BIN / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                ],
                f"starting {self.name} on port {self.port} (log: {self.log})",
            )

    def stop(self) -> None:
        if self.running():
            _run(
                [str(PG_BIN / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data)],
                f"stopping {self.name}",
            )

    def psql(self, sql: str, database: str = "postgres") -> str:
        """One statement through psql over TCP; its single value (or rows) as text."""
        return _run(
            [
                *(str(PG_BIN / "psql"), "-h", HOST, "-p", str(self.port), "-U", SUPERUSER, "-d", database),
                *("-v", "ON_ERROR_STOP=1", "-qtAc", sql),
            ],
            f"psql on {self.name}",
        ).strip()


@dataclass(frozen=True)
class ReplicaSet:
    primary: Server
    replicas: tuple[Server, ...]

    @property
    def database_url(self) -> str:
        return self.primary.url()

    @property
    def replica_urls(self) -> str:
        return ",".join(replica.url() for replica in self.replicas)

    def servers(self) -> tuple[Server, ...]:
        return (self.primary, *self.replicas)

    def wait_until_replayed(self, timeout: float = 30) -> None:
        """Wait until every running replica has replayed all the primary has written so far."""
        target = self.primary.psql("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        for replica in self.replicas:
            if not replica.running():
                continue
            while replica.psql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") != "t":
                if time.monotonic() > deadline:
                    raise ReplicaSetError(f"{replica.name} did not replay up to {target} in {timeout} s")
                time.sleep(0.05)


def replica_set(directory: Path, port: int = DEFAULT_PORT, replicas: int = 1) -> ReplicaSet:
    """The set under ``directory``: the primary on ``port``, replica n on ``port + n``."""
    directory = directory.resolve()
    return ReplicaSet(
        Server("primary", directory / "primary", port),
        tuple(Server(f"replica{n}", directory / f"replica{n}", port + n) for n in range(1, replicas + 1)),
    )


def _settings(port: int, socket_directory: Path, *, throwaway: bool) -> str:
    lines = [
        f"port = {port}",
        f"listen_addresses = '{HOST}'",
        # Sockets in our own directory, not the machine cluster's /var/run/postgresql.
        f"unix_socket_directories = '{socket_directory}'",
        "max_connections = 50",
        "shared_buffers = 32MB",
        # A replica reports its replay position often, so its lag is measured, not guessed.
        "wal_receiver_status_interval = 1s",
        "hot_standby_feedback = on",
    ]
    if throwaway:
        # The tests' set: nothing in it must survive a crash of the machine.
        lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
    return "\n# bench/replica.py\n" + "\n".join(lines) + "\n"


def template_key(seed: bytes) -> str:
    """A name for a snapshot of a migrated primary: what it depends on — ``seed`` (the data or
    setup loaded into it), PostgreSQL's version and every migration of every installed app (so
    called with Django set up)."""
    import hashlib

    from django.apps import apps

    digest = hashlib.sha256(seed)
    version = [str(PG_BIN / "postgres"), "--version"]
    digest.update(subprocess.run(version, capture_output=True, check=True).stdout)
    for app in apps.get_app_configs():
        for path in sorted(Path(app.path).glob("migrations/*.py")):
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def snapshot(primary: Server, destination: Path) -> None:
    """A copy of the running ``primary``'s data in ``destination`` (``pg_basebackup``, no standby
    settings): started, it recovers to the moment of the copy and runs as a primary of its own."""
    _run(
        [
            *(str(PG_BIN / "pg_basebackup"), "-h", HOST, "-p", str(primary.port), "-U", SUPERUSER),
            *("-D", str(destination), "-X", "stream", "--checkpoint=fast", "--no-sync"),
        ],
        f"pg_basebackup of {primary.name} into {destination}",
    )


def up(target: ReplicaSet, *, throwaway: bool = False, primary_from: Path | None = None) -> ReplicaSet:
    """Create what is missing of ``target`` (primary, then each replica from it), start it all.

    ``primary_from``: a ``snapshot`` to copy as the primary instead of an empty ``initdb``.
    """
    if not server_binaries_present():
        raise ReplicaSetError(
            f"PostgreSQL's server programs are not in {PG_BIN} (apt-get install postgresql-15)"
        )
    primary = target.primary
    directory = primary.data.parent
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        postgres = pwd.getpwnam(SUPERUSER)
        shutil.chown(directory, postgres.pw_uid, postgres.pw_gid)
    if not (primary.data / "PG_VERSION").exists() and primary_from is not None:
        _run(["cp", "-a", str(primary_from), str(primary.data)], f"copying {primary_from}")
        # Its own port and socket directory: the last setting in the file wins.
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write(_settings(primary.port, directory, throwaway=throwaway))
    if not (primary.data / "PG_VERSION").exists():
        _run(
            [
                *(str(PG_BIN / "initdb"), "-D", str(primary.data), "-U", SUPERUSER, "--auth=trust"),
                *("--encoding=UTF8", "--locale=C.UTF-8", *(["--no-sync"] if throwaway else [])),
            ],
            "initdb of the primary",
        )
        # initdb's pg_hba.conf already lets local TCP connections replicate (trust, as asked).
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write(_settings(primary.port, directory, throwaway=throwaway))
    primary.start()
    if primary.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":
        primary.psql(f'CREATE DATABASE "{DATABASE}"')
    for replica in target.replicas:
        if not (replica.data / "PG_VERSION").exists():
            _run(
                [
                    *(str(PG_BIN / "pg_basebackup"), "-h", HOST, "-p", str(primary.port), "-U", SUPERUSER),
                    *("-D", str(replica.data), "-R", "-X", "stream", "--checkpoint=fast"),
                    *(f"--label={replica.name}", *(["--no-sync"] if throwaway else [])),
                ],
                f"pg_basebackup for {replica.name}",
            )
            with (replica.data / "postgresql.conf").open("a") as conf:
                conf.write(_settings(replica.port, directory, throwaway=throwaway))
        replica.start()
    return target


def down(target: ReplicaSet) -> list[str]:
    """Stop the servers of ``target`` that run (replicas first); the names of those stopped."""
    stopped = []
    for server in (*reversed(target.replicas), target.primary):
        if server.data.exists() and server.running():
            server.stop()
            stopped.append(server.name)
    return stopped


def remove(target: ReplicaSet, *, wait: bool = True) -> None:
    """Stop the set and delete its directory (the tests' set leaves nothing behind).

    With ``wait=False`` the servers are stopped before it returns, and the files (a few hundred
    megabytes that a busy disk may take many seconds to unlink) are deleted in the background.
    """
    down(target)
    directory = target.primary.data.parent
    if wait:
        shutil.rmtree(directory, ignore_errors=True)
    else:
        subprocess.Popen(
            ["rm", "-rf", "--", str(directory)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def _existing_replicas(directory: Path) -> int:
    return len(list(directory.glob("replica*/PG_VERSION")))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replica", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="the primary's port; replica n: port + n"
    )
    parser.add_argument("--replicas", type=int, default=1, help="how many replicas `up` creates (default 1)")
    options = parser.parse_args(argv)
    try:
        if options.action == "up":
            count = max(options.replicas, _existing_replicas(options.directory))
            built = up(replica_set(options.directory, options.port, count))
            print(
                f"Primary on {HOST}:{built.primary.port}, replicas on "
                + ", ".join(f"{HOST}:{replica.port}" for replica in built.replicas)
                + f" (data and logs: {built.primary.data.parent})."
            )
            print("Use them with:")
            print(f"  export DATABASE_URL={built.database_url}")
            print(f"  export DATABASE_REPLICA_URLS={built.replica_urls}")
            print("then `make run` or `make serve` (migrate runs on the primary). Stop: make replica-down")
        else:
            if not options.directory.exists():
                print(f"Nothing to stop: {options.directory} does not exist.")
                return 0
            target = replica_set(options.directory, options.port, _existing_replicas(options.directory))
            stopped = down(target)
            print("Stopped: " + (", ".join(stopped) if stopped else "nothing was running") + ".")
            print(f"The data stays in {options.directory} (remove it to start afresh).")
    except ReplicaSetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
