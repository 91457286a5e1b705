"""The data version: a number that every committed write transaction moves on, read in one query.

HTTP caching (``web.caching``) names an answer by it: while it stays the same, nothing any
list, report or page reads has changed, so a client's ETag is still good (304) and a report
kept in the shared cache is still the answer.

How it moves on, whatever wrote (services, the admin, commands, imports, raw SQL, another
process): every database connection watches its own statements (an execute wrapper). A
transaction that ran an INSERT, UPDATE, DELETE or DDL bumps the one row of
``DataVersion`` **just before it commits**, inside the same transaction. So

* a reader never sees the new number without the data it stands for (they commit together),
  and a rolled-back write never moved it;
* the row lock is taken last and held only through the commit, so writers never wait on it
  while holding other locks (no deadlock), and the bumps are in commit order: version N is
  the data after the N-th write transaction, on the primary and on any replica alike;
* a write in autocommit mode (no transaction) bumps right after its statement.

Writes that no cached answer shows (sessions, sign-in lockouts, the version row itself) are
left out. Under Django's test case, whose transaction never commits, the release of a
savepoint directly inside the test's own atomic blocks counts as the commit it stands for,
and a write directly in them as an autocommit statement (the rule by which Django lets
``durable`` blocks run in tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import DataVersion
from .planner import planned_once

TABLE = DataVersion._meta.db_table
# The tables whose writes change no cached answer: sessions, sign-in lockouts, and the
# bookkeeping of digests and webhook deliveries (read by the watches page and the delivery log,
# which are not cached), so that the workers' steady writes leave the version alone.
IGNORED_TABLES = re.compile(
    rf"^(?:{TABLE}|django_session|axes_\w+"
    r"|agreements_(?:digest|reader|webhookdelivery|webhookattempt))$"
)
_WRITE = re.compile(
    r"^\s*(?:(?P<dml>insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)"
    r"\s+\"?(?P<table>\w+)\"?|(?P<bulk>truncate|copy\s+\"?\w+\"?\s*(?:\([^)]*\))?\s+from)"
    r"|(?P<ddl>create|alter|drop)\b|with\b(?=.*\b(?:insert|update|delete)\b))",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Version:
    value: int
    changed_at: datetime | None

    @property
    def token(self) -> str:
        """The version as an ETag part: the number, and when it was reached (a database whose
        table was emptied and counts again from 0 never repeats an earlier tag)."""
        stamp = int(self.changed_at.timestamp() * 1_000_000) if self.changed_at else 0
        return f"{self.value}.{stamp:x}"


_READ = f"SELECT value, changed_at FROM {TABLE} WHERE id = 1"


def current(using: str | None = None) -> Version:
    """The version the database that answers this read is at (one query).

    Every cached read asks it first, so it is one constant statement on a cursor (prepared on
    PostgreSQL) rather than a queryset built and compiled per request.
    """
    with planned_once(connections[using or router.db_for_read(DataVersion)]) as cursor:
        cursor.execute(_READ)
        row = cursor.fetchone()
    if row is None:
        return Version(0, None)
    value, changed_at = row
    # SQLite's raw rows give the stored UTC time as text or as a naive datetime.
    if isinstance(changed_at, str):
        changed_at = parse_datetime(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):
        changed_at = changed_at.replace(tzinfo=UTC)
    return Version(value, changed_at)


def writes(sql: str) -> tuple[bool, bool]:
    """Whether ``sql`` changes data a cached answer may show, and whether it is DDL."""
    match = _WRITE.match(sql)
    if match is None:
        return False, False
    if match["dml"]:
        return not IGNORED_TABLES.match(match["table"]), False
    return True, bool(match["ddl"])


def bump(connection: BaseDatabaseWrapper, *, guarded: bool = False) -> None:
    """Move the version on, in ``connection``'s current transaction.

    ``guarded`` (a transaction that changed the schema, such as a migration that has not yet
    made the table, or put it back): a failure leaves the transaction as it was.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {TABLE} (id, value, changed_at) VALUES (1, 1, %s) ON CONFLICT (id) "
        f"DO UPDATE SET value = {TABLE}.value + 1, changed_at = excluded.changed_at"
    )
    if not guarded:
        with connection.cursor() as cursor:
            cursor.execute(sql, [now])
        return
    try:
        with connection.cursor() as cursor:
            if connection.get_autocommit():
                cursor.execute(sql, [now])
            else:
                cursor.execute("SAVEPOINT data_version")
                try:
                    cursor.execute(sql, [now])
                except DatabaseError:
                    cursor.execute("ROLLBACK TO SAVEPOINT data_version")
                cursor.execute("RELEASE SAVEPOINT data_version")
    except DatabaseError:
        pass


