"""Streaming CSV: rows are written as the client reads them, never gathered in memory.

Every CSV is spreadsheet-safe (OWASP's rule against formula injection): a text cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe,
so that a spreadsheet shows it as text instead of running it. Numbers are written as they
are (a negative number stays negative). The export's cells are neutralised by the same rule
in its SQL (``reports.export``); programs that need the raw text read the JSON.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from ..reports.export import FORMULA_STARTS, SPREADSHEET_TEXT_PREFIX, csv_chunks
from ..reports.tables import Table
from .bounds import bounded_stream

CSV_TYPE = "text/csv; charset=utf-8"
ROWS_PER_CHUNK = 1_000  # fewer, larger writes; memory stays bounded by one chunk


class _Echo:
    """A file-like object whose ``write`` returns what it was given (Django's recipe)."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula, as text; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return SPREADSHEET_TEXT_PREFIX + value
    return value


def csv_lines(table: Table) -> Iterator[str]:
    header, rows = table
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(header)
    rows = iter(rows)
    while chunk := list(islice(rows, ROWS_PER_CHUNK)):
        yield "".join(writer.writerow([spreadsheet_safe(value) for value in row]) for row in chunk)


def csv_response(table: Table, filename: str, *, stream: bool = False) -> StreamingHttpResponse:
    """``table`` as a CSV download; ``stream`` for a table whose rows the database produces as
    they are read (the dyad-year panel): it then takes a stream slot (``bounds``)."""
    lines = csv_lines(table)
    content = bounded_stream(lines, filename) if stream else lines
    return _attachment(StreamingHttpResponse(content, content_type=CSV_TYPE), filename)


def export_response(queryset: QuerySet, filename: str = "agreements.csv") -> StreamingHttpResponse:
    """The agreements of ``queryset`` as the export's CSV (``reports.export``), streamed."""
    content = bounded_stream(csv_chunks(queryset), filename)
    return _attachment(StreamingHttpResponse(content, content_type=CSV_TYPE), filename)


def _attachment(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
