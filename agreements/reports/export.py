"""The agreements as one CSV file, written by the database and streamed.

``GET /api/agreements/export.csv`` (``web.csv.export_response``) takes the list's filters
and ordering and answers one row per agreement with its own fields (its parts stay in the JSON API). Every
value is formatted in SQL, the same way on both engines, so the two give the same
bytes: ISO dates with a precision column beside each, UTC timestamps as the API writes
them, 1/0 for yes/no, and an empty field for empty text.

* On PostgreSQL the database writes the CSV itself: ``COPY (<the list's query>) TO
  STDOUT WITH (FORMAT csv)``, read and sent on in 256 KiB chunks, so 250,000
  agreements cost about what COPY costs and never sit in memory. One query.
* Elsewhere (SQLite) a chunked cursor feeds ``csv.writer`` in blocks of rows.

Free text is made spreadsheet-safe in the SQL itself, so on both paths: a cell beginning
with one of ``FORMULA_STARTS`` gets a leading apostrophe (OWASP's rule against formula
injection; ``web.csv`` applies the same rule to the CSVs written in Python). Numbers,
dates and the codes of choices cannot begin so and are left as they are.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import islice

from django.db import connection
from django.db.models import Case, F, IntegerField, QuerySet, TextField, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Concat, NullIf, Substr
from django.db.models.lookups import In

from .sql import IsoDate, UtcTimestamp

CHUNK_BYTES = 256 * 1024
ROWS_PER_CHUNK = 2_000  # the portable path: rows fetched and written at a time
# What a spreadsheet takes for the start of a formula (OWASP), and what makes such a cell text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SPREADSHEET_TEXT_PREFIX = "'"


def _text(name: str) -> Expression:
    return NullIf(F(name), Value(""), output_field=TextField())


def _free_text(name: str) -> Expression:
    """Text as typed, spreadsheet-safe: ``'=HYPERLINK(…)`` rather than ``=HYPERLINK(…)``."""
    starts_a_formula = In(Substr(F(name), 1, 1), list(FORMULA_STARTS))
    safe = Case(
        When(starts_a_formula, then=Concat(Value(SPREADSHEET_TEXT_PREFIX), F(name))),
        default=F(name),
        output_field=TextField(),
    )
    return NullIf(safe, Value(""), output_field=TextField())


def _flag(name: str) -> Expression:
    return Cast(F(name), IntegerField())


def _date(name: str) -> dict[str, Expression]:
    return {name: IsoDate(F(name)), f"{name}_precision": _text(f"{name}_precision")}


COLUMNS: dict[str, Expression] = {
    "id": F("id"),
    "title": _free_text("title"),
    "kind": _text("kind"),
    "party_a": F("party_a_id"),
    "party_b": F("party_b_id"),
    "body_a": F("body_a_id"),
    "body_b": F("body_b_id"),
    "level": _text("level"),
    "status": _text("status"),
    **_date("signed_on"),
    **_date("in_force_from"),
    **_date("ended_on"),
    "place_of_signature": _free_text("place_of_signature"),
    "disclosure": _text("disclosure"),
    "evidence": _text("evidence"),
    "unts_registration": _free_text("unts_registration"),
    "wikidata_qid": _free_text("wikidata_qid"),
    "atop_id": _free_text("atop_id"),
    "dcad_id": _free_text("dcad_id"),
    "summary": _free_text("summary"),
    "full_text": _free_text("full_text"),
    "is_synthetic": _flag("is_synthetic"),
    "version": F("version"),
    "created_at": UtcTimestamp(F("created_at")),
    "updated_at": UtcTimestamp(F("updated_at")),
}
HEADER = ",".join(COLUMNS) + "\n"


def export_rows(queryset: QuerySet) -> QuerySet:
    """``queryset`` (filtered and ordered as the list) as tuples of the CSV's columns."""
    aliases = {f"csv_{name}": expression for name, expression in COLUMNS.items()}
    return queryset.annotate(**aliases).values_list(*aliases)


def copy_statement(queryset: QuerySet) -> str:
    """The ``COPY … TO STDOUT`` that writes the rows of ``queryset`` as CSV (PostgreSQL)."""
    sql, params = export_rows(queryset).query.sql_with_params()
    # COPY takes no bind parameters: they are inlined, quoted by psycopg.
    return connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)


def _copy_chunks(statement: str) -> Iterator[bytes]:
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        buffer = bytearray()
        for data in copy:  # a row at a time, as libpq hands them over
            buffer += data
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)
    if connection.queries_logged:
        # Django logs what goes through execute(); COPY does not, and a pinned query count
        # should still see it.
        connection.queries_log.append({"sql": statement, "time": f"{time.monotonic() - started:.3f}"})


def _cell(value: object) -> str:
    """A value as COPY's CSV writes it: NULL empty, quoted when it holds a comma, a quote, a
    carriage return or a line feed (Python's csv.writer leaves a lone carriage return
    unquoted with a "\\n" line ending, which splits the row in every reader)."""
    if value is None:
        return ""
    text = str(value)
    if any(character in text for character in ',"\r\n') or text == "\\.":
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_chunks(queryset: QuerySet) -> Iterator[bytes]:
    rows = export_rows(queryset).iterator(chunk_size=ROWS_PER_CHUNK)
    while chunk := list(islice(rows, ROWS_PER_CHUNK)):
        yield "".join(",".join(map(_cell, row)) + "\n" for row in chunk).encode()


def csv_chunks(queryset: QuerySet) -> Iterator[bytes]:
    """The header, then the rows of ``queryset`` as CSV, in chunks."""
    yield HEADER.encode()
    if connection.vendor == "postgresql":
        yield from _copy_chunks(copy_statement(queryset))
    else:
        yield from _csv_chunks(queryset)
