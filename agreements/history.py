"""Who changed what, when, and through which door.

django-simple-history records every save and delete of the models that hold
entered facts. This module adds the *interface* each change came through (admin,
api, command, web, system) and reads an agreement's history back as one timeline,
its parts' changes included, with before/after values.

Bulk writes and ``QuerySet.update()`` are not recorded by simple-history; the
services avoid them for entered facts (the only ``update()`` rewrites the derived
search document, and ``StatusPeriod`` rows, derived too, are not tracked).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

_interface: contextvars.ContextVar[str] = contextvars.ContextVar("history_interface", default="system")


class HistoryInterface(models.Model):
    """Base of every historical model: the interface the change came through."""

    interface = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        abstract = True


@contextlib.contextmanager
def recorded_as(interface: str) -> Iterator[None]:
    """Record the changes made inside the block as coming through ``interface``."""
    token = _interface.set(interface)
    try:
        yield
    finally:
        _interface.reset(token)


def current_interface() -> str:
    return _interface.get()


@receiver(pre_create_historical_record)
def _stamp_interface(sender, instance, history_instance, **kwargs) -> None:
    if hasattr(history_instance, "interface"):
        history_instance.interface = current_interface()
    # The services record a new agreement once, on its second save (see services._write).
    if getattr(instance, "record_as_created", False):
        history_instance.history_type = "+"
        instance.record_as_created = False


# --- Reading an agreement's history back -----------------------------------------------------------

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
_IGNORED = {"id", "agreement", "commitment", "version", "created_at", "updated_at"}


@dataclass
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class Entry:
    date: datetime
    user: str
    interface: str
    action: str
    object_type: str
    object_id: int
    label: str
    version: int | None = None  # for agreement entries: the version this change produced
    history_id: int | None = None
    changes: list[Change] = field(default_factory=list)


def _value(record, name: str) -> Any:
    value = getattr(record, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _entries(records: list, object_type: str, label) -> list[Entry]:
    """An entry per record, with the fields that differ from the same object's previous record."""
    if not records:
        return []
    fields = [
        f.attname
        for f in records[0]._meta.fields
        if not f.name.startswith("history_") and f.name not in _IGNORED and f.name != "interface"
    ]
    entries, previous = [], {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        changes = []
        if record.history_type != "-":
            for name in fields:
                old, new = (_value(before, name) if before else None), _value(record, name)
                if old != new and (before is not None or new not in (None, "")):
                    changes.append(Change(name.removesuffix("_id"), old, new))
        previous[record.id] = record
        entries.append(
            Entry(
                date=record.history_date,
                user=record.history_user.get_username() if record.history_user else "",
                interface=record.interface,
                action=ACTIONS[record.history_type],
                object_type=object_type,
                object_id=record.id,
                label=label(record),
                version=record.version if object_type == "agreement" else None,
                history_id=record.history_id,
                changes=changes,
            )
        )
    return entries


def agreement_timeline(agreement_id: int) -> list[Entry]:
    """Every recorded change of an agreement and of its parts, newest first."""
    from .models import (
        Agreement,
        AgreementSource,
        Clause,
        Commitment,
        ImplementationEvent,
        Participant,
        StatusEvent,
    )

    def records(model, **lookup) -> list:
        return list(model.history.filter(**lookup).select_related("history_user"))

    clauses = _entries(records(Clause, agreement_id=agreement_id), "clause", lambda r: f"clause {r.position}")
    _add_category_changes(clauses)
    entries = [
        *_entries(records(Agreement, id=agreement_id), "agreement", lambda r: r.title),
        *_entries(
            records(Participant, agreement_id=agreement_id),
            "participant",
            lambda r: f"{r.role} for {r.party_id}",
        ),
        *clauses,
        *_entries(
            records(StatusEvent, agreement_id=agreement_id),
            "status event",
            lambda r: f"{r.status} on {r.date}",
        ),
        *_entries(
            records(AgreementSource, agreement_id=agreement_id),
            "source cited",
            lambda r: f"source {r.source_id}",
        ),
        *_entries(
            records(Commitment, agreement_id=agreement_id),
            "commitment",
            lambda r: f"commitment {r.position}",
        ),
        *_entries(
            records(
                ImplementationEvent,
                commitment_id__in=Commitment.history.filter(agreement_id=agreement_id).values("id"),
            ),
            "implementation event",
            lambda r: f"{r.kind} on {r.date}",
        ),
    ]
    # A save that changed nothing recorded (e.g. only the derived search text) is noise.
    entries = [e for e in entries if e.action != "changed" or e.changes]
    return sorted(entries, key=lambda e: (e.date, e.history_id or 0), reverse=True)


def _add_category_changes(clauses: list[Entry]) -> None:
    """A clause's categories are recorded with each of its records; show them as its changes."""
    from django.apps import apps

    links = apps.get_model("agreements", "HistoricalClause_categories").objects.filter(
        history_id__in=[entry.history_id for entry in clauses]
    )
    slugs: dict[int, list[str]] = {}
    for history_id, slug in links.values_list("history_id", "clausecategory__slug"):
        slugs.setdefault(history_id, []).append(slug)
    previous: dict[int, list[str]] = {}
    for entry in sorted(clauses, key=lambda e: (e.date, e.history_id)):
        current = sorted(slugs.get(entry.history_id, []))
        before = previous.get(entry.object_id)
        if entry.action != "deleted" and current != (before or []):
            entry.changes.append(Change("categories", before, current))
        previous[entry.object_id] = current
