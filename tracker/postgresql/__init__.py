"""PostgreSQL as the tracker serves from it: Django's backend with a health check that costs no
round trip and a prepared cursor for primary-key lookups (``base.py``), chosen by
``tracker/settings.py`` whenever ``DATABASE_URL`` (or a replica's URL) names PostgreSQL.
"""

from __future__ import annotations

from typing import Any

ENGINE = "tracker.postgresql"
# What django-environ writes for a postgres:// URL, and what we put in its place.
DJANGO_ENGINE = "django.db.backends.postgresql"
ENGINES = (ENGINE, DJANGO_ENGINE)


def is_postgresql(database: dict[str, Any]) -> bool:
    return database.get("ENGINE") in ENGINES


def server_settings(database: dict[str, Any]) -> dict[str, Any]:
    """``database`` (one entry of ``DATABASES``) served by our backend: persistent connections
    whose health is checked at the start of each request without a query (see ``base.py``).

    Parameters stay bound on the client and are not prepared, as Django does by default —
    prepared statements move to generic plans after five runs, which made a common word's
    search twice as slow (docs/benchmarks.md, issue 17) — except where a caller asks for
    ``prepared_cursor`` (``agreements.planner.planned_once``: a lookup by primary key, the data
    version, the pair report, whose generic plans were measured as good as their custom ones).
    """
    return {**database, "ENGINE": ENGINE, "CONN_HEALTH_CHECKS": True}
