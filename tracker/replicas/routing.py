"""Where each query goes: the request's routing state, and the router that reads it.

A read goes to a replica only inside a safe request (GET, HEAD, OPTIONS) of a client that has
not written recently, outside any transaction of the primary, and not about who the client is.
Everything else goes to the primary: writes, transactions and what they read, locks
(``select_for_update`` is a write to Django), reads outside a request (commands, shells, the
suite), the rest of a request once it has written, and credentials, sessions and lockouts (a
revoked token must stop working at once, a new one must work at once).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from . import health

# Who the client is and what it may do: always read from the primary.
PRIMARY_APPS = frozenset({"auth", "authtoken", "sessions", "axes"})


@dataclass
class RequestRouting:
    """The routing of one request: set by the middleware, read and updated by the router."""

    primary_only: bool
    # The replica this request reads from, chosen at its first read (one per request, so its
    # reads agree with each other); the primary when none is usable.
    alias: str | None = None
    wrote: bool = False


_current: ContextVar[RequestRouting | None] = ContextVar("replica_routing", default=None)


@contextlib.contextmanager
def request_routing(*, primary_only: bool) -> Iterator[RequestRouting]:
    """The routing state of the request handled inside."""
    state = RequestRouting(primary_only=primary_only)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


def current() -> RequestRouting | None:
    return _current.get()


class ReplicaRouter:
    """Django's database router for ``DATABASE_REPLICA_URLS`` (installed only when it is set)."""

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        state = _current.get()
        if state is None or state.primary_only or model._meta.app_label in PRIMARY_APPS:
            return DEFAULT_DB_ALIAS
        # A read inside a transaction of the primary belongs to it (it may read its own writes
        # or the rows it locked).
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if state.alias is None:
            state.alias = health.choose()
        return state.alias

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        state = _current.get()
        if state is not None:
            # From here on this request reads what it wrote.
            state.wrote = True
            state.primary_only = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        # Every alias holds the same data.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        # A replica is read-only: it gets its schema from the primary's WAL.
        return db == DEFAULT_DB_ALIAS
