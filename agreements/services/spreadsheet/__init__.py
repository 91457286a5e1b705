"""Bulk import of agreements from CSV and XLSX files, with a dry run (issue 18).

* ``columns`` — the sheets and their columns: what the reader accepts, the template holds and
  docs/editing.md lists;
* ``reading`` — the file into sheets of rows, each cell with its place;
* ``cells`` — a cell as a country, a choice, a partial date, categories;
* ``plan`` — the plan row by row, run through the services in one transaction;
* ``template`` — the downloadable template (XLSX and CSV).
"""

from .columns import SHEETS
from .plan import Action, ImportPlan, Problem, RowPlan, import_spreadsheet
from .reading import Cell, SpreadsheetError, Workbook, read_workbook
from .template import template_csv, template_xlsx

__all__ = [
    "SHEETS",
    "Action",
    "Cell",
    "ImportPlan",
    "Problem",
    "RowPlan",
    "SpreadsheetError",
    "Workbook",
    "import_spreadsheet",
    "read_workbook",
    "template_csv",
    "template_xlsx",
]
