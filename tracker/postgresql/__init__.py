"""PostgreSQL as the tracker serves from it: Django's backend with a health check that costs no
round trip (``base.py``), chosen by ``tracker/settings.py`` whenever ``DATABASE_URL`` (or a
replica's URL) names PostgreSQL.
"""

from __future__ import annotations

from typing import Any

ENGINE = "tracker.postgresql"
# What django-environ writes for a postgres:// URL, and what we put in its place.
DJANGO_ENGINE = "django.db.backends.postgresql"
ENGINES = (ENGINE, DJANGO_ENGINE)


def is_postgresql(database: dict[str, Any]) -> bool:
    return database.get("ENGINE") in ENGINES


# psycopg prepares a statement on the server after this many runs on one connection.
DEFAULT_PREPARE_THRESHOLD = 5


def server_settings(
    database: dict[str, Any], *, prepare_threshold: int | None = DEFAULT_PREPARE_THRESHOLD
) -> dict:
    """``database`` (one entry of ``DATABASES``) served by our backend: persistent connections
    whose health is checked at the start of each request without a query (see ``base.py``),
    and parameters bound by the server, so that a statement run again and again (an
    agreement's detail, a page of the list, a pair report) is planned once per connection and
    then only executed: planning the document of one agreement costs twice its execution.

    Django binds on the client and prepares nothing by default, for the sake of a pooler in
    transaction mode (PgBouncer before 1.21) between it and the database, where a prepared
    statement may be missing on the next transaction's server connection: there,
    ``prepare_threshold=None`` (``DATABASE_PREPARE_THRESHOLD=off``) turns preparing off.
    Options given in the URL win.
    """
    options = {
        "server_side_binding": True,
        "prepare_threshold": prepare_threshold,
        **database.get("OPTIONS", {}),
    }
    return {**database, "ENGINE": ENGINE, "CONN_HEALTH_CHECKS": True, "OPTIONS": options}
