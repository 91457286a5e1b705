"""The product's default database in the scripts: a SQLite file served as ``make run`` serves
one (issue 20), beside the PostgreSQL database of the same name.

The file is ``bench/.data/<name>.sqlite3`` (git-ignored), where ``<name>`` is the PostgreSQL
database's, so the guards on names hold for both (``tracker_bench…``, ``tracker_faults…``).
It is migrated and filled by the product's own commands, as a user would fill it: ``migrate``
(the server settings turn WAL on), then ``generate_synthetic_data``, which refreshes the
planner's statistics itself. The scripts read it back with the ``sqlite3`` module, and
``query`` answers the same SQL on either engine, so the integrity checks are the same.

Not the Datasette copy of ``dataset.sqlite_copy``, which copies PostgreSQL's rows into a
file for a peer and analyses it itself.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from . import dataset
from .common import ROOT, say, shown

DATA = ROOT / "bench" / ".data"
POSTGRESQL, SQLITE = "postgresql", "sqlite"
ENGINES = (POSTGRESQL, SQLITE)


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite:")


def sqlite_url(postgres_url: str) -> str:
    """The SQLite file that stands beside the PostgreSQL database of ``postgres_url``."""
    return f"sqlite:///{DATA / dataset.database_name(postgres_url)}.sqlite3"


def path_of(database_url: str) -> Path:
    """The file of ``sqlite:////absolute/path`` (or of ``sqlite:///relative/path``), as
    django-environ reads the URL."""
    return Path(urlsplit(database_url).path[1:])


def for_engine(postgres_url: str, engine: str) -> str:
    """``postgres_url``, or the SQLite file beside it."""
    return sqlite_url(postgres_url) if engine == SQLITE else postgres_url


def prepare(database_url: str, agreements: int, env: Mapping[str, str], *, prefix: str, **options) -> dict:
    """``dataset.prepare_postgres`` or ``prepare_sqlite``, as ``database_url`` says."""
    if is_sqlite(database_url):
        return prepare_sqlite(database_url, agreements, env, prefix=prefix, **options)
    return dataset.prepare_postgres(database_url, agreements, env, prefix=prefix, **options)


def prepare_sqlite(
    database_url: str, agreements: int, env: Mapping[str, str], *, prefix: str, regenerate: bool = False
) -> dict:
    """Migrate the file and fill it with ``agreements`` synthetic agreements (timed) unless it
    holds that many already; only a file whose name starts with ``prefix``."""
    path = path_of(database_url)
    if not path.name.startswith(prefix):
        raise SystemExit(f"Only SQLite files named {prefix}… are filled here, not {path.name!r}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    env = {**env, "DATABASE_URL": database_url}
    dataset.manage(env, "migrate", "--no-input", "-v0")
    (present,) = query(database_url, "SELECT COUNT(*) FROM agreements_agreement WHERE is_synthetic")[0]
    generated_s = None
    if present != agreements or regenerate:
        if present:
            say(f"{shown(path)} holds {present:,} synthetic agreements; replacing them with {agreements:,}")
            dataset.manage(env, "generate_synthetic_data", "--delete")
        say(f"Generating {agreements:,} synthetic agreements in {shown(path)}")
        started = time.perf_counter()
        dataset.manage(env, "generate_synthetic_data", "--agreements", str(agreements))
        generated_s = time.perf_counter() - started
    else:
        say(f"{shown(path)} already holds {agreements:,} synthetic agreements")
    return {"database": str(path), "agreements": agreements, "generated_s": generated_s}


_ANY = re.compile(r"= ANY\(%s\)")


def query(database_url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Rows of ``sql`` (psycopg's ``%s`` placeholders; ``= ANY(%s)`` with a list) read straight
    from the database, to check the API's answers against what was stored."""
    if not is_sqlite(database_url):
        with psycopg.connect(database_url) as connection:
            return connection.execute(sql, params).fetchall()
    flat: list[Any] = []
    pieces = re.split(r"(= ANY\(%s\)|%s)", sql)
    values = iter(params)
    text = ""
    for piece in pieces:
        if _ANY.fullmatch(piece):
            items = list(next(values))
            text += f"IN ({', '.join('?' for _ in items)})" if items else "IN (NULL)"
            flat += items
        elif piece == "%s":
            text += "?"
            flat.append(next(values))
        else:
            text += piece
    connection = sqlite3.connect(path_of(database_url), timeout=30)
    try:
        return connection.execute(text, flat).fetchall()
    finally:
        connection.close()
