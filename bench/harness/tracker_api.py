"""What the integrity scripts of issue 5 (race, mixed load, fault) share: the database,
our server under gunicorn, editors with API tokens, and a small HTTP client.

The server is started exactly as ``make bench`` starts it (``servers.start_gunicorn`` with
``servers.server_environment``: the product's gunicorn.conf.py, ``DEBUG`` off, persistent
connections with health checks, throttling lifted), on a database of its own whose name
starts with ``tracker_faults``, so these scripts never write into the bench's data. With
``--database sqlite`` that database is the SQLite file of the same name (``sqlite.py``), served
with the product's default settings, as ``make run`` serves its file (issue 20).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import dataset, sqlite
from .common import ROOT, WORK, say
from .servers import Server, Servers, server_environment, start_gunicorn

DATABASE_PREFIX = "tracker_faults"
DEFAULT_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_PREFIX}"
DEFAULT_AGREEMENTS = 5_000  # enough rows for realistic plans; generated in seconds


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"named {DATABASE_PREFIX}…")
    parser.add_argument(
        "--database",
        choices=sqlite.ENGINES,
        default=sqlite.POSTGRESQL,
        help="sqlite: the file bench/.data/<the URL's database name>.sqlite3 instead",
    )
    parser.add_argument("--agreements", type=int, default=DEFAULT_AGREEMENTS, help="synthetic agreements")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per process")


@contextmanager
def tracker_server(args: argparse.Namespace) -> Iterator[Server]:
    """The prepared database and our server on it; the server is stopped by PID on the way out.

    From here on ``args.database_url`` is the database the server runs on (with ``--database
    sqlite``, the file beside the one named), which the checks then read.
    """
    args.database_url = sqlite.for_engine(args.database_url, args.database)
    env = server_environment(args.database_url, secret_key="integrity-only-not-a-secret")
    sqlite.prepare(args.database_url, args.agreements, env, prefix=DATABASE_PREFIX)
    with Servers(WORK / "logs") as servers:
        say(f"Starting gunicorn ({args.workers} processes × {args.threads} threads) on {args.database}")
        yield start_gunicorn(servers, "ours-integrity", env, workers=args.workers, threads=args.threads)


def editor_tokens(database_url: str, base_url: str, usernames: Sequence[str]) -> list[str]:
    """An API token for each of ``usernames``, editors made by the product's own command.

    ``ensure_demo_editor`` (run with ``DEBUG`` on, which it insists on) creates the user in
    the Editors group and prints a fresh password; the token comes from ``/api/auth/token/``
    as any client would get it.
    """
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true"}
    tokens = []
    for username in usernames:
        printed = subprocess.run(
            [*dataset.MANAGE, "ensure_demo_editor", "--username", username],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        ).stdout
        password = re.search(rf" as {re.escape(username)} / (\S+)", printed)[1]
        answer = ApiClient(base_url).request(
            "POST", "/api/auth/token/", {"username": username, "password": password}
        )
        if answer.status != 200:
            raise RuntimeError(f"No token for {username}: {answer.status} {answer.body[:300]!r}")
        tokens.append(answer.json()["token"])
    return tokens


@dataclass
class Answer:
    """One request's outcome; ``status`` 0 when no HTTP answer came (refused, reset, timeout)."""

    status: int
    headers: dict[str, str]
    body: bytes
    started: float  # time.monotonic()
    seconds: float
    error: str = ""

    @property
    def ended(self) -> float:
        return self.started + self.seconds

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ApiClient:
    """One keep-alive connection to the server, as one API client holds it.

    Not thread-safe: each simulated client has its own. A request that fails without an
    answer is not repeated (a write might have reached the server); the connection is
    opened again for the next request.
    """

    base_url: str
    token: str | None = None
    timeout: float = 30
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            if self._connection is None:
                parts = urlsplit(self.base_url)
                self._connection = http.client.HTTPConnection(
                    parts.hostname, parts.port, timeout=self.timeout
                )
            self._connection.request(method, path, data, sent)
            response = self._connection.getresponse()
            received = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Answer(0, {}, b"", started, time.monotonic() - started, f"{type(error).__name__}: {error}")
        answer = Answer(
            response.status, dict(response.getheaders()), received, started, time.monotonic() - started
        )
        if response.will_close:
            self.close()
        return answer

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


_ETAG = re.compile(r'"agreement-\d+-v(\d+)"')


def etag_version(answer: Answer) -> int | None:
    """The agreement version an answer's ETag names."""
    found = _ETAG.fullmatch(answer.headers.get("ETag", ""))
    return int(found[1]) if found else None


def new_agreement(title: str) -> dict[str, Any]:
    """The smallest valid agreement: a title and two parties."""
    return {"title": title, "party_a": "FR", "party_b": "DE", "summary": "Written by bench/ (issue 5)."}
