"""What a database holds, as one content hash per table, to prove that something changed
nothing (bad input) or lost nothing (backup and restore)."""

import hashlib
from collections.abc import Callable, Iterable

from django.apps import apps
from django.db import connection

ACCOUNT_TABLES = {"auth_user", "auth_group", "auth_user_groups", "authtoken_token"}
# Permission ids are Django's own numbering (rebuilt by migrate or flush), so a group's
# permissions are compared by what they are, not by id.
GROUP_PERMISSIONS = (
    "SELECT g.name, t.app_label, t.model, p.codename FROM auth_group_permissions gp "
    "JOIN auth_group g ON g.id = gp.group_id JOIN auth_permission p ON p.id = gp.permission_id "
    "JOIN django_content_type t ON t.id = p.content_type_id"
)


def hashed_queries() -> dict[str, str]:
    """Table → the query whose rows are hashed: every agreements_* table, history included,
    and the accounts. An automatic many-to-many table's own id is left out: the export
    stores the links, and a load numbers them afresh."""
    queries = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if not (table.startswith("agreements_") or table in ACCOUNT_TABLES):
            continue
        columns = [
            f'"{field.column}"'
            for field in model._meta.concrete_fields
            if not (model._meta.auto_created and field.primary_key)
        ]
        queries[table] = f'SELECT {", ".join(columns)} FROM "{table}"'
    queries["auth_group_permissions"] = GROUP_PERMISSIONS
    return queries


def content_hashes(run: Callable[[str], Iterable[tuple]]) -> dict[str, tuple[int, str]]:
    """Table → (rows, SHA-256 of its rows in a canonical order)."""
    hashes = {}
    for table, query in sorted(hashed_queries().items()):
        rows = sorted(repr(tuple(row)) for row in run(query))
        hashes[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return hashes


def django_rows(query: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


def snapshot() -> dict[str, tuple[int, str]]:
    """The content hash of every table, through the test's own connection (and transaction)."""
    return content_hashes(django_rows)
