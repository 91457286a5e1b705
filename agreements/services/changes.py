"""The change events of a write: what happened, told once, in the write's own transaction.

``agreements._write`` hands over the agreement as it was and as it is; ``changes_between``
says what happened in words and in data, and ``record_changes`` adds the rows to the
outbox (``ChangeEvent``) that feeds, digests and webhooks read. Nothing here sends
anything: what is committed is told, what is rolled back never was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..choices import ParticipantRole, Status
from ..dates import PartialDate
from ..models import Agreement, ChangeEvent, ChangeEventCategory, ClauseCategory
from ..models.changes import ChangeKind
from .inputs import AGREEMENT_FIELDS, AgreementIn, ClauseIn, CommitmentIn, ParticipantIn


@dataclass(frozen=True)
class Change:
    kind: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


def _status(value: str) -> str:
    return str(Status(value).label) if value in Status.values else "no status"


def _participant_key(p: ParticipantIn) -> tuple:
    person = getattr(p.person, "pk", None) or getattr(p.person, "name", None)
    return (person, p.description if p.person is None else "", p.party, p.role)


def _participant(p: ParticipantIn) -> str:
    who = p.person.name if p.person is not None else f"not named ({p.description})"
    return f"{who}, {ParticipantRole(p.role).label.lower()} for {p.party}"


def _participant_facts(p: ParticipantIn) -> tuple:
    return (getattr(p.body, "pk", None), p.office, p.rank, p.note, getattr(p.source, "pk", None))


def _clause_facts(c: ClauseIn) -> tuple:
    return (c.text, c.article, tuple(sorted(k.pk for k in c.categories)), getattr(c.source, "pk", None))


def _commitment_facts(c: CommitmentIn) -> tuple:
    events = tuple((e.kind, e.date, e.new_due) for e in c.events)
    return (c.text, c.party, tuple(sorted(c.clauses)), c.due, c.due_note, events)


def _value(value: Any) -> Any:
    """A field's value as JSON tells it: an id for a record, text for a date."""
    if hasattr(value, "pk"):
        return value.pk
    return str(value) if value is not None and not isinstance(value, (str, int, bool)) else value


def changes_between(
    before: AgreementIn | None, before_status: str, after: AgreementIn, after_status: str
) -> list[Change]:
    """What happened between two states of an agreement (``before`` None: it was created)."""
    if before is None:
        return [Change(ChangeKind.AGREEMENT_ADDED, f"Added: {after.title}", {"status": after_status})]
    changes: list[Change] = []
    if before_status != after_status:
        when = _status_date(after, after_status)
        on = f" on {when}" if when else ""
        changes.append(
            Change(
                ChangeKind.STATUS_CHANGED,
                f"Status: {_status(before_status)} → {_status(after_status)}{on}",
                {
                    "from": before_status,
                    "to": after_status,
                    "date": when.value.isoformat() if when else None,
                    "date_precision": when.precision if when else None,
                },
            )
        )
    for name in ("party_a", "party_b", "level", "body_a", "body_b", *AGREEMENT_FIELDS):
        old, new = _value(getattr(before, name)), _value(getattr(after, name))
        if name == "level" and new is None:
            continue
        if old != new:
            label = str(Agreement._meta.get_field(name).verbose_name).capitalize()
            changes.append(
                Change(
                    ChangeKind.FACT_CORRECTED,
                    f"{label} corrected: “{old or '—'}” → “{new or '—'}”",
                    {"field": name, "before": old, "after": new},
                )
            )
    changes += _parts(
        before.participants,
        after.participants,
        _participant_key,
        _participant_facts,
        _participant,
        (ChangeKind.PARTICIPANT_ADDED, ChangeKind.PARTICIPANT_CHANGED),
    )
    changes += _parts(
        before.clauses,
        after.clauses,
        lambda c: c.position,
        _clause_facts,
        lambda c: f"clause {c.position}: {c.text[:80]}",
        (ChangeKind.CLAUSE_ADDED, ChangeKind.CLAUSE_CHANGED),
    )
    changes += _parts(
        before.commitments,
        after.commitments,
        lambda c: c.position,
        _commitment_facts,
        lambda c: f"commitment {c.position}: {c.text[:80]}",
        (ChangeKind.COMMITMENT_ADDED, ChangeKind.COMMITMENT_CHANGED),
    )
    return changes


def _status_date(data: AgreementIn, status: str) -> PartialDate | None:
    """The date of the latest recorded event that gave the agreement ``status``."""
    dates = [event.date for event in data.events or () if event.status == status]
    return max(dates, key=lambda d: (d.value, d.precision == "day"), default=None)


def _parts(before, after, key, facts, describe, kinds: tuple[str, str]) -> list[Change]:
    """Parts added, changed or removed (a removal is told as a change of the collection)."""
    if after is None:
        return []
    old = {key(part): part for part in before or ()}
    new = {key(part): part for part in after}
    added, changed = kinds
    told = []
    for part_key, part in new.items():
        if part_key not in old:
            told.append(Change(added, f"Added {describe(part)}", {"key": _value(part_key)}))
        elif facts(old[part_key]) != facts(part):
            told.append(Change(changed, f"Changed {describe(part)}", {"key": _value(part_key)}))
    for part_key, part in old.items():
        if part_key not in new:
            told.append(
                Change(changed, f"Removed {describe(part)}", {"key": _value(part_key), "removed": True})
            )
    return told


def agreement_categories(agreement_id: int) -> list[str]:
    """The slugs of the categories an agreement's clauses cover, their parents included."""
    tagged = ClauseCategory.objects.filter(clauses__agreement=agreement_id).select_related("parent")
    return categories_covered(tagged)


def categories_covered(categories: Iterable[ClauseCategory]) -> list[str]:
    """The slugs of ``categories`` (with their ``parent`` at hand) and of their parents."""
    slugs = set()
    for category in categories:
        slugs.add(category.slug)
        if category.parent is not None:
            slugs.add(category.parent.slug)
    return sorted(slugs)


def outbox_rows(
    agreement: Agreement, changes: Iterable[Change], record: Any | None, categories: list[str]
) -> list[ChangeEvent]:
    """The unsaved outbox rows of ``changes``, linked to ``record`` (the agreement's latest
    history record)."""
    common = {
        "agreement_id": agreement.pk,
        "title": agreement.title,
        "party_a": agreement.party_a_id,
        "party_b": agreement.party_b_id,
        "categories": categories,
        "history_id": record.history_id if record else None,
        "interface": record.interface if record else "",
        "user_id": record.history_user_id if record else None,
    }
    return [
        ChangeEvent(kind=change.kind, summary=change.summary, details=change.details, **common)
        for change in changes
    ]


def record_changes(
    agreement: Agreement, changes: Iterable[Change], *, categories: list[str] | None = None
) -> None:
    """Add the outbox rows of ``changes``, linked to the agreement's latest history record."""
    changes = list(changes)
    if not changes:
        return
    record = agreement.history.order_by("-history_date", "-history_id").first()
    if categories is None:
        categories = agreement_categories(agreement.pk)
    save_outbox_rows(outbox_rows(agreement, changes, record, categories))


def save_outbox_rows(rows: Iterable[ChangeEvent]) -> None:
    """Save outbox rows (of one write or of many) with their category rows: two statements."""
    tag_events(ChangeEvent.objects.bulk_create(rows))


def tag_events(events: Iterable[ChangeEvent]) -> None:
    """The category rows of saved events (their ``categories``), which feeds filter on."""
    ChangeEventCategory.objects.bulk_create(
        ChangeEventCategory(event=event, slug=slug) for event in events for slug in event.categories
    )
