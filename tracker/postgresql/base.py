"""Django's PostgreSQL backend with a health check that asks the socket, not the server.

With ``CONN_HEALTH_CHECKS``, Django checks a persistent connection at the first query of every
request by running ``SELECT 1``: one more round trip per request, which on a read answered by
one statement (an agreement's detail) is a third of the database's share of the request.

An idle connection receives nothing unless something happened to it: a server that shuts down
or terminates the backend sends its error and closes the socket, and a dead peer's socket
reads end-of-file. So an idle socket with nothing to read is a usable connection, and only a
socket with something waiting is asked the way Django asks (which then fails on a closed
connection, or reads a harmless notice and passes). A connection that died without a word
(a cable pulled between two hosts) is not caught here, nor by ``SELECT 1`` in time to matter:
its first query fails and the request is answered as any lost database is (503).
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base, operations
from django.db.backends.utils import CursorWrapper
from psycopg import errors


class PreparedCursor(base.ServerBindingCursor):
    """Parameters bound on the server and the statement prepared at its first run."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = True, **kwargs: Any):
        return super().execute(query, params, prepare=prepare, **kwargs)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str | None:
        # A prepared statement keeps no client-side text: spell it with its parameters as
        # Django does for client-side binding (what the debug log and CaptureQueriesContext show).
        if isinstance(cursor, PreparedCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            waiting, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the descriptor is gone
            return False
        return super().is_usable() if waiting else True

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        # Django turns preparing off for the whole connection; only ``prepared_cursor``'s cursors
        # ask for it (Django's own cursors bind on the client, and those never prepare).
        connection.prepare_threshold = 0
        return connection

    def prepared_cursor(self) -> CursorWrapper:
        """A cursor whose statements are prepared on the server at their first run, and then only
        executed: for statements whose plan does not depend on their parameters' values, such
        as a lookup by primary key. (Everything else keeps Django's client-side binding: a
        prepared statement moves to a generic plan, which on skewed data can be much worse.)"""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(PreparedCursor(self.connection))
