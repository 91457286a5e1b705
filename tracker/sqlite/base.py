"""Django's SQLite backend, plus two things a server's connections need from it.

**Writers take turns.** SQLite lets one transaction write at a time; with
``transaction_mode = IMMEDIATE`` the others wait at ``BEGIN``. SQLite's own waiting (the
busy timeout) polls, every 100 ms once a writer has waited a little, so a writer that has
just arrived often takes the lock before one that has waited for seconds, and under the
mixed load of ``make load`` some writes waited many seconds while most took a fraction of
one (docs/benchmarks.md, issue 20). So here the threads of a process queue on a lock of
their own before ``BEGIN`` (woken the moment the writer before them is done), and the one
writer of each process at the head of its queue asks SQLite every 2 ms until the busy
timeout: fast enough to take its turn when another process's writer commits, before that
process hands the lock to its next writer.

**Statistics kept fresh.** SQLite's advice for applications that keep connections open:
``PRAGMA optimize`` before closing each, and now and then while it lives
(``agreements.planner.optimize``). Django closes a server's connections after
``CONN_MAX_AGE`` seconds; one kept longer is optimized at the end of a request once an hour.
"""

from __future__ import annotations

import contextlib
import threading
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

OPTIMIZE_EVERY_S = 3600
POLL_S = 0.002
# Transaction modes that take the write lock at BEGIN (DEFERRED ones may only read).
_WRITING_MODES = frozenset({"IMMEDIATE", "EXCLUSIVE"})
_turns: dict[str, threading.Lock] = {}
_turns_lock = threading.Lock()


def _turn_for(name: str) -> threading.Lock:
    """The process's one lock for the database file ``name``."""
    with _turns_lock:
        return _turns.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _optimized_at = 0.0
    _turn: threading.Lock | None = None

    def get_new_connection(self, conn_params):
        self._optimized_at = time.monotonic()
        return super().get_new_connection(conn_params)

    # --- Writers take turns -------------------------------------------------------------------

    def _start_transaction_under_autocommit(self) -> None:
        # Django begins every outermost atomic block here (BEGIN IMMEDIATE).
        if self.transaction_mode not in _WRITING_MODES:
            super()._start_transaction_under_autocommit()
            return
        timeout = self.settings_dict["OPTIONS"].get("timeout", 5)
        deadline = time.monotonic() + timeout
        turn = _turn_for(self.settings_dict["NAME"])
        if not turn.acquire(timeout=timeout):
            with self.wrap_database_errors:
                raise self.Database.OperationalError("database is locked")
        self._turn = turn
        try:
            self._begin_when_free(deadline)
        except BaseException:
            self._end_turn()
            raise

    def _begin_when_free(self, deadline: float) -> None:
        """BEGIN IMMEDIATE, asked again every ``POLL_S`` while another process writes."""
        raw = self.connection
        (busy_timeout,) = raw.execute("PRAGMA busy_timeout").fetchone()
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    super()._start_transaction_under_autocommit()
                    return
                except OperationalError as error:
                    if "database is locked" not in str(error) or time.monotonic() >= deadline:
                        raise
                time.sleep(POLL_S)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {busy_timeout}")

    def _set_autocommit(self, autocommit: bool) -> None:
        # Django turns autocommit back on once the outermost block has committed or rolled back.
        super()._set_autocommit(autocommit)
        if autocommit:
            self._end_turn()

    def _end_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()

    # --- Statistics ---------------------------------------------------------------------------

    def _close(self) -> None:
        try:
            self._optimize()
            super()._close()
        finally:
            self._end_turn()  # a connection closed inside its transaction (an error)

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
