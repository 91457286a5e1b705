"""The few places where PostgreSQL and SQLite spell JSON and dates differently.

The reports that build a whole JSON document in the database (the pair summary) or
expand periods into years (the dyad-year panel) are written as SQL once, and these
helpers give each engine its spelling. PostgreSQL orders inside the aggregate; SQLite
3.40 cannot, so it aggregates an ordered subquery, and it needs ``json()`` around any
value that must stay JSON when it passes through a subquery.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from django.db import connection, transaction
from django.db.models import CharField, Func
from django.db.utils import OperationalError
from psycopg.adapt import Loader

from ..choices import levels_of
from ..models import (
    Agreement,
    AgreementSource,
    Body,
    Clause,
    ClauseCategory,
    Commitment,
    Country,
    ImplementationEvent,
    Participant,
    Person,
    StatusEvent,
    StatusPeriod,
)

# Table names as the models define them, so the SQL follows any db_table change.
TABLES = {
    "agreement": Agreement._meta.db_table,
    "body": Body._meta.db_table,
    "citation": AgreementSource._meta.db_table,
    "commitment": Commitment._meta.db_table,
    "commitment_clauses": Commitment.clauses.through._meta.db_table,
    "implementation": ImplementationEvent._meta.db_table,
    "category": ClauseCategory._meta.db_table,
    "clause": Clause._meta.db_table,
    "clause_categories": Clause.categories.through._meta.db_table,
    "country": Country._meta.db_table,
    "event": StatusEvent._meta.db_table,
    "period": StatusPeriod._meta.db_table,
    "person": Person._meta.db_table,
    "participant": Participant._meta.db_table,
}


@dataclass(frozen=True)
class Dialect:
    vendor: str

    @property
    def postgres(self) -> bool:
        return self.vendor == "postgresql"

    def object(self, fields: dict[str, str]) -> str:
        """A JSON object from SQL expressions, keyed by the dict's keys."""
        function = "json_build_object" if self.postgres else "json_object"
        arguments = ", ".join(f"'{key}', {value}" for key, value in fields.items())
        return f"{function}({arguments})"

    def array(
        self, item: str, source: str, order: str, *, json_items: bool = True, distinct: bool = False
    ) -> str:
        """A JSON array (``[]`` when empty) of ``item`` over ``source`` (a FROM … WHERE clause).

        With ``distinct``, ``order`` must be ``item`` itself.
        """
        unique = "DISTINCT " if distinct else ""
        if self.postgres:
            return f"COALESCE((SELECT json_agg({unique}{item} ORDER BY {order}) {source}), '[]'::json)"
        value = "json(v)" if json_items else "v"
        ordered = f"SELECT {unique}{item} AS v {source} ORDER BY {order}"
        return f"json((SELECT json_group_array({value}) FROM ({ordered})))"

    def nested(self, subquery: str) -> str:
        """A scalar subquery returning a JSON value (or NULL), kept as JSON."""
        return f"({subquery})" if self.postgres else f"json(({subquery}))"

    def unless_null(self, column: str, value: str) -> str:
        """``value`` (JSON), or null where ``column`` is null."""
        case = f"CASE WHEN {column} IS NULL THEN NULL ELSE {value} END"
        return case if self.postgres else f"json({case})"

    def string(self, expression: str) -> str:
        """A text column as a JSON string (e.g. an item of an array of slugs)."""
        return f"to_json({expression})" if self.postgres else f"json_quote({expression})"

    def timestamp(self, expression: str) -> str:
        """A UTC timestamp as ``2017-07-23T10:00:00Z``, the API's format."""
        if self.postgres:
            return f"""to_char({expression} AT TIME ZONE 'UTC', '{_PG_TIMESTAMP}')"""
        return f"strftime('{_SQLITE_TIMESTAMP}', {expression})"

    def boolean(self, condition: str) -> str:
        if self.postgres:
            return f"({condition})"
        return f"json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)"

    def date_param(self, name: str) -> str:
        # SQLite keeps dates as ISO text; CAST(… AS date) would make a number of it.
        return f"CAST(%({name})s AS date)" if self.postgres else f"%({name})s"

    def text_param(self, name: str) -> str:
        return f"CAST(%({name})s AS text)"

    def as_text(self, expression: str) -> str:
        """The JSON document as text, so that it can be sent on without decoding."""
        return f"({expression})::text" if self.postgres else expression

    def whole_table(self, table: str) -> str:
        """``table`` in the FROM of a statement that reads all of it and groups it.

        SQLite would walk an index in the grouping's order to spare itself a sort, and then
        fetch every row out of order, several times slower than reading the table in its own
        order and sorting (docs/benchmarks.md, issue 20); ``NOT INDEXED`` makes it scan.
        PostgreSQL weighs both ways itself.
        """
        return table if self.postgres else f"{table} NOT INDEXED"

    def year(self, expression: str) -> str:
        if self.postgres:
            return f"CAST(EXTRACT(YEAR FROM {expression}) AS integer)"
        return f"CAST(strftime('%%Y', {expression}) AS integer)"

    def year_before(self, expression: str) -> str:
        """The year of the day before ``expression`` (the last year an exclusive end covers)."""
        if self.postgres:
            return f"CAST(EXTRACT(YEAR FROM {expression} - 1) AS integer)"
        return f"CAST(strftime('%%Y', {expression}, '-1 day') AS integer)"


