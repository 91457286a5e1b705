"""Bounded work per request: how long its queries may run, and how long a stream may hold a worker.

Two classes of request, each set by its view:

* **report** — the pair, partners and network reports (pages, JSON, CSV): their queries
  run under ``REPORT_TIME_LIMIT`` seconds; beyond it the answer is a 503 that says what to
  narrow (JSON under /api/, a page elsewhere).
* **stream** — the CSV export and the dyad-year panel, written while the client reads:
  at most ``STREAMS_PER_PROCESS`` at once in a process (beyond, a 503 with Retry-After), so
  that a worker always keeps threads for everything else; each ends after
  ``STREAM_TIME_LIMIT`` seconds, queries included. A stream cut short is closed without
  its end (the client sees an incomplete response, never a complete-looking short file).

A client that stops reading is the gunicorn worker's to drop (``CLIENT_STALL_SECONDS``,
``tracker/gunicorn_worker.py``): a thread blocked writing to it is in no loop of ours.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager

from django.conf import settings

from ..reports.sql import time_limit

logger = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 5
BUSY = (
    "The server is busy with other large downloads; try again in a few seconds "
    "(at most {limit} at once per server process)."
)


class BusyError(Exception):
    """Every stream slot of this process is taken."""

    def __init__(self) -> None:
        super().__init__(BUSY.format(limit=settings.STREAMS_PER_PROCESS))


class StreamCutError(Exception):
    """A stream ran past ``STREAM_TIME_LIMIT``; raised to close the connection without the end."""


def report_limit() -> AbstractContextManager[None]:
    """The report class's time limit around a report's queries."""
    return time_limit(settings.REPORT_TIME_LIMIT)


def timeout_detail(hint: str) -> str:
    return f"This took longer than the {settings.REPORT_TIME_LIMIT:g} s a report may take; {hint}"


_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0


def _stream_slots() -> threading.BoundedSemaphore:
    # Made on first use, so that a change of the setting (tests) makes a new one.
    global _slots, _slots_size
    with _slots_lock:
        if _slots is None or _slots_size != settings.STREAMS_PER_PROCESS:
            _slots_size = settings.STREAMS_PER_PROCESS
            _slots = threading.BoundedSemaphore(_slots_size)
        return _slots


def bounded_stream(chunks: Iterable[bytes], what: str) -> Iterator[bytes]:
    """``chunks`` in a stream slot and under the stream's time limit; ``BusyError`` if no slot is free.

    The slot is taken now (in the view, so that ``BusyError`` can still be answered) and given back
    when the response is closed (WSGI closes every response, however it ends).
    """
    slots = _stream_slots()
    if not slots.acquire(blocking=False):
        raise BusyError()
    return _Stream(chunks, slots, what)


class _Stream:
    """An iterator rather than a generator: closing one that never started must still free the slot."""

    def __init__(self, chunks: Iterable[bytes], slots: threading.BoundedSemaphore, what: str) -> None:
        self._chunks = chunks
        self._slots = slots
        self._what = what
        self._run = self._chunks_in_time()
        self._held = True

    def __iter__(self) -> _Stream:
        return self

    def __next__(self) -> bytes:
        return next(self._run)

    def _chunks_in_time(self) -> Iterator[bytes]:
        limit = settings.STREAM_TIME_LIMIT
        started = time.monotonic()
        with time_limit(limit):
            try:
                for chunk in self._chunks:
                    yield chunk
                    if time.monotonic() - started > limit:
                        logger.warning("Cut %s after %.0f s (STREAM_TIME_LIMIT)", self._what, limit)
                        raise StreamCutError(f"{self._what} ran past STREAM_TIME_LIMIT ({limit:g} s)")
            finally:
                # The chunks first (a COPY in progress must end before the transaction does).
                close = getattr(self._chunks, "close", None)
                if close is not None:
                    close()
                self._release()

    def close(self) -> None:
        try:
            self._run.close()
        finally:
            self._release()

    def __del__(self) -> None:
        # A response dropped without being closed (never under a WSGI server; the test client
        # does it) must not keep its slot.
        self._release()

    def _release(self) -> None:
        # At the end of the chunks, or at close() for a stream never read: whichever comes first.
        if self._held:
            self._held = False
            self._slots.release()
