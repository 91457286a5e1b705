"""Backup and restore lose nothing: the demo data plus a varied generated dataset go through
the portable JSON export (both engines) and through pg_dump / pg_restore (PostgreSQL), and
every table's content hash is the same after as before."""

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from agreements import dataversion
from agreements.models import Agreement

from .database_content import content_hashes, django_rows
from .factories import make_varied_dataset


@pytest.fixture
def dataset(demo_data) -> list[Agreement]:
    return make_varied_dataset()


def assert_rich(hashes: dict[str, tuple[int, str]]) -> None:
    """The comparison means something only if the tables it compares hold rows."""
    for table in (
        "agreements_agreement",
        "agreements_clause_categories",
        "agreements_historicalagreement",
        "agreements_historicalclause_categories",
        "agreements_agreementrelation",
        "agreements_personname",
        "agreements_statusperiod",
        "auth_group_permissions",
    ):
        assert hashes[table][0] > 0, table


@pytest.mark.django_db
def test_the_json_export_and_import_round_trip_every_table(tmp_path, dataset, admin_user):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=admin_user)
    before = content_hashes(django_rows)
    assert_rich(before)
    version_before = dataversion.current()
    path = tmp_path / "tracker.json.gz"
    call_command("export_data", str(path))
    Agreement.objects.filter(pk=dataset[0].pk).delete()  # a change the import must undo
    call_command("import_data", str(path), interactive=False)
    after = content_hashes(django_rows)
    # The data version validates cached answers; it is not data. The import moves it on, so that
    # no ETag handed out before the restore matches an answer after it.
    assert dataversion.current().token != version_before.token
    changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
    assert {table: hashes for table, hashes in changed.items() if table != "agreements_dataversion"} == {}


def postgres_conninfo(name: str) -> str:
    settings = connection.settings_dict
    parts = {"dbname": name, "host": settings["HOST"], "port": settings["PORT"], "user": settings["USER"]}
    parts["password"] = settings["PASSWORD"]
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)


def postgres_hashes(name: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(postgres_conninfo(name)) as other:
        other.execute("SET TIME ZONE 'UTC'")
        return content_hashes(lambda query: other.execute(query).fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pg_dump_and_pg_restore_round_trip_every_table(tmp_path, dataset, monkeypatch):
    source = connection.settings_dict["NAME"]
    # Beside the test database, under a name derived from the configured one.
    scratch = source.removeprefix("test_") + "_restore"
    with psycopg.connect(postgres_conninfo("postgres"), autocommit=True) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        maintenance.execute(f'CREATE DATABASE "{scratch}"')
    try:
        path = tmp_path / "tracker.dump"
        call_command("backup_database", str(path))
        # restore_database restores into the configured database; point it at the scratch one.
        monkeypatch.setitem(connection.settings_dict, "NAME", scratch)
        call_command("restore_database", str(path))
        monkeypatch.undo()
        before = postgres_hashes(source)
        assert_rich(before)
        assert postgres_hashes(scratch) == before
    finally:
        monkeypatch.undo()
        with psycopg.connect(postgres_conninfo("postgres"), autocommit=True) as maintenance:
            maintenance.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for other engines")
@pytest.mark.django_db
def test_pg_dump_backups_are_refused_with_a_pointer_on_sqlite(tmp_path):
    path = tmp_path / "x.dump"
    path.touch()
    for command in ("backup_database", "restore_database"):
        with pytest.raises(CommandError, match=r"need PostgreSQL.*export_data"):
            call_command(command, str(path))
