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
import shutil
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
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, transaction
from django.test import override_settings

from bench import replica as replica_set_scripts
from tracker import postgresql
from tracker.replicas import databases, routing

from .servers import ROOT, Server, gunicorn, production_environment

PRIMARY_PORT = 55476
# Wide enough that a loaded machine's few requests between a write and the reads after it
# (CI runs two suites, browsers among them) never make a paused replica count as lagging.
MAX_LAG_S = 30.0
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

    def wait_until_every_replica_shows(self, title: str, timeout: float = 30) -> None:
        """Until each replica's own reads (and so the server's, on either) find ``title``."""
        sql = f"SELECT count(*) FROM agreements_agreement WHERE title = '{title}'"
        deadline = time.monotonic() + timeout
        for replica in self.replica_set.replicas:
            while replica.psql(sql, "tracker") != "1":
                assert time.monotonic() < deadline, f"{replica.name} never showed {title}"
                time.sleep(0.1)

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


def _template_key() -> str:
    """What the migrated primary depends on: every migration, the setup, PostgreSQL's version."""
    return replica_set_scripts.template_key(SETUP.encode())


def _keep_template(primary: replica_set_scripts.Server, template: Path, token: str) -> None:
    """A snapshot of the migrated primary, so that the next run (CI's second, on SQLite) skips
    the migrations, by far the longest step. Built beside and renamed: never seen half-made."""
    building = Path(tempfile.mkdtemp(prefix=f"{template.name}-", dir=template.parent))
    try:
        if os.geteuid() == 0:
            shutil.chown(building, replica_set_scripts.SUPERUSER, replica_set_scripts.SUPERUSER)
        replica_set_scripts.snapshot(primary, building / "primary")
        (building / "token").write_text(token)
        building.rename(template)
    except OSError:  # another run kept one first
        shutil.rmtree(building, ignore_errors=True)


@pytest.fixture(scope="module")
def topology(tmp_path_factory) -> Iterator[Topology]:
    work = tmp_path_factory.mktemp("replicas")
    # Outside pytest's private temporary directory, which the postgres user may not enter.
    target = replica_set_scripts.replica_set(
        Path(tempfile.mkdtemp(prefix="tracker-replicas-")), PRIMARY_PORT, replicas=2
    )
    template = Path(tempfile.gettempdir()) / f"tracker-replicas-template-{_template_key()}"
    env = production_environment(DATABASE_URL=target.database_url, RATE_LIMITS="false")
    env.pop("DATABASE_REPLICA_URLS", None)
    try:
        if (template / "token").exists():
            primary = replica_set_scripts.ReplicaSet(target.primary, ())
            replica_set_scripts.up(primary, throwaway=True, primary_from=template / "primary")
            token = (template / "token").read_text()
            replica_set_scripts.up(target, throwaway=True)
        else:
            replica_set_scripts.up(replica_set_scripts.ReplicaSet(target.primary, ()), throwaway=True)
            # The replicas are copied while the primary migrates (the longest step): they replay it.
            setup = subprocess.Popen(
                [sys.executable, "-c", SETUP],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
            )
            replica_set_scripts.up(target, throwaway=True)
            output, errors = setup.communicate(timeout=300)
            assert setup.returncode == 0, errors
            token = output.split()[-1]
            _keep_template(target.primary, template, token)
        target.wait_until_replayed()
        env |= {
            "DATABASE_REPLICA_URLS": target.replica_urls,
            "REPLICA_MAX_LAG_SECONDS": str(MAX_LAG_S),
            "REPLICA_CHECK_SECONDS": str(CHECK_S),
            "REPLICA_READ_YOUR_WRITES_SECONDS": str(WINDOW_S),
            "LOG_LEVEL": "INFO",
            # One process: without CACHE_URL a token's read-your-writes mark lives in the process
            # that saw the write (docs/operations.md), and a second one would read the replica.
            "WEB_CONCURRENCY": "1",
        }
        with gunicorn(env, work, "replicas") as server:
            yield Topology(target, server, token)
    finally:
        replica_set_scripts.remove(target, wait=False)


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
    replicas.wait_until_every_replica_shows(earlier)
    replicas.pause_replay()
    title, created = replicas.create(editor)
    assert replicas.on_primary(title)

    # Anyone else: a replica answers, and it has not replayed the write yet.
    anonymous = replicas.titles()
    assert earlier in anonymous
    assert title not in anonymous
    # The server's connection that read the list is a replica's (its last statement is still shown).
    seen = (
        "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
        "AND query LIKE 'SELECT \"agreements_agreement\".%'"
    )
    assert sum(int(replica.psql(seen, "tracker")) for replica in replicas.replica_set.replicas) >= 1
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
    for _ in range(3):
        assert title not in replicas.titles()
    # Both stopped: the primary answers.
    second.stop()
    for _ in range(5):
        assert title in replicas.titles()
    assert "is skipped, reads go to the primary: not answering" in replicas.server.output()