class _Watch:
    """One connection's watch: what its open transaction wrote, and the bump before its commit."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.wrote = False
        self.ddl = False
        self.bumping = False
        # Whether the table exists on this connection's database (asked once, and again after
        # DDL): before its migration, or after a test took the migrations back, there is none.
        self.present: bool | None = None
        self.commit = connection._commit
        self.rollback = connection._rollback
        self.savepoint_commit = connection.savepoint_commit
        self.savepoint = connection.savepoint
        self.savepoint_rollback = connection.savepoint_rollback
        # Whether the transaction had written when each open savepoint was taken: rolling back
        # to it takes back the writes since.
        self.wrote_at: dict[str, bool] = {}

    def execute(self, execute, sql: Any, params: Any, many: bool, context: dict) -> Any:
        result = execute(sql, params, many, context)
        if self.bumping or not isinstance(sql, str):
            return result
        changed, ddl = writes(sql)
        if changed:
            if self.connection.get_autocommit() or self._in_test_transaction_only():
                self._bump(guarded=ddl)
            else:
                self.wrote = True
                self.ddl = self.ddl or ddl
        return result

    def _bump(self, *, guarded: bool) -> None:
        if guarded:
            self.present = None
        elif not self._table_present():
            return
        self.bumping = True
        try:
            bump(self.connection, guarded=guarded)
        finally:
            self.bumping = False

    def _table_present(self) -> bool:
        if self.present is None:
            with self.connection.cursor() as cursor:
                self.present = TABLE in self.connection.introspection.table_names(cursor)
        return self.present

    def before_commit(self) -> Any:
        if self.wrote and self.connection.connection is not None:
            self._bump(guarded=self.ddl)
        self.wrote = self.ddl = False
        self.wrote_at.clear()
        return self.commit()

    def on_rollback(self) -> Any:
        self.wrote = self.ddl = False
        self.wrote_at.clear()
        return self.rollback()

    def on_savepoint(self) -> str | None:
        if self._in_test_transaction_only():
            # The savepoint stands for the start of a transaction the test wraps.
            self.wrote = self.ddl = False
        sid = self.savepoint()
        if sid is not None:
            self.wrote_at[sid] = self.wrote
        return sid

    def on_savepoint_rollback(self, sid: str) -> None:
        self.savepoint_rollback(sid)
        self.wrote = self.wrote_at.pop(sid, self.wrote)

    def _in_test_transaction_only(self) -> bool:
        """Inside a test case's own atomic blocks and no other: where the code ran in autocommit
        mode (a statement), or committed (a block's savepoint), had the test not wrapped it."""
        blocks = self.connection.atomic_blocks
        return bool(blocks) and all(getattr(block, "_from_testcase", False) for block in blocks)

    def on_savepoint_commit(self, sid: str) -> None:
        self.savepoint_commit(sid)
        self.wrote_at.pop(sid, None)
        if self.wrote and self._in_test_transaction_only():
            self._bump(guarded=self.ddl)
            self.wrote = self.ddl = False


def watch(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Watch ``connection``'s writes (``connection_created``; once per connection object)."""
    if getattr(connection, "_data_version_watch", None) is not None:
        return
    watcher = _Watch(connection)
    connection._data_version_watch = watcher
    connection.execute_wrappers.append(watcher.execute)
    connection._commit = watcher.before_commit
    connection._rollback = watcher.on_rollback
    connection.savepoint_commit = watcher.on_savepoint_commit
    connection.savepoint = watcher.on_savepoint
    connection.savepoint_rollback = watcher.on_savepoint_rollback
