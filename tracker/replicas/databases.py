"""The ``DATABASES`` entries of the read replicas, from ``DATABASE_REPLICA_URLS``."""

from __future__ import annotations

from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

from .. import postgresql

ROUTER = "tracker.replicas.routing.ReplicaRouter"
MIDDLEWARE = "tracker.replicas.middleware.ReadYourWritesMiddleware"
# Seconds to wait for a replica to accept a connection before it is skipped (a URL may say otherwise).
CONNECT_TIMEOUT_S = 2


def alias(number: int) -> str:
    return f"replica{number}"


def replica_databases(primary: dict[str, Any], urls: list[str]) -> dict[str, dict[str, Any]]:
    """One ``DATABASES`` entry per replica URL (``replica1``, ``replica2``, …), connected as the
    primary is (persistent, health-checked); in tests each mirrors the test database.

    Refused, with the reason, when the primary is not PostgreSQL (SQLite has no replicas) or a
    URL names another engine.
    """
    urls = [url.strip() for url in urls if url.strip()]
    if not urls:
        return {}
    if not postgresql.is_postgresql(primary):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS is set but DATABASE_URL is not PostgreSQL: read replicas are "
            "supported on PostgreSQL only (a SQLite file has no replicas). Unset "
            "DATABASE_REPLICA_URLS, or point DATABASE_URL at the PostgreSQL primary."
        )
    entries = {}
    for number, url in enumerate(urls, start=1):
        entry = environ.Env.db_url_config(url)
        if not postgresql.is_postgresql(entry):
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS entry {number} is not a PostgreSQL URL (postgres://…): "
                "a replica is a PostgreSQL standby of DATABASE_URL."
            )
        entry["OPTIONS"] = {"connect_timeout": CONNECT_TIMEOUT_S, **entry.get("OPTIONS", {})}
        entry = postgresql.server_settings(entry) | {
            "CONN_MAX_AGE": primary.get("CONN_MAX_AGE", 0),
            "ATOMIC_REQUESTS": False,
            # The test suite has one database: a replica alias reads the test database itself.
            "TEST": {"MIRROR": "default"},
        }
        entries[alias(number)] = entry
    return entries


def check_window(*, read_your_writes_s: float, max_lag_s: float, check_s: float) -> None:
    """Refuse a read-your-writes window shorter than the staleness a usable replica may have.

    A replica is used while its lag, measured at most ``check_s`` ago, is within ``max_lag_s``:
    its data may be up to ``max_lag_s + check_s`` old. A client's reads must stay on the primary
    at least that long after its write, or its next read could miss the write.
    """
    if min(read_your_writes_s, max_lag_s, check_s) < 0:
        raise ImproperlyConfigured("REPLICA_* settings are seconds: 0 or more.")
    if read_your_writes_s < max_lag_s + check_s:
        raise ImproperlyConfigured(
            f"REPLICA_READ_YOUR_WRITES_SECONDS ({read_your_writes_s:g}) must be at least "
            f"REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS ({max_lag_s:g} + {check_s:g}): a "
            "replica may be that far behind, and a client must not read from it before its write "
            "is there."
        )


def describe(databases: dict[str, dict[str, Any]], *, shared_cache: bool, read_your_writes_s: float) -> str:
    """One line for ``make serve``'s summary: where reads go, and how writers are remembered."""
    replicas = [
        f"{name} ({entry.get('HOST') or 'localhost'}:{entry.get('PORT') or 5432})"
        for name, entry in databases.items()
        if name != "default"
    ]
    if not replicas:
        return "Read replicas: none (DATABASE_REPLICA_URLS is not set); every query goes to the primary."
    tokens = (
        "in Redis for every process"
        if shared_cache
        else "per process only, as CACHE_URL is not set (a token client without cookies may then read "
        "a replica before its write is there: set CACHE_URL=redis://…)"
    )
    return (
        f"Read replicas: {', '.join(replicas)}; reads outside transactions go to them. After a write, "
        f"a client reads the primary for {read_your_writes_s:g} s: by a signed cookie, and by its "
        f"token {tokens}."
    )
