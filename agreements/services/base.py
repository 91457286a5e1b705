"""The plumbing every service shares: collected errors, the version lock, cautious saves."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

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


# The versions a write may change: the one its client read, any of several (an If-Match that
# lists more than one ETag), or ``None`` when it does not care (``If-Match: *``, a command).
ExpectedVersion = int | Collection[int] | None
Row = TypeVar("Row", bound=models.Model)


class StaleVersionError(Exception):
    """The record changed since the client read it (its ``version`` moved on)."""

    def __init__(self, current: int, *, model: type[models.Model] = Agreement, pk: Any = None) -> None:
        super().__init__(f"The {model._meta.verbose_name} is at version {current}.")
        self.current, self.model, self.pk = current, model, pk


def lock(row: Row, expected_version: ExpectedVersion, *, related: tuple[str, ...] | None = None) -> Row:
    """The record's row, locked for this transaction, at a version the caller read.

    The one home of the version check: every write to a versioned record (an agreement and
    its parts, a person or a body with their other names, a source, a category, a relation)
    locks here first, so two racing writers cannot both pass. ``related``: what to read with
    it (an agreement's parties by default).
    """
    model = type(row)
    if related is None:
        related = ("party_a", "party_b") if model is Agreement else ()
    locked = model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=row.pk)
    if not version_matches(locked.version, expected_version):
        raise StaleVersionError(locked.version, model=model, pk=locked.pk)
    return locked


def touched(row: Row) -> Row:
    """Save ``row`` again so that its version moves on (a change of what belongs to it: a
    person's other names); locked first, so the version is the stored one plus one."""
    locked = lock(row, None)
    locked.save(update_fields=[])
    return locked


def version_matches(current: int, expected: ExpectedVersion) -> bool:
    if expected is None:
        return True
    if isinstance(expected, int):
        return current == expected
    return current in expected


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
