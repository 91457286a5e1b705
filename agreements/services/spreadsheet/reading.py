"""Reading a CSV or XLSX file into sheets of rows, each cell with its place in the file.

openpyxl reads XLSX (values, not formulas: ``data_only``) and the standard library's ``csv``
reads CSV; both keep the row numbers an editor sees in the spreadsheet, blank rows included,
so that every message can name its cell.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .columns import AGREEMENTS, GUIDE, SHEETS_BY_NAME, SheetSpec

# A cell holds text, a number or a date (XLSX); empty cells are None.
Value = str | int | float | datetime.date | datetime.datetime | None


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (its format, its sheets or its headers)."""


@dataclass(frozen=True)
class Cell:
    """Where a value is: the sheet, the column (letter and header) and the row number."""

    sheet: str
    column: str  # letter: A, B, … AA
    header: str
    row: int

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row} ({self.header})"


@dataclass
class Row:
    sheet: Sheet
    number: int
    values: dict[str, Value]

    def get(self, name: str) -> Value:
        return self.values.get(name)

    def text(self, name: str) -> str:
        """The cell as text: stripped, and a whole number without ``.0`` (an XLSX number cell)."""
        value = self.values.get(name)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def cell(self, name: str) -> Cell:
        """The cell of column ``name`` in this row (the row's first cell when the sheet lacks it)."""
        letter, header = self.sheet.columns.get(name, ("A", self.sheet.first_header))
        return Cell(self.sheet.title, letter, header, self.number)


@dataclass
class Sheet:
    spec: SheetSpec
    title: str  # as spelt in the file
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (letter, header)
    rows: list[Row] = field(default_factory=list)

    @property
    def first_header(self) -> str:
        return next(iter(self.columns.values()), ("A", ""))[1]


@dataclass
class Workbook:
    name: str
    sheets: dict[str, Sheet]  # by spec name

    @property
    def agreements(self) -> Sheet:
        return self.sheets[AGREEMENTS.name]


def _key(text: Any) -> str:
    return "_".join(str(text or "").strip().casefold().replace("-", " ").split())


def read_workbook(content: bytes, filename: str) -> Workbook:
    """The sheets of an ``.xlsx`` or ``.csv`` file (told by the name's ending)."""
    lowered = filename.casefold()
    if lowered.endswith(".csv"):
        return Workbook(filename, {AGREEMENTS.name: _sheet(AGREEMENTS, AGREEMENTS.name, _csv_rows(content))})
    if lowered.endswith(".xlsx"):
        return Workbook(filename, _xlsx_sheets(content))
    raise SpreadsheetError(f"“{filename}” is neither a CSV file (.csv) nor an Excel workbook (.xlsx).")


def _csv_rows(content: bytes) -> list[list[Value]]:
    try:
        text = content.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        raise SpreadsheetError("The CSV file is not UTF-8 text; save it as “CSV UTF-8”.") from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [
        [value if value != "" else None for value in row] for row in csv.reader(io.StringIO(text), dialect)
    ]


def _xlsx_sheets(content: bytes) -> dict[str, Sheet]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheets = _read_book(book)
        finally:
            book.close()
    except SpreadsheetError:
        raise
    # What openpyxl raises for a file that is no workbook, or one whose parts are damaged.
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, ParseError):
        raise SpreadsheetError("The file is not an Excel workbook (.xlsx) that can be read.") from None
    if AGREEMENTS.name not in sheets:
        raise SpreadsheetError("The workbook has no sheet named “agreements”.")
    return sheets


def _read_book(book) -> dict[str, Sheet]:
    sheets: dict[str, Sheet] = {}
    worksheets = list(book.worksheets)
    for index, worksheet in enumerate(worksheets):
        name = _key(worksheet.title)
        if name == GUIDE:
            continue  # the template's guide to the columns
        if name not in SHEETS_BY_NAME:
            if index == 0 and len(worksheets) == 1:
                name = AGREEMENTS.name  # a lone sheet is the agreements, whatever its name
            else:
                known = ", ".join(SHEETS_BY_NAME)
                raise SpreadsheetError(
                    f"Sheet “{worksheet.title}” is not one this import reads; name the sheets {known}."
                )
        if name in sheets:
            raise SpreadsheetError(f"There are two sheets of {name}; keep one.")
        rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
        sheets[name] = _sheet(SHEETS_BY_NAME[name], worksheet.title, rows)
    return sheets


def _sheet(spec: SheetSpec, title: str, rows: list[list[Value]]) -> Sheet:
    sheet = Sheet(spec, title)
    if not rows or not any(value is not None for value in rows[0]):
        raise SpreadsheetError(f"Sheet “{title}”: the first row must name the columns.")
    names: list[str | None] = []
    for index, header in enumerate(rows[0]):
        letter = get_column_letter(index + 1)
        if header is None or str(header).strip() == "":
            names.append(None)
            continue
        name = _key(header)
        if spec.column(name) is None:
            known = ", ".join(column.name for column in spec.columns)
            raise SpreadsheetError(
                f"Sheet “{title}”, column {letter}: “{header}” is not a column of {spec.name}; "
                f"the columns are {known}."
            )
        if name in sheet.columns:
            raise SpreadsheetError(f"Sheet “{title}”: column “{header}” appears twice.")
        sheet.columns[name] = (letter, str(header).strip())
        names.append(name)
    missing = [c.name for c in spec.columns if c.required and c.name not in sheet.columns]
    if missing:
        raise SpreadsheetError(f"Sheet “{title}” lacks the column(s) {', '.join(missing)}.")
    for number, values in enumerate(rows[1:], start=2):
        for index, value in enumerate(values):
            unnamed = index >= len(names) or names[index] is None
            if unnamed and _clean(value) is not None:
                letter = get_column_letter(index + 1)
                raise SpreadsheetError(
                    f"Sheet “{title}”, cell {letter}{number}: the column has no header; name it or empty it."
                )
        cells = {name: _clean(value) for name, value in zip(names, values, strict=False) if name is not None}
        if any(value is not None for value in cells.values()):  # blank rows are skipped, not refused
            sheet.rows.append(Row(sheet, number, cells))
    return sheet


def _clean(value: Value) -> Value:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
