"""One part of an agreement at a time: add, replace or remove a participant, clause, event, citation
or commitment.

A part is written as a change of its agreement: the whole collection, with the one part
spliced in or out, goes through ``agreement_update``, so every rule of the agreement
applies, the agreement's version check guards it, and the history records it once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import transaction

from ..models import Agreement
from .agreements import agreement_update
from .base import ExpectedVersion, lock
from .inputs import PART_COLLECTIONS, agreement_to_input

# How a part is named in a URL: citations by the source they cite, the others by id.
PART_KEYS = {
    "participants": "pk",
    "clauses": "pk",
    "events": "pk",
    "citations": "source_id",
    "commitments": "pk",
}


class PartNotFoundError(LookupError):
    """The agreement has no such part."""


def _keys(agreement: Agreement, collection: str) -> list[Any]:
    return [getattr(part, PART_KEYS[collection]) for part in getattr(agreement, collection).all()]


def _splice(
    agreement: Agreement,
    collection: str,
    key: Any | None,
    item: Any | None,
    expected_version: ExpectedVersion,
) -> tuple[Agreement, Any | None]:
    """Replace (``key`` and ``item``), add (``key`` None) or remove (``item`` None) one part."""
    if collection not in PART_COLLECTIONS:
        raise ValueError(f"Unknown collection {collection!r}.")
    with transaction.atomic():
        lock(agreement, expected_version)
        current = Agreement.objects.with_details().get(pk=agreement.pk)
        before = _keys(current, collection)
        data = agreement_to_input(current)
        items = list(getattr(data, collection))  # in the same order as ``before``
        if key is None:
            index = len(items)
        elif key in before:
            index = before.index(key)
        else:
            raise PartNotFoundError(f"No such part of agreement {agreement.pk}.")
        if collection == "commitments" and item is not None and item.position is None:
            # Unnumbered: where the commitment it replaces stood, or after the others.
            taken = [c.position for c in items if c.position is not None]
            position = items[index].position if key is not None else max(taken, default=0) + 1
            item = replace(item, position=position)
        items[index : index + (key is not None)] = [] if item is None else [item]
        changed = agreement_update(
            agreement=current, data=replace(data, **{collection: items}), expected_version=expected_version
        )
    if item is None:
        return changed, None
    after = _keys(changed, collection)
    # The part keeps its id unless its natural key changed (e.g. a clause's position).
    written = key if key in after else next((k for k in after if k not in before), key)
    return changed, written


def agreement_part_add(
    *, agreement: Agreement, collection: str, item: Any, expected_version: ExpectedVersion = None
) -> tuple[Agreement, Any]:
    """Add ``item`` to the agreement's ``collection``; the agreement and the new part's key."""
    return _splice(agreement, collection, None, item, expected_version)


def agreement_part_replace(
    *, agreement: Agreement, collection: str, key: Any, item: Any, expected_version: ExpectedVersion = None
) -> tuple[Agreement, Any]:
    """Replace the part named ``key``; the agreement and the part's key (new if its natural key changed)."""
    return _splice(agreement, collection, key, item, expected_version)


def agreement_part_remove(
    *, agreement: Agreement, collection: str, key: Any, expected_version: ExpectedVersion = None
) -> Agreement:
    """Remove the part named ``key`` from the agreement."""
    return _splice(agreement, collection, key, None, expected_version)[0]
