"""Django's SQLite backend, plus the upkeep SQLite asks of a long-lived connection.

SQLite's advice for applications that keep connections open: ``PRAGMA optimize`` before
closing each, and now and then while it lives (``agreements.planner.optimize``). Django
closes a server's connections after ``CONN_MAX_AGE`` seconds; one kept longer is
optimized at the end of a request once an hour.
"""

from __future__ import annotations

import contextlib
import time

from django.db.backends.sqlite3 import base

OPTIMIZE_EVERY_S = 3600


class DatabaseWrapper(base.DatabaseWrapper):
    _optimized_at = 0.0

    def get_new_connection(self, conn_params):
        self._optimized_at = time.monotonic()
        return super().get_new_connection(conn_params)

    def _close(self) -> None:
        self._optimize()
        super()._close()

    def close_if_unusable_or_obsolete(self) -> None:
        # Django calls this at the start and the end of every request.
        super().close_if_unusable_or_obsolete()
        if self.connection is not None and time.monotonic() - self._optimized_at > OPTIMIZE_EVERY_S:
            self._optimize()

    def _optimize(self) -> None:
        from agreements.planner import optimize  # the app is loaded by the time anything closes

        self._optimized_at = time.monotonic()
        # A connection that is going away anyway (closed, broken) cannot be helped.
        with contextlib.suppress(self.Database.Error):
            optimize(self)
