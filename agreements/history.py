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
    # In an editor's words: the field's label, and names instead of codes and ids.
    label: str = ""
    old_display: str = ""
    new_display: str = ""


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

    @property
    def sentence(self) -> str:
        """“Added participant Hossein Dehqan (signed) for Iran”: what happened, in a line."""
        verb = {"created": "Added", "changed": "Changed", "deleted": "Removed"}[self.action]
        if self.object_type == "agreement":
            return {"created": "Created the agreement", "changed": "Changed the agreement"}.get(
                self.action, "Deleted the agreement"
            )
        return f"{verb} {self.object_type} {self.label}"


@dataclass
class Save:
    """One write of an agreement with its parts, as the history shows it: one entry per save."""

    agreement: Entry | None
    parts: list[Entry]

    @property
    def first(self) -> Entry:
        return self.agreement or self.parts[0]


def _value(record, name: str) -> Any:
    value = getattr(record, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _entries(records: list, object_type: str, label) -> list[Entry]:
    """An entry per record, with the fields that differ from the same object's previous record."""
    if not records:
        return []
    meta = records[0]._meta
    fields = [
        f.attname
        for f in meta.fields
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
                    changes.append(_change(meta, name, old, new))
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


def _change(meta, attname: str, old: Any, new: Any) -> Change:
    name = attname.removesuffix("_id")
    model_field = next((f for f in meta.fields if f.attname == attname), None)
    label = str(getattr(model_field, "verbose_name", name)).capitalize()
    return Change(name, old, new, label=label)


def _display(value: Any, model_field, names: dict) -> str:
    """A stored value as an editor reads it: a name for an id or a code, a label for a choice."""
    if value in (None, ""):
        return "—"
    if model_field is not None and model_field.is_relation and model_field.related_model is not None:
        return names.get((model_field.related_model, value), str(value))
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


def in_editors_words(entries: list[Entry], models: dict[str, Any]) -> None:
    """Fill each change's display values: names for the ids and codes, labels for the choices.

    One query per kind of thing named (countries, people, bodies, sources …), whatever the
    number of entries.
    """
    wanted: dict[Any, set] = {}
    fields: dict[tuple[str, str], Any] = {}
    for entry in entries:
        meta = models[entry.object_type]._meta
        for change in entry.changes:
            model_field = next((f for f in meta.fields if f.name == change.field), None)
            fields[(entry.object_type, change.field)] = model_field
            if model_field is not None and model_field.is_relation and model_field.related_model is not None:
                wanted.setdefault(model_field.related_model, set()).update(
                    value for value in (change.old, change.new) if value not in (None, "")
                )
    names = {
        (model, pk): str(obj) if not hasattr(obj, "name") else obj.name
        for model, ids in wanted.items()
        for pk, obj in model.objects.in_bulk(ids).items()
    }
    for entry in entries:
        for change in entry.changes:
            model_field = fields.get((entry.object_type, change.field))
            change.old_display = _display(change.old, model_field, names)
            change.new_display = _display(change.new, model_field, names)


def agreement_saves(agreement_id: int) -> list[Save]:
    """The history grouped by save, newest first: each write of the agreement ends with the
    agreement's own record, so a save is that record and the part records made since the one before."""
    saves: list[Save] = []
    parts: list[Entry] = []
    for entry in reversed(agreement_timeline(agreement_id)):  # oldest first
        if entry.object_type == "agreement":
            saves.append(Save(entry, parts))
            parts = []
        else:
            parts.append(entry)
    if parts:
        saves.append(Save(None, parts))
    return list(reversed(saves))


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
            lambda r: f"({r.get_role_display().lower()}) for {r.party_id}",
        ),
        *clauses,
        *_entries(
            records(StatusEvent, agreement_id=agreement_id),
            "status event",
            lambda r: f"{r.get_status_display()} on {r.date}",
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
            lambda r: f"{r.get_kind_display()} on {r.date}",
        ),
    ]
    # A save that changed nothing recorded (e.g. only the derived search text) is noise.
    entries = [e for e in entries if e.action != "changed" or e.changes]
    in_editors_words(
        entries,
        {
            "agreement": Agreement,
            "participant": Participant,
            "clause": Clause,
            "status event": StatusEvent,
            "source cited": AgreementSource,
            "commitment": Commitment,
            "implementation event": ImplementationEvent,
        },
    )
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
