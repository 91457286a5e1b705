"""SQLite as the tracker serves from it: Django's backend (``base.py``) with the connection
settings of a server (``server_settings``), chosen by ``tracker/settings.py`` whenever
``DATABASE_URL`` names a SQLite file (the default).

What each setting means for a user is in the README's settings section.
"""

from __future__ import annotations

from typing import Any

ENGINE = "tracker.sqlite"
DEFAULT_BUSY_TIMEOUT_S = 20.0

# Run on every new connection (Django's ``init_command``, split at each ";").
PRAGMAS = (
    # Readers and one writer at a time, without blocking each other: a report that reads
    # for seconds no longer holds up every write (nor a write every read). Persistent:
    # the file stays in WAL mode once set.
    "PRAGMA journal_mode = WAL",
    # With WAL, a commit reaches the disk at the next checkpoint instead of at once:
    # nothing is lost if the server crashes, only the last commits if the machine does.
    "PRAGMA synchronous = NORMAL",
    # Django turns foreign keys on as well; said here so that nobody removes it unawares.
    "PRAGMA foreign_keys = ON",
)


def server_settings(database: dict[str, Any], *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> dict:
    """``database`` (one entry of ``DATABASES``, as django-environ parsed it) with our engine
    and the server's options; options given in ``DATABASE_URL`` win.

    ``transaction_mode = IMMEDIATE``: a transaction takes the write lock at ``BEGIN``, so two
    writers queue for the busy timeout instead of both reading and then one failing with
    "database is locked" when it tries to write (SQLite cannot wait at that point).
    ``timeout``: how long a writer waits for the one before it (sqlite3's busy timeout).
    """
    options = {
        "timeout": busy_timeout_s,
        "transaction_mode": "IMMEDIATE",
        "init_command": "; ".join(PRAGMAS),
        **database.get("OPTIONS", {}),
    }
    return {**database, "ENGINE": ENGINE, "OPTIONS": options}
