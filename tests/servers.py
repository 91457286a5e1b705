"""The product as a server runs it, for the tests that need a real one: gunicorn with
``gunicorn.conf.py``, production settings (``DEBUG`` off, WhiteNoise serving what
``collectstatic`` gathered), on the test database, on a port the kernel picks.

The one departure from production: plain HTTP on loopback, so no redirect to HTTPS
(``SECURE_SSL_REDIRECT=false``); cookies stay ``Secure``, which browsers keep for
127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The URL of the database the tests use (the test database, once it is set up)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = f"{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{host}/{db['NAME']}"


def production_environment(**extra: str) -> dict[str, str]:
    """The environment of a production server on the test database, plus ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CACHE_URL", "CACHE_KEY_PREFIX", "DJANGO_SETTINGS_MODULE")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        # The test process's key: sessions it makes (force_login) are valid on the server.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    return env | dict(extra)


def collect_static(static_root: Path) -> None:
    """``collectstatic`` as ``make serve`` runs it: hashed names, compressed copies, a manifest."""
    env = production_environment(STATIC_ROOT=str(static_root))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def gunicorn(
    env: Mapping[str, str], log_dir: Path, name: str = "gunicorn", *, make_serve: bool = False
) -> Iterator[Server]:
    """gunicorn ``tracker.wsgi`` with ``gunicorn.conf.py`` in ``env``; stopped on the way out.

    With ``make_serve``, started as ``make serve`` starts it (``python -m tracker.serve``:
    migrate, collectstatic into ``STATIC_ROOT``, then the same gunicorn).
    """
    port = free_port()
    log = log_dir / f"{name}-{port}.log"
    if make_serve:
        argv = [sys.executable, "-m", "tracker.serve"]
    else:
        argv = [sys.executable, "-m", "gunicorn", "tracker.wsgi", "--config", str(ROOT / "gunicorn.conf.py")]
    argv += ["--bind", f"{HOST}:{port}"]
    with log.open("w") as output:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(f"http://{HOST}:{port}", process, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(f"{server.url}/favicon.ico", timeout=5)  # static: counts against no limit
                break
            # A worker still booting on a loaded machine leaves the probe waiting: try again.
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{server.output()}") from None
                time.sleep(0.1)
        yield server
    finally:
        # Its own process group: the workers it forked go with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
