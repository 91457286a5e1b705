"""The data every system reads: a PostgreSQL database with the synthetic dataset, and a
SQLite copy of the very same rows for Datasette.

The PostgreSQL database is migrated and filled by the product's own
``generate_synthetic_data`` (the reports issue's generator) unless it already holds
the number of synthetic agreements asked for. The SQLite copy is made by migrating an
empty SQLite file with the product's migrations (same tables, same indexes) and copying
every ``agreements_*`` table into it row for row, so both engines serve identical ids
and documents; it is rebuilt only when the PostgreSQL data change.
"""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from .common import ROOT, say, shown

MANAGE = [sys.executable, str(ROOT / "manage.py")]
DATABASE_PREFIX = "tracker_bench"  # the only databases this harness creates or fills


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def _maintenance_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def manage(env: Mapping[str, str], *args: str) -> None:
    subprocess.run([*MANAGE, *args], check=True, env=dict(env), cwd=ROOT)


def check_own(database_url: str, prefix: str) -> str:
    """The URL's database name, or an exit unless it starts with ``prefix``: each script
    creates and fills only databases of its own."""
    name = database_name(database_url)
    if not name.startswith(prefix):
        raise SystemExit(f"Only databases named {prefix}… are filled here, not {name!r}.")
    return name


def synthetic_agreements(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        counted = connection.execute("SELECT count(*) FROM agreements_agreement WHERE is_synthetic")
        return counted.fetchone()[0]


def create_database(database_url: str) -> None:
    """Create the URL's database unless it exists (the caller checks the name is its own)."""
    name = database_name(database_url)
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            say(f"Creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare_postgres(
    database_url: str,
    agreements: int,
    env: Mapping[str, str],
    *,
    prefix: str = DATABASE_PREFIX,
    regenerate: bool = False,
) -> dict:
    """Create, migrate and fill the database unless it already holds ``agreements`` synthetic
    ones (``regenerate``: fill it again all the same, to time the generator).

    Only a database whose name starts with ``prefix`` is touched (the integrity scripts
    of issue 5 use ``tracker_faults``, so that they never write into the bench's data).
    """
    name = check_own(database_url, prefix)
    create_database(database_url)
    env = {**env, "DATABASE_URL": database_url}
    manage(env, "migrate", "--no-input", "-v0")
    present = synthetic_agreements(database_url)
    generated_s = None
    if present != agreements or regenerate:
        if present:
            say(f"{name} holds {present:,} synthetic agreements; replacing them with {agreements:,} new ones")
            manage(env, "generate_synthetic_data", "--delete")
        say(f"Generating {agreements:,} synthetic agreements in {name}")
        started = time.perf_counter()
        manage(env, "generate_synthetic_data", "--agreements", str(agreements))
        generated_s = time.perf_counter() - started
    else:
        say(f"{name} already holds {agreements:,} synthetic agreements")
    vacuum(database_url)
    return {"database": name, "agreements": agreements, "generated_s": generated_s}


def vacuum(database_url: str) -> None:
    """VACUUM (ANALYZE) the tables the API reads, as autovacuum would in a database in use.

    Fresh COPY-loaded tables have no visibility map, so every COUNT(*) of a page would read
    the heap (50 ms at 250,000 agreements) instead of an index alone; a no-op when clean.
    """
    with psycopg.connect(database_url, autocommit=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'agreements%' "
                "AND relname NOT LIKE 'agreements_historical%' ORDER BY relname"
            )
        ]
        for table in tables:
            connection.execute(f'VACUUM (ANALYZE) "{table}"')


# --- The SQLite copy -----------------------------------------------------------------------------


def _fingerprint(database_url: str) -> dict:
    with psycopg.connect(database_url) as connection:
        count, last_id, updated, version = connection.execute(
            "SELECT count(*), max(id), max(updated_at)::text, sum(version) FROM agreements_agreement"
        ).fetchone()
    return {"agreements": count, "max_id": last_id, "max_updated_at": updated, "versions": int(version or 0)}


def _sqlite_value(value: object) -> object:
    # As Django's SQLite backend stores them: ISO dates, naive UTC datetimes.
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _copy_tables(database_url: str, target: Path) -> None:
    lite = sqlite3.connect(target, isolation_level=None)
    lite.execute("PRAGMA journal_mode = OFF")
    lite.execute("PRAGMA synchronous = OFF")
    # The rows already passed PostgreSQL's checks; SQLite's would call Django's SQL
    # functions, which only a Django connection registers.
    lite.execute("PRAGMA ignore_check_constraints = ON")
    tables = [
        row[0]
        for row in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'agreements%' "
            "AND name NOT LIKE 'agreements_historical%' "
            # The full-text index (agreements/search/sqlite.py) is SQLite's own, filled by its
            # triggers as the agreements are copied.
            "AND name NOT LIKE 'agreements_agreement_fts%' ORDER BY name"
        )
    ]
    with psycopg.connect(database_url) as pg:
        lite.execute("BEGIN")
        for table in tables:
            columns = [row[1] for row in lite.execute(f'PRAGMA table_info("{table}")')]
            quoted = ", ".join(f'"{column}"' for column in columns)
            marks = ", ".join("?" for _ in columns)
            lite.execute(f'DELETE FROM "{table}"')
            copied = 0
            with pg.cursor(name=f"copy_{table}") as cursor:
                cursor.itersize = 20_000
                cursor.execute(f'SELECT {quoted} FROM "{table}"')
                while rows := cursor.fetchmany(20_000):
                    lite.executemany(
                        f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})',
                        [tuple(map(_sqlite_value, row)) for row in rows],
                    )
                    copied += len(rows)
            if copied:
                say(f"  {table}: {copied:,} rows")
        lite.execute("COMMIT")
    lite.execute("ANALYZE")
    lite.close()


def sqlite_copy(database_url: str, path: Path, env: Mapping[str, str]) -> dict:
    """A SQLite file holding the same rows as the PostgreSQL database; reused while they match."""
    fingerprint = _fingerprint(database_url)
    stamp = path.with_suffix(".json")
    if path.exists() and stamp.exists() and json.loads(stamp.read_text()) == fingerprint:
        say(f"Reusing the SQLite copy {shown(path)}")
        return {"path": str(path), "built_s": None}
    say(f"Copying the PostgreSQL data into SQLite ({shown(path)})")
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    stamp.unlink(missing_ok=True)
    manage({**env, "DATABASE_URL": f"sqlite:///{partial}"}, "migrate", "--no-input", "-v0")
    _copy_tables(database_url, partial)
    os.replace(partial, path)
    stamp.write_text(json.dumps(fingerprint))
    return {"path": str(path), "built_s": time.perf_counter() - started}
