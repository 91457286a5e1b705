"""SQLite gets a full-text index of each agreement's ``search_document`` (issue 20).

An external-content FTS5 table, kept in step by triggers on the agreements table, and filled
here from the existing rows (about 40 s at 250,000 agreements; docs/benchmarks.md). Its
definition lives in ``agreements.search.sqlite``, beside the query that reads it.
PostgreSQL has its own index since 0009, so nothing happens there.
"""

from django.db import migrations

from agreements.search import sqlite


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        sqlite.create_index(schema_editor.connection)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        sqlite.drop_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0024_versions_of_reference_records")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
