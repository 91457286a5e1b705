"""The plumbing every service shares: collected errors, the version lock, cautious saves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from ..models import Agreement


@dataclass
class Errors:
    """Collects problems keyed by field path (``clauses[2].position``), to raise them all at once."""

    messages: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, message: str) -> None:
        self.messages.setdefault(path, []).append(message)

    def merge(self, prefix: str, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            path = prefix if name == "__all__" else f"{prefix}.{name}" if prefix else name
            for message in messages:
                self.add(path, message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


class StaleVersionError(Exception):
    """The agreement changed since the client read it (its ``version`` moved on)."""

    def __init__(self, current: int) -> None:
        super().__init__(f"The agreement is at version {current}.")
        self.current = current


def lock(agreement: Agreement, expected_version: int | None) -> Agreement:
    """The agreement's row, locked for this transaction, at the version the caller read."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("party_a", "party_b")
        .get(pk=agreement.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(locked.version)
    return locked


def pk_of(instance: models.Model | None) -> Any:
    return None if instance is None else instance.pk


def assign(row: models.Model, **values: Any) -> bool:
    """Set ``values`` on ``row``; whether it is new or any of them differs.

    Only such rows are validated and saved, so a write that touches one part of an
    agreement leaves the others alone: no statements, and no empty history records.
    """
    changed = row._state.adding or any(getattr(row, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(row, name, value)
    return changed


def clean(row: models.Model, path: str, errors: Errors, exclude: list[str]) -> bool:
    """Validate ``row``'s fields; problems go into ``errors`` under ``path``."""
    try:
        row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.merge(path, error)
        return False
    return True


def check_unique(row: models.Model, path: str, errors: Errors, exclude: list[str] | None = None) -> None:
    """The row's unique constraints, asked before the write rather than learnt from an IntegrityError."""
    model = type(row)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            try:
                constraint.validate(model, row, exclude=exclude)
            except ValidationError as error:
                # A constraint on one field is that field's problem (as Django's own forms say).
                key = constraint.fields[0] if len(constraint.fields) == 1 else "__all__"
                errors.merge(path, ValidationError({key: error.messages}))
