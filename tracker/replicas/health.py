"""Which replicas may serve reads: those that answer, with a lag within
``REPLICA_MAX_LAG_SECONDS``, measured at most every ``REPLICA_CHECK_SECONDS`` in each process.

The lag is ``now() - pg_last_xact_replay_timestamp()`` while the replica has received WAL it
has not replayed yet, and 0 when it has replayed all it received (an idle primary writes no
transactions, so the age of the last replayed one says nothing then). A replica whose lag is
unknown, that does not answer or that fails its connection's health check is skipped until the
next measure: the request reads the primary instead, and no error reaches the client.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

REPLICA_ALIAS = re.compile(r"replica\d+")

LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


@dataclass(frozen=True)
class Status:
    checked_at: float  # time.monotonic()
    usable: bool
    reason: str  # why not usable, or the lag measured


# This process's last measure of each replica (threads share it: a measure a few seconds old
# is as good for one thread as for another).
_status: dict[str, Status] = {}


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if REPLICA_ALIAS.fullmatch(alias)]


def choose() -> str:
    """A usable replica (at random among them, spreading the load), or the primary."""
    aliases = replica_aliases()
    for alias in random.sample(aliases, len(aliases)):
        if usable(alias):
            return alias
    return DEFAULT_DB_ALIAS


def usable(alias: str) -> bool:
    now = time.monotonic()
    status = _status.get(alias)
    if status is None or now - status.checked_at >= settings.REPLICA_CHECK_SECONDS:
        return _record(alias, _measure(alias, now)).usable
    if not status.usable:
        return False
    # This thread's connection may have gone since the last measure (the replica stopped):
    # Django's health check of a reused connection, done here rather than at the first query
    # so that a failure means "skip it", not an error.
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        _close(alias)
        _record(alias, Status(now, usable=False, reason=f"not answering: {error}"))
        return False
    return True


def _measure(alias: str, now: float) -> Status:
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError as error:
        _close(alias)
        return Status(now, usable=False, reason=f"not answering: {error}")
    if lag is None:
        return Status(now, usable=False, reason="lag unknown (no transaction replayed yet)")
    limit = settings.REPLICA_MAX_LAG_SECONDS
    if float(lag) > limit:
        return Status(now, usable=False, reason=f"lagging {float(lag):.1f} s (more than {limit:g} s)")
    return Status(now, usable=True, reason=f"lag {float(lag):.1f} s")


def _record(alias: str, status: Status) -> Status:
    before = _status.get(alias)
    _status[alias] = status
    if before is None or before.usable != status.usable:
        if status.usable:
            again = "" if before is None else " again"
            logger.info("Read replica %s is used%s (%s).", alias, again, status.reason)
        else:
            logger.warning("Read replica %s is skipped, reads go to the primary: %s.", alias, status.reason)
    return status


def _close(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def note_broken_connection(execute, sql, params, many, context):
    """Every replica connection's execute wrapper: a query that fails because the replica went
    away (its connection is closed or broken) marks the replica unusable at once, so that only
    the request in flight fails and the next ones skip it without waiting for the next measure."""
    try:
        return execute(sql, params, many, context)
    except DatabaseError:
        wrapper = context["connection"]
        raw = wrapper.connection
        if raw is None or raw.closed or getattr(raw, "broken", False):
            _record(wrapper.alias, Status(time.monotonic(), usable=False, reason="its connection broke"))
        raise


def watch(sender, connection, **kwargs) -> None:
    """``connection_created``: each new replica connection gets ``note_broken_connection``."""
    if (
        REPLICA_ALIAS.fullmatch(connection.alias)
        and note_broken_connection not in connection.execute_wrappers
    ):
        connection.execute_wrappers.append(note_broken_connection)


connection_created.connect(watch, dispatch_uid="tracker.replicas.health.watch")


def forget() -> None:
    """Drop every measure (the next read measures again); for the tests."""
    _status.clear()
