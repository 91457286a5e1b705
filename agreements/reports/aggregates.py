"""A string aggregate that both engines have (Django 5.2 has it only for PostgreSQL)."""

from django.db.models import Aggregate, CharField


class DistinctList(Aggregate):
    """The distinct values of a text expression joined by commas, in no particular order."""

    function = "STRING_AGG"
    template = "%(function)s(DISTINCT %(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's DISTINCT aggregate takes one argument; its default separator is ",".
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(DISTINCT %(expressions)s)"
        )


def split_list(value: str | None) -> list[str]:
    return sorted(value.split(",")) if value else []
