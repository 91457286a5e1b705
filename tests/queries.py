"""Query counts that depend on the engine, for the tests that pin them."""

from django.db import connection


def time_limit_queries() -> int:
    """What a time limit on a request's queries costs (``reports.sql.time_limit``): PostgreSQL
    sets ``statement_timeout`` for the transaction; SQLite's clock check costs no query."""
    return 1 if connection.vendor == "postgresql" else 0
