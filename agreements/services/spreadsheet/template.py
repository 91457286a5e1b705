"""The downloadable template: one sheet per kind, its columns as ``columns`` defines them.

tablib writes the XLSX (a sheet of each kind, with a row of example values, and a "columns"
sheet saying what each column takes) and the CSV (the agreements sheet alone).
"""

from __future__ import annotations

import tablib

from .columns import AGREEMENTS, GUIDE, SHEETS, SheetSpec


def _dataset(spec: SheetSpec) -> tablib.Dataset:
    dataset = tablib.Dataset(title=spec.name, headers=[column.name for column in spec.columns])
    dataset.append([column.example for column in spec.columns])
    return dataset


def _guide() -> tablib.Dataset:
    guide = tablib.Dataset(title=GUIDE, headers=["sheet", "column", "required", "what it takes"])
    for spec in SHEETS:
        for column in spec.columns:
            guide.append([spec.name, column.name, "yes" if column.required else "", column.help])
    return guide


def template_xlsx() -> bytes:
    """A workbook of the four sheets and the guide to their columns (the import skips "columns")."""
    return tablib.Databook([_dataset(spec) for spec in SHEETS] + [_guide()]).export("xlsx")


def template_csv() -> bytes:
    """The agreements sheet as CSV (UTF-8 with a byte-order mark, which Excel needs to read it)."""
    return ("\ufeff" + _dataset(AGREEMENTS).export("csv")).encode("utf-8")
