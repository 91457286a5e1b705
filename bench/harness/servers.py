"""Start servers on loopback and stop them by PID, whatever happens.

Each server runs in a session of its own, so that stopping it (SIGTERM to its process
group, then SIGKILL after a grace period) also stops the workers it forked: gunicorn's
workers, PostGraphile's cluster workers. ``Servers`` is a context manager that stops
everything it started on the way out, on an exception, Ctrl-C or SIGTERM as well.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .common import ROOT

HOST = "127.0.0.1"
# gunicorn of the virtualenv running the harness (`make` runs it with .venv/bin/python).
GUNICORN = Path(sys.executable).parent / "gunicorn"


def server_environment(database_url: str, secret_key: str) -> dict[str, str]:
    """Production settings (``DEBUG`` off), except plain HTTP on loopback, no rate limits
    and no cap on anonymous dyad-year panels: the load and the fuzzer send far more than any
    real client may, and the benches time the work itself."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "600",
        "THROTTLE_ANON": "1000000000/minute",
        "THROTTLE_USER": "1000000000/minute",
        "RATE_LIMITS": "false",
        "PANEL_ANONYMOUS_MAX_ROWS": "1000000000",
        "LOG_LEVEL": "WARNING",
    }


def configure_django(env: Mapping[str, str]) -> None:
    """Set up Django in this process with the servers' settings (``server_environment``), to
    probe or time requests in process as the server would answer them."""
    os.environ.update(env)
    import django

    django.setup()


def free_port() -> int:
    """A port nobody listens on now (the kernel's choice for port 0)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def children(self) -> list[int]:
        """PIDs of the processes this server forked (gunicorn or cluster workers)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


class Servers(contextlib.AbstractContextManager):
    """Starts servers and stops all of them on exit."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: list[Server] = []

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        port: int,
        ready_path: str,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 60,
    ) -> Server:
        """Run ``argv`` and wait until ``ready_path`` answers (anything but a 5xx)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(name, process, port, log)
        self.running.append(server)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
            if _ready(server.url + ready_path):
                return server
            time.sleep(0.3)
        raise RuntimeError(f"{name} did not answer {ready_path} within {timeout:.0f} s; see {log}")

    def stop(self, server: Server, grace: float = 10) -> None:
        """SIGTERM to the server's process group (its PID), SIGKILL if it lingers."""
        if server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, signal.SIGKILL)
                server.process.wait(timeout=grace)
        # Workers that outlived their parent are still in its group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        if server in self.running:
            self.running.remove(server)

    def __enter__(self) -> Servers:
        # A SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so that __exit__ still stops
        # every server: without this the script dies and its servers live on.
        self._previous_handler = None
        if threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for server in reversed(list(self.running)):
            self.stop(server)
        if self._previous_handler is not None:
            signal.signal(signal.SIGTERM, self._previous_handler)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)


def exit_on_sigterm() -> None:
    """From now on a SIGTERM unwinds this process like Ctrl-C (exit status 143), so that its
    ``finally`` blocks and context managers (servers, database checks) still run."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)


def start_gunicorn(
    servers: Servers,
    name: str,
    env: Mapping[str, str],
    *,
    workers: int,
    threads: int | None = None,
    root: Path = ROOT,
) -> Server:
    """Our server under gunicorn with the product's gunicorn.conf.py, as a deployment runs it.

    It runs in the repository's root (or ``root``, another checkout sharing this virtualenv),
    which gunicorn puts first on its path: ``tracker.wsgi`` and a ``DJANGO_SETTINGS_MODULE``
    such as ``bench.harness.naive.settings`` import from there.
    """
    port = free_port()
    argv = [
        str(GUNICORN),
        "tracker.wsgi",
        "--config",
        str(root / "gunicorn.conf.py"),
        "--bind",
        f"{HOST}:{port}",
    ]
    argv += ["--log-level", "warning"]
    env = {**env, "WEB_CONCURRENCY": str(workers)}
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    return servers.start(name, argv, port=port, ready_path="/api/countries/IR/", env=env, cwd=root)
