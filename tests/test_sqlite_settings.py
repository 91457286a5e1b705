"""SQLite as the default serves concurrent requests (tracker/sqlite): its settings, and writers
that queue for the busy timeout instead of failing with "database is locked" (issue 20).

These run on a SQLite file of their own whatever ``DATABASE_URL`` says: the suite's own
SQLite database lives in memory, where there is no WAL and no second process.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connections, transaction

from tracker.sqlite import DEFAULT_BUSY_TIMEOUT_S, ENGINE, server_settings

ROOT = Path(__file__).resolve().parent.parent


def settings_for(database_url: str, **env: str) -> dict:
    """``DATABASES['default']`` as tracker/settings.py makes it for ``database_url``."""
    code = "from django.conf import settings; import json; print(json.dumps(settings.DATABASES['default']))"
    printed = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "tests-only-not-a-secret",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(printed)


def test_a_sqlite_url_gets_the_server_settings(tmp_path):
    database = settings_for(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert database["ENGINE"] == ENGINE
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] == DEFAULT_BUSY_TIMEOUT_S
    assert "journal_mode = WAL" in database["OPTIONS"]["init_command"]
    assert (
        settings_for(f"sqlite:///{tmp_path / 'db.sqlite3'}", SQLITE_BUSY_TIMEOUT="3")["OPTIONS"]["timeout"]
        == 3
    )


def test_postgresql_gets_its_own_backend_and_no_sqlite_options():
    database = settings_for("postgres://someone@db.example:5432/tracker")
    assert database["ENGINE"] == "tracker.postgresql"
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"] == {}


ALIAS = "sqlite_file"


@pytest.fixture
def database(request, tmp_path, django_db_blocker) -> Path:
    """A SQLite file with one table, reachable as ``connections[ALIAS]`` (in any thread,
    each with its own connection) with the settings tracker/settings.py gives a SQLite URL
    (the busy timeout in seconds as the fixture's parameter, if any)."""
    path = tmp_path / "server.sqlite3"
    busy_timeout_s = getattr(request, "param", DEFAULT_BUSY_TIMEOUT_S)
    entry = server_settings(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}, busy_timeout_s=busy_timeout_s
    )
    connections.settings[ALIAS] = connections.configure_settings({"default": {}, ALIAS: entry})[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, owner TEXT NOT NULL)")
            cursor.execute("CREATE INDEX item_owner ON item (owner)")
        connections[ALIAS].close()
        yield path
        connections[ALIAS].close()
    del connections[ALIAS]  # this thread's connection object, which knows the file's name
    del connections.settings[ALIAS]


def fetch(sql: str) -> list[tuple]:
    """``sql``'s rows on a new connection to the test's file, closed afterwards."""
    try:
        with connections[ALIAS].cursor() as cursor:
            return cursor.execute(sql).fetchall()
    finally:
        connections[ALIAS].close()


def test_every_connection_runs_the_server_pragmas(database):
    pragmas = {
        name: fetch(f"PRAGMA {name}")[0][0]
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "foreign_keys": 1,
        "busy_timeout": int(DEFAULT_BUSY_TIMEOUT_S * 1000),
    }


def test_a_writer_waits_for_the_one_before_it_instead_of_failing(database):
    """A reads and writes in one transaction while B does the same. With transactions that
    take the write lock only when they first write (SQLite's default), B's read would come
    first and its write fail at once with "database is locked" (the 503s of issue 20);
    with ``BEGIN IMMEDIATE`` B waits at its BEGIN, then reads what A wrote, then writes."""
    a_wrote, b_begins = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def writer_a() -> None:
        try:
            with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
                cursor.execute("INSERT INTO item (owner) VALUES ('a')")
                a_wrote.set()
                b_begins.wait(timeout=5)
                time.sleep(0.3)  # B is now waiting for the lock (or, without it, reading)
        finally:
            connections[ALIAS].close()

    def writer_b() -> None:
        a_wrote.wait(timeout=5)
        b_begins.set()
        try:
            with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
                seen = cursor.execute("SELECT COUNT(*) FROM item").fetchone()[0]
                cursor.execute("INSERT INTO item (owner) VALUES ('b')")
            outcome["seen"] = seen
        except Exception as error:  # the failure this test exists to catch
            outcome["error"] = error
        finally:
            connections[ALIAS].close()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome == {"seen": 1}
    assert fetch("SELECT owner FROM item ORDER BY id") == [("a",), ("b",)]


def test_a_writer_waits_for_another_process_s_writer(database):
    """Another process (here a plain sqlite3 connection) holds the write lock for a moment:
    our BEGIN waits for it, asking again and again, and then writes."""
    other = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO item (owner) VALUES ('other')")
    threading.Timer(0.3, lambda: other.execute("COMMIT")).start()
    try:
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute("INSERT INTO item (owner) VALUES ('ours')")
    finally:
        connections[ALIAS].close()
        other.close()
    assert fetch("SELECT owner FROM item ORDER BY id") == [("other",), ("ours",)]


@pytest.mark.parametrize("database", [0.2], indirect=True)
def test_a_writer_gives_up_after_the_busy_timeout(database):
    """A writer elsewhere that never finishes: "database is locked" once the timeout has
    passed (the API answers 503), and the next writer of this process is not stuck behind it."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        for _ in range(2):
            started = time.monotonic()
            with pytest.raises(OperationalError, match="database is locked"), transaction.atomic(using=ALIAS):
                pass
            assert time.monotonic() - started >= 0.2
    finally:
        other.execute("ROLLBACK")
        other.close()
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute("INSERT INTO item (owner) VALUES ('ours')")
    connections[ALIAS].close()


def test_a_connection_optimizes_before_it_closes(database):
    """``PRAGMA optimize`` analyses a table the closing connection queried, never analysed."""
    with connections[ALIAS].cursor() as cursor:
        cursor.executemany("INSERT INTO item (owner) VALUES (%s)", [(f"o{n % 50}",) for n in range(2_000)])
        cursor.execute("SELECT COUNT(*) FROM item WHERE owner = 'o7'")
        assert cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall() == []
    connections[ALIAS].close()
    assert fetch("SELECT DISTINCT tbl FROM sqlite_stat1") == [("item",)]