# --- Without a server: the settings, the router's decisions, the middleware's marks ---------------

POSTGRES_PRIMARY = {"ENGINE": postgresql.ENGINE, "NAME": "tracker", "CONN_MAX_AGE": 60}


def test_replica_urls_become_aliases_connected_as_the_primary():
    entries = databases.replica_databases(
        POSTGRES_PRIMARY, ["postgres://u@a:5433/tracker", " postgres://u@b/tracker?connect_timeout=9 ", ""]
    )
    assert list(entries) == ["replica1", "replica2"]
    first, second = entries.values()
    assert (first["HOST"], first["PORT"], first["NAME"]) == ("a", 5433, "tracker")
    assert first["CONN_MAX_AGE"] == 60
    assert first["CONN_HEALTH_CHECKS"] is True
    assert first["TEST"] == {"MIRROR": "default"}
    assert first["OPTIONS"]["connect_timeout"] == databases.CONNECT_TIMEOUT_S
    assert second["OPTIONS"]["connect_timeout"] == 9  # the URL's own wins
    assert databases.replica_databases(POSTGRES_PRIMARY, []) == {}


def test_replicas_of_sqlite_or_of_another_engine_are_refused_with_the_reason():
    with pytest.raises(ImproperlyConfigured, match="supported on PostgreSQL only"):
        databases.replica_databases({"ENGINE": "tracker.sqlite"}, ["postgres://u@a/tracker"])
    with pytest.raises(ImproperlyConfigured, match="entry 2 is not a PostgreSQL URL"):
        databases.replica_databases(POSTGRES_PRIMARY, ["postgres://u@a/t", "mysql://u@b/t"])


def test_a_server_on_sqlite_with_replicas_says_so_and_does_not_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "SECRET_KEY": "x"}
    env |= {"DATABASE_URL": "sqlite:///unused.sqlite3", "DATABASE_REPLICA_URLS": "postgres://u@a/tracker"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "read replicas are supported on PostgreSQL only (a SQLite file has no replicas)" in done.stderr


def test_a_server_with_replicas_and_too_short_a_window_does_not_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "SECRET_KEY": "x"}
    env |= {
        "DATABASE_URL": "postgres://u@primary/tracker",
        "DATABASE_REPLICA_URLS": "postgres://u@replica/tracker",
        "REPLICA_READ_YOUR_WRITES_SECONDS": "1",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "REPLICA_READ_YOUR_WRITES_SECONDS (1) must be at least" in done.stderr


def test_a_read_your_writes_window_shorter_than_a_replica_may_lag_is_refused():
    with pytest.raises(ImproperlyConfigured, match=r"at least REPLICA_MAX_LAG_SECONDS \+ REPLICA_CHECK"):
        databases.check_window(read_your_writes_s=5, max_lag_s=5, check_s=2)
    databases.check_window(read_your_writes_s=7, max_lag_s=5, check_s=2)


@pytest.fixture
def chosen(monkeypatch) -> list[str]:
    """Every replica the router picks (``replica1``, as if it were usable)."""
    picks: list[str] = []

    def choose() -> str:
        picks.append("replica1")
        return "replica1"

    monkeypatch.setattr(routing.health, "choose", choose)
    return picks


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """Each time a request asks for a replica (and gets the primary: the suite has no replica)."""
    asks: list[str] = []

    def choose() -> str:
        asks.append("asked")
        return DEFAULT_DB_ALIAS

    monkeypatch.setattr(routing.health, "choose", choose)
    return asks


# Outside the test case's own transaction, which would send every read to the primary.
OUTSIDE_TRANSACTIONS = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@OUTSIDE_TRANSACTIONS
def test_a_safe_request_reads_one_replica_outside_transactions(chosen):
    from agreements.models import Agreement

    router = routing.ReplicaRouter()
    assert router.db_for_read(Agreement) == DEFAULT_DB_ALIAS  # outside a request: commands, shells
    with routing.request_routing(primary_only=False):
        assert router.db_for_read(Agreement) == "replica1"
        assert router.db_for_read(Agreement) == "replica1"
        with transaction.atomic():  # a transaction reads what it writes and locks
            assert router.db_for_read(Agreement) == DEFAULT_DB_ALIAS
    assert chosen == ["replica1"]  # one choice per request


def test_credentials_sessions_and_writes_go_to_the_primary(chosen):
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session
    from rest_framework.authtoken.models import Token

    from agreements.models import Agreement

    router = routing.ReplicaRouter()
    with routing.request_routing(primary_only=False) as state:
        for model in (Token, Session, User):
            assert router.db_for_read(model) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Agreement) == DEFAULT_DB_ALIAS
        assert state.wrote
        # The rest of the request reads what it wrote.
        assert router.db_for_read(Agreement) == DEFAULT_DB_ALIAS
    with routing.request_routing(primary_only=True):
        assert router.db_for_read(Agreement) == DEFAULT_DB_ALIAS
    assert chosen == []
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "agreements")
    assert not router.allow_migrate("replica1", "agreements")


