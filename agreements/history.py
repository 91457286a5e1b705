"""Who changed what, when, and through which door.

django-simple-history records every save and delete of the models that hold
entered facts. This module adds the *interface* each change came through (admin,
api, command, import, web, system) and reads an agreement's history back as one timeline,
its parts' changes included, with before/after values.

Bulk writes and ``QuerySet.update()`` are not recorded by simple-history; the
services avoid them for entered facts (the only ``update()`` rewrites the derived
search document, and ``StatusPeriod`` rows, derived too, are not tracked).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .dates import format_partial_date

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
                    change = _change(meta, name, old, new)
                    model_field = next(f for f in meta.fields if f.attname == name)
                    if isinstance(model_field, models.DateField) and not isinstance(
                        model_field, models.DateTimeField
                    ):
                        # "23 July 2017" or "July 2017", as the pages write it, with its precision.
                        change.old_display = _partial_date(before, name, old)
                        change.new_display = _partial_date(record, name, new)
                    changes.append(change)
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


def _partial_date(record, name: str, value: str | None) -> str:
    if not value:
        return "—"
    precision = getattr(record, f"{name}_precision", None) or "day"
    return format_partial_date(date.fromisoformat(value), precision)


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
            # Partial dates and categories come with their display already (``_entries``).
            change.old_display = change.old_display or _display(change.old, model_field, names)
            change.new_display = change.new_display or _display(change.new, model_field, names)


def agreement_saves(agreement_id: int) -> list[Save]:
    """The history grouped by save, newest first: each write of the agreement ends with the
    agreement's own record, so a save is that record and the part records made since the one before."""
    return saves_of(agreement_timeline(agreement_id))


def saves_of(timeline: list[Entry]) -> list[Save]:
    """One agreement's timeline (newest first) grouped by save, newest first."""
    saves: list[Save] = []
    parts: list[Entry] = []
    for entry in reversed(timeline):  # oldest first
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
    return agreement_timelines([agreement_id]).get(agreement_id, [])


def agreement_timelines(agreement_ids: Iterable[int]) -> dict[int, list[Entry]]:
    """``agreement_timeline`` for several agreements at once, keyed by agreement id.

    The same number of queries for one agreement or a thousand (one per kind of part, and one
    per kind of thing the changes name), so a report over a pair's history stays bounded.
    """
    from .models import (
        Agreement,
        AgreementSource,
        Clause,
        Commitment,
        ImplementationEvent,
        Participant,
        StatusEvent,
    )

    ids = list(agreement_ids)

    def records(model, **lookup) -> list:
        return list(model.history.filter(**lookup).select_related("history_user"))

    commitments = records(Commitment, agreement_id__in=ids)
    # An implementation event names its commitment; the commitment's records name the agreement.
    agreement_of_commitment = {record.id: record.agreement_id for record in commitments}
    kinds = [
        ("agreement", records(Agreement, id__in=ids), lambda r: r.title),
        ("participant", records(Participant, agreement_id__in=ids), _participant_label),
        # The sentence names the kind of part: "Added clause 3", not "Added clause clause 3".
        ("clause", records(Clause, agreement_id__in=ids), lambda r: str(r.position)),
        ("status event", records(StatusEvent, agreement_id__in=ids), _dated_label("status")),
        ("source cited", records(AgreementSource, agreement_id__in=ids), lambda r: f"source {r.source_id}"),
        ("commitment", commitments, lambda r: str(r.position)),
        (
            "implementation event",
            records(ImplementationEvent, commitment_id__in=list(agreement_of_commitment)),
            _dated_label("kind"),
        ),
    ]
    by_agreement: dict[int, list[Entry]] = {pk: [] for pk in ids}
    clauses: list[Entry] = []
    for object_type, found, label in kinds:
        owned: dict[int, list] = {}
        for record in found:
            if object_type == "agreement":
                owner = record.id
            elif object_type == "implementation event":
                owner = agreement_of_commitment[record.commitment_id]
            else:
                owner = record.agreement_id
            owned.setdefault(owner, []).append(record)
        for owner, its_records in owned.items():
            entries = _entries(its_records, object_type, label)
            if object_type == "clause":
                clauses += entries
            by_agreement.setdefault(owner, []).extend(entries)
    _add_category_changes(clauses)
    everything: list[Entry] = []
    for owner, entries in by_agreement.items():
        # A save that changed nothing recorded (e.g. only the derived search text) is noise.
        kept = [e for e in entries if e.action != "changed" or e.changes]
        by_agreement[owner] = sorted(kept, key=lambda e: (e.date, e.history_id or 0), reverse=True)
        everything += kept
    in_editors_words(
        everything,
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
    return by_agreement


def _participant_label(record) -> str:
    return f"({record.get_role_display().lower()}) for {record.party_id}"


def _dated_label(choice: str):
    """“Ratified on 23 July 2017”: the choice's label and the date as people write it."""

    def label(record) -> str:
        shown = getattr(record, f"get_{choice}_display")()
        return f"{shown} on {format_partial_date(record.date, record.date_precision)}"

    return label


def _add_category_changes(clauses: list[Entry]) -> None:
    """A clause's categories are recorded with each of its records; show them as its changes
    (the values are slugs, what is shown their names)."""
    from django.apps import apps

    links = apps.get_model("agreements", "HistoricalClause_categories").objects.filter(
        history_id__in=[entry.history_id for entry in clauses]
    )
    slugs: dict[int, list[str]] = {}
    names: dict[str, str] = {}
    for history_id, slug, name in links.values_list(
        "history_id", "clausecategory__slug", "clausecategory__name"
    ):
        slugs.setdefault(history_id, []).append(slug)
        names[slug] = name

    def shown(value: list[str] | None) -> str:
        return ", ".join(names.get(slug, slug) for slug in value) if value else "—"

    previous: dict[int, list[str]] = {}
    for entry in sorted(clauses, key=lambda e: (e.date, e.history_id)):
        current = sorted(slugs.get(entry.history_id, []))
        before = previous.get(entry.object_id)
        if entry.action != "deleted" and current != (before or []):
            change = Change("categories", before, current, label="Categories")
            change.old_display, change.new_display = shown(before), shown(current)
            entry.changes.append(change)
        previous[entry.object_id] = current
