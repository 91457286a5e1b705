"""The query planners' statistics: kept fresh after bulk writes, on both engines.

Both planners choose an index by what they know of the tables' contents. SQLite knows
nothing until ``ANALYZE`` has run (it keeps no statistics of its own accord): on 250,000
agreements without them, the partners report of a busy country planned its in-force
test on the wrong index and took minutes instead of a fraction of a second (issue 20,
docs/benchmarks.md). PostgreSQL's autovacuum analyses in the end, but a report asked
right after a bulk load would be planned on empty tables.

The one rule, for every command that writes in bulk (``generate_synthetic_data``,
``load_agreements``, ``import_data``, the spreadsheet import): call ``refresh_statistics``
once it has written.
``refresh_stale_statistics`` is what ``make run`` runs at start on an existing database,
and ``optimize`` what each SQLite connection of the server runs before it closes (and
every hour while it lives; ``tracker/sqlite/base.py``), as SQLite recommends.

``planned_once`` is the cursor for the few statements whose plan does not depend on their
values: prepared on PostgreSQL, so that they are planned once per connection.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

# SQLite's own rule for ``PRAGMA optimize`` (re-analyse a table grown 25-fold) is loose
# for ``make run`` at start; this one is PostgreSQL's autovacuum default (10 % + 50 rows).
STALE_FRACTION = 0.10
STALE_ROWS = 50
# Rows of each index that ``PRAGMA optimize`` reads when it re-analyses: SQLite's advice
# (100–1,000) keeps it to milliseconds on a large table.
OPTIMIZE_ANALYSIS_LIMIT = 400
# How long ``optimize`` waits for another connection's write before giving up until next time.
OPTIMIZE_BUSY_TIMEOUT_MS = 200


def app_tables() -> list[str]:
    """Every table of the ``agreements`` app, its many-to-many and history tables included."""
    config = apps.get_app_config("agreements")
    return sorted({model._meta.db_table for model in config.get_models(include_auto_created=True)})


def refresh_statistics(tables: Iterable[str] | None = None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """After a bulk write: ``ANALYZE`` (SQLite: the whole file; PostgreSQL: ``tables``, by
    default every table of the app).

    SQLite analyses everything because a planner that knows some tables and guesses the
    rest (a million rows each) can join the wrong way round; the whole file takes about a
    second at 250,000 agreements.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            for table in sorted(set(tables) if tables is not None else app_tables()):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def stale_tables(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The app's tables whose statistics are missing or were taken at a row count that has
    since moved by more than ``STALE_FRACTION`` and ``STALE_ROWS``."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            recorded = _sqlite_recorded_rows(cursor)
            counts = {}
            for table in app_tables():
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
            return [table for table, rows in counts.items() if _is_stale(rows, recorded.get(table))]
        # PostgreSQL counts the rows changed since each table's last analysis itself.
        cursor.execute(
            "SELECT relname, n_live_tup, n_mod_since_analyze, "
            "COALESCE(last_analyze, last_autoanalyze) IS NOT NULL "
            "FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [app_tables()],
        )
        return sorted(
            table
            for table, rows, changed, analysed in cursor.fetchall()
            if (not analysed and rows) or changed > STALE_ROWS + STALE_FRACTION * rows
        )


def refresh_stale_statistics(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``refresh_statistics`` of the stale tables, if any; the tables that were stale."""
    stale = stale_tables(using=using)
    if stale:
        refresh_statistics(stale, using=using)
    return stale


def optimize(connection: BaseDatabaseWrapper) -> None:
    """What SQLite asks of a long-lived connection before it closes: ``PRAGMA optimize``,
    which re-analyses the tables this connection queried if they grew 25-fold or were never
    analysed, reading at most ``OPTIMIZE_ANALYSIS_LIMIT`` rows an index. Nothing on
    PostgreSQL, whose autovacuum does the same.

    A writer elsewhere makes it give up after ``OPTIMIZE_BUSY_TIMEOUT_MS`` rather than hold up
    the request that closes the connection; the next close tries again. (SQLite 3.46 added
    ``PRAGMA optimize=0x10002`` for a new connection; with 3.40, as Debian 12 ships it, a new
    connection has queried nothing, which is why ``make run`` uses ``refresh_stale_statistics``.)
    """
    if connection.vendor != "sqlite" or connection.connection is None or connection.in_atomic_block:
        return
    raw = connection.connection
    (busy_timeout,) = raw.execute("PRAGMA busy_timeout").fetchone()
    (analysis_limit,) = raw.execute("PRAGMA analysis_limit").fetchone()
    try:
        raw.execute(f"PRAGMA busy_timeout = {OPTIMIZE_BUSY_TIMEOUT_MS}")
        raw.execute(f"PRAGMA analysis_limit = {OPTIMIZE_ANALYSIS_LIMIT}")
        raw.execute("PRAGMA optimize")
    except connection.Database.OperationalError:
        pass  # locked by a writer: next time
    finally:
        # As they were: a connection optimized while it lives may still run a full ANALYZE.
        raw.execute(f"PRAGMA busy_timeout = {busy_timeout}")
        raw.execute(f"PRAGMA analysis_limit = {analysis_limit}")


def _sqlite_recorded_rows(cursor) -> dict[str, int]:
    """The row count each table had when it was last analysed (``sqlite_stat1``'s first number)."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return {}
    cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
    return {table: int(stat.split()[0]) for table, stat in cursor.fetchall()}


def _is_stale(rows: int, recorded: int | None) -> bool:
    if recorded is None:
        # Never analysed (or empty when it was, which leaves no row): only rows make it a risk.
        return rows > 0
    return abs(rows - recorded) > STALE_ROWS + STALE_FRACTION * recorded


def planned_once(database: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor whose statements are prepared on the server at their first run on the connection
    (``prepared_cursor`` of ``tracker/postgresql``), or a plain cursor on another backend.

    Only for a statement whose generic plan was measured to be as good as its custom ones (a
    lookup by primary key, the data version, the pair report: docs/benchmarks.md): a generic
    plan on skewed data can be much worse.
    """
    prepared = getattr(database, "prepared_cursor", None)
    return prepared() if prepared else database.cursor()