def level_condition(column: str, scope: str) -> str:
    """``AND column IN (…)`` for the levels ``scope`` counts (empty for every level).

    The values are the vocabulary's own (``choices.levels_of``), never a request's text.
    """
    levels = levels_of(scope)
    if levels is None:
        return ""
    quoted = ", ".join(f"'{level}'" for level in levels)
    return f"AND {column} IN ({quoted})"


def current_dialect() -> Dialect:
    return Dialect(connection.vendor)


POSTGRESQL = Dialect("postgresql")
SQLITE = Dialect("sqlite")

# The API's timestamp format in each engine's spelling (``%`` doubled for the DB-API).
_PG_TIMESTAMP = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
_SQLITE_TIMESTAMP = "%%Y-%%m-%%dT%%H:%%M:%%SZ"


# --- The same spellings as ORM expressions (the CSV export builds its query with the ORM) -----------


class IsoDate(Func):
    """A date as ``YYYY-MM-DD`` text whatever the session's DateStyle (SQLite stores it so)."""

    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


class UtcTimestamp(Func):
    """A timestamp as ``2017-07-23T10:00:00Z``, the API's format."""

    template = f"to_char(%(expressions)s AT TIME ZONE 'UTC', '{_PG_TIMESTAMP}')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # The template's %% survive Django's formatting of the template as %, and the
        # backend's own formatting needs them doubled once more.
        template = f"strftime('{_SQLITE_TIMESTAMP.replace('%', '%%')}', %(expressions)s)"
        return super().as_sql(compiler, connection, template=template, **extra_context)


class _RawText(Loader):
    def load(self, data) -> bytes:
        return bytes(data)


def text_as_bytes(cursor) -> None:
    """Have this cursor return PostgreSQL text as the UTF-8 bytes that came over the wire.

    A megabyte-sized JSON document is then neither decoded into a ``str`` nor encoded
    back for the response. (SQLite returns ``str`` as usual.)
    """
    raw = getattr(cursor, "cursor", cursor)  # Django's wrapper or a psycopg cursor
    if connection.vendor == "postgresql":
        raw.adapters.register_loader("text", _RawText)


# --- How long a query may run ----------------------------------------------------------------------

# SQLite checks the clock every this many virtual-machine steps (about a millisecond's work).
_SQLITE_STEPS = 10_000


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Each query inside may run ``seconds`` at most; beyond, it fails (``is_timeout``).

    PostgreSQL: ``statement_timeout`` for this transaction only (``set_config(…, true)``,
    so a persistent connection goes back to its default at the COMMIT; one round trip).
    SQLite, which has no such setting: a progress handler that interrupts the statement.
    On PostgreSQL it opens a transaction, or joins the one already open (no savepoint: a read
    has nothing to undo, and a savepoint would cost two more round trips). On SQLite it opens
    none: every transaction there takes the write lock at BEGIN (``tracker/sqlite``), and a
    read holding it would stop every writer, and every other limited read, until it ended.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic(savepoint=False):
            with connection.cursor() as cursor:
                timeout = f"{int(seconds * 1000)}ms"
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [timeout])
            yield
        return
    connection.ensure_connection()
    raw = connection.connection
    deadline = time.monotonic() + seconds
    raw.set_progress_handler(lambda: time.monotonic() > deadline, _SQLITE_STEPS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


def is_timeout(error: BaseException) -> bool:
    """Whether a database error is a query stopped by ``time_limit``."""
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.__cause__, psycopg.errors.QueryCanceled):
        return True
    return connection.vendor == "sqlite" and "interrupted" in str(error)
