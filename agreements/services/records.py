"""Records a client changes whole, field by field, with no rule beyond their own fields'
(sources, clause categories), and the deletion of any versioned record: under the version
check (``base.lock``), like every other write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from .base import ExpectedVersion, Row, lock


def record_update(*, row: Row, values: Mapping[str, Any], expected_version: ExpectedVersion = None) -> Row:
    """Set ``values`` (already validated) on the stored row, if it is at a version the caller read."""
    with transaction.atomic():
        locked = lock(row, expected_version)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
    return locked


def record_delete(*, row: Row, expected_version: ExpectedVersion = None) -> None:
    """Delete the row if it is at a version the caller read (``ProtectedError`` while referred to)."""
    with transaction.atomic():
        lock(row, expected_version).delete()
