"""Statistics kept fresh (agreements.planner): every command that writes in bulk analyses what
it wrote, and ``refresh_statistics --if-stale`` (``make run`` at start) catches the rest."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement
from agreements.planner import STALE_ROWS, app_tables, refresh_stale_statistics, stale_tables

pytestmark = pytest.mark.django_db
FIXTURE = "fixtures/iran-iraq.json"


def analysed_by(run) -> list[str]:
    """The ANALYZE statements ``run()`` sent."""
    with CaptureQueriesContext(connection) as queries:
        run()
    return [query["sql"] for query in queries.captured_queries if query["sql"].startswith("ANALYZE")]


def expected(*tables: str) -> list[str]:
    """What refresh_statistics sends for ``tables``: SQLite analyses the whole file."""
    if connection.vendor == "sqlite":
        return ["ANALYZE"]
    return [f'ANALYZE "{table}"' for table in sorted(tables)]


def test_generating_analyses_the_tables_it_wrote():
    statements = analysed_by(
        lambda: call_command("generate_synthetic_data", agreements=50, stdout=io.StringIO())
    )
    tables = [
        "agreements_agreement",
        "agreements_body",
        "agreements_clause",
        "agreements_clause_categories",
        "agreements_commitment",
        "agreements_commitment_clauses",
        "agreements_implementationevent",
        "agreements_participant",
        "agreements_person",
        "agreements_statusevent",
        "agreements_statusperiod",
    ]
    assert statements == expected(*tables)
    # And removing the synthetic data again: everything the cascade reaches.
    statements = analysed_by(
        lambda: call_command("generate_synthetic_data", delete=True, stdout=io.StringIO())
    )
    assert statements == expected(*app_tables())


def test_loading_agreements_analyses_only_when_something_changed():
    assert analysed_by(lambda: call_command("load_agreements", FIXTURE, stdout=io.StringIO())) == expected(
        *app_tables()
    )
    assert analysed_by(lambda: call_command("load_agreements", FIXTURE, stdout=io.StringIO())) == []


def test_importing_a_backup_analyses_every_table(tmp_path, demo_data):
    path = tmp_path / "tracker.json.gz"
    call_command("export_data", str(path))
    statements = analysed_by(
        lambda: call_command("import_data", str(path), interactive=False, stdout=io.StringIO())
    )
    assert statements == expected(*app_tables())


def test_every_app_table_is_named():
    tables = app_tables()
    assert {"agreements_agreement", "agreements_statusperiod", "agreements_historicalagreement"} <= set(
        tables
    )
    assert "agreements_clause_categories" in tables  # the many-to-many table too


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL counts changes only once committed")
def test_stale_statistics_are_found_and_refreshed():
    call_command("generate_synthetic_data", agreements=200, stdout=io.StringIO())
    assert stale_tables() == []
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'agreements_statusperiod'")
    assert stale_tables() == ["agreements_statusperiod"]
    # A table that shrank (or grew) by more than 10 % and 50 rows since it was analysed.
    Agreement.objects.filter(pk__in=Agreement.objects.values("pk")[: STALE_ROWS + 40]).delete()
    stale = refresh_stale_statistics()
    assert {"agreements_agreement", "agreements_statusperiod"} <= set(stale)
    assert stale_tables() == []


def test_make_run_s_check_at_start_says_what_it_refreshed():
    out = io.StringIO()
    call_command("refresh_statistics", "--if-stale", verbosity=2, stdout=out)
    call_command("refresh_statistics", "--if-stale", verbosity=2, stdout=out)
    assert out.getvalue().splitlines()[-1] == "Statistics are up to date."
    out = io.StringIO()
    call_command("refresh_statistics", stdout=out)
    assert out.getvalue() == f"Statistics refreshed ({connection.vendor}).\n"
