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

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            waiting, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the descriptor is gone
            return False
        return super().is_usable() if waiting else True
