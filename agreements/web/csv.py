"""Streaming CSV: rows are written as the client reads them, never gathered in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from ..reports.export import csv_chunks
from ..reports.tables import Table

CSV_TYPE = "text/csv; charset=utf-8"
ROWS_PER_CHUNK = 1_000  # fewer, larger writes; memory stays bounded by one chunk


class _Echo:
    """A file-like object whose ``write`` returns what it was given (Django's recipe)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterator[str]:
    header, rows = table
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(header)
    rows = iter(rows)
    while chunk := list(islice(rows, ROWS_PER_CHUNK)):
        yield "".join(writer.writerow(row) for row in chunk)


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    return _attachment(StreamingHttpResponse(csv_lines(table), content_type=CSV_TYPE), filename)


def export_response(queryset: QuerySet, filename: str = "agreements.csv") -> StreamingHttpResponse:
    """The agreements of ``queryset`` as the export's CSV (``reports.export``), streamed."""
    return _attachment(StreamingHttpResponse(csv_chunks(queryset), content_type=CSV_TYPE), filename)


def _attachment(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
