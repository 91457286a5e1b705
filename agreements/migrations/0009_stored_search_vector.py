"""PostgreSQL keeps each agreement's search vector in a stored generated column.

Ranking a match (``ts_rank``) needs the tsvector itself, which the expression index of
migration 0005 does not hand back: every matching row's ``search_document`` was parsed
again, so a search for a common word (50,000 matches at 250,000 agreements) took
0.9 s alone and 7 s under load. The column is computed by PostgreSQL from
``search_document`` on every write, and the GIN index moves onto it. SQLite has no
full-text index and searches ``search_document`` itself (see ``agreements.search``), so
this is not a model field and nothing happens there.
"""

from django.db import migrations

VECTOR = "to_tsvector('simple'::regconfig, COALESCE(search_document, ''))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE agreements_agreement ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX agreement_search_vector ON agreements_agreement USING gin (search_vector)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS agreement_search_fts")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX agreement_search_fts ON agreements_agreement USING gin (({VECTOR}))")
    schema_editor.execute("ALTER TABLE agreements_agreement DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0008_agreement_list_order")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