ROUTED = override_settings(
    DATABASE_ROUTERS=[databases.ROUTER],
    MIDDLEWARE=[databases.MIDDLEWARE, *settings.MIDDLEWARE],
    REPLICA_READ_YOUR_WRITES_SECONDS=30,
)


@OUTSIDE_TRANSACTIONS
@ROUTED
def test_a_browser_that_wrote_reads_the_primary_by_its_signed_cookie(editor_client, asked, memorandum):
    assert editor_client.get(LIST).status_code == 200
    assert asked == ["asked"]
    assert "read_primary" not in editor_client.cookies  # reading marks nobody
    response = editor_client.post(LIST, memorandum, content_type="application/json")
    assert response.status_code == 201, response.content
    cookie = response.cookies["read_primary"]
    assert cookie["max-age"] == 30
    assert cookie["httponly"]
    asked.clear()
    assert editor_client.get(LIST).status_code == 200
    assert asked == []  # the primary served it
    del editor_client.cookies["read_primary"]
    assert editor_client.get(LIST).status_code == 200
    assert asked == ["asked"]


@OUTSIDE_TRANSACTIONS
@ROUTED
def test_a_token_client_that_wrote_reads_the_primary_without_cookies(editor, asked, memorandum):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=editor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post(LIST, memorandum, format="json").status_code == 201
    client.cookies.clear()
    asked.clear()
    assert client.get(LIST).status_code == 200
    assert asked == []
    # Another client, anonymous, is not marked by it.
    other = APIClient()
    assert other.get(LIST).status_code == 200
    assert asked == ["asked"]


@ROUTED
def test_a_refused_write_marks_nobody(api, memorandum):
    response = api.post(LIST, memorandum, format="json")
    assert response.status_code in (401, 403)
    assert "read_primary" not in response.cookies


def test_make_serve_says_where_reads_go_and_how_writers_are_remembered():
    primary = {"default": POSTGRES_PRIMARY}
    assert "none (DATABASE_REPLICA_URLS is not set)" in databases.describe(
        primary, shared_cache=False, read_your_writes_s=10
    )
    with_replicas = primary | databases.replica_databases(POSTGRES_PRIMARY, ["postgres://u@r1:5433/tracker"])
    line = databases.describe(with_replicas, shared_cache=False, read_your_writes_s=10)
    assert "replica1 (r1:5433)" in line
    assert "for 10 s" in line
    assert "per process only, as CACHE_URL is not set" in line
    assert "in Redis for every process" in databases.describe(
        with_replicas, shared_cache=True, read_your_writes_s=10
    )


@override_settings(DATABASE_ROUTERS=[databases.ROUTER])
def test_a_lock_is_taken_on_the_primary_and_a_plain_read_on_the_replica(chosen):
    from agreements.models import Agreement

    with routing.request_routing(primary_only=False):
        assert Agreement.objects.all().db == "replica1"
        assert Agreement.objects.select_for_update().db == DEFAULT_DB_ALIAS


def test_a_replica_whose_connection_breaks_during_a_query_is_skipped_at_once():
    from types import SimpleNamespace

    from django.db import OperationalError

    from tracker.replicas import health

    def failing(sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    def context(alias: str, *, broken: bool) -> dict:
        raw = SimpleNamespace(closed=broken, broken=broken)
        return {"connection": SimpleNamespace(alias=alias, connection=raw)}

    health.forget()
    try:
        with pytest.raises(OperationalError):
            health.note_broken_connection(failing, "SELECT 1", None, False, context("replica1", broken=True))
        assert not health._status["replica1"].usable
        # A query that failed on a sound connection (a bad statement, a timeout) says nothing of it.
        with pytest.raises(OperationalError):
            health.note_broken_connection(failing, "SELECT 1", None, False, context("replica2", broken=False))
        assert "replica2" not in health._status
    finally:
        health.forget()


def test_only_replica_connections_are_watched():
    from types import SimpleNamespace

    from tracker.replicas import health

    replica, primary = (
        SimpleNamespace(alias=alias, execute_wrappers=[]) for alias in ("replica1", "default")
    )
    for connection in (replica, primary, replica):
        health.watch(None, connection)
    assert replica.execute_wrappers == [health.note_broken_connection]  # once, however often it reconnects
    assert primary.execute_wrappers == []
