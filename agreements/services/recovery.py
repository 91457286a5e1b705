"""Recovering earlier states of an agreement from its recorded history.

A revert and a restore both rebuild the agreement as it stood at a moment (its fields
and all of its parts) and write that through ``services.agreement_update`` or
``agreement_create``: the rules of the services apply, the derived lifecycle is
recomputed, and the recovery itself is recorded in the history like any change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import ValidationError

from ..choices import EventType, ParticipantRole
from ..dates import PartialDate
from ..models import (
    Agreement,
    AgreementSource,
    Body,
    Clause,
    ClauseCategory,
    Commitment,
    ImplementationEvent,
    Participant,
    Person,
    Source,
    StatusEvent,
)
from .agreements import agreement_create, agreement_update
from .base import ExpectedVersion
from .inputs import (
    AGREEMENT_FIELDS,
    AgreementIn,
    CitationIn,
    ClauseIn,
    CommitmentIn,
    EventIn,
    ImplementationEventIn,
    ParticipantIn,
    agreement_to_input,
)


def _alive_at(model, agreement_id: int, at: datetime) -> list:
    """The latest record, before ``at``, of each part that still existed then."""
    records = model.history.filter(agreement_id=agreement_id, history_date__lte=at).latest_of_each()
    return sorted((r for r in records if r.history_type != "-"), key=lambda r: r.id)


def _existing(model, ids: set[int], what: str) -> dict[int, object]:
    found = model.objects.in_bulk(ids)
    missing = sorted(ids - set(found))
    if missing:
        raise ValidationError(
            f"Cannot recover: the {what} with id {', '.join(map(str, missing))} no longer exists."
        )
    return found


def agreement_snapshot(agreement_id: int, at: datetime) -> AgreementIn:
    """The agreement and its parts as they stood at ``at``, as the services' input."""
    record = (
        Agreement.history.filter(id=agreement_id, history_date__lte=at)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None:
        raise ValidationError("No recorded version of this agreement at that time.")
    participants = _alive_at(Participant, agreement_id, at)
    clauses = _alive_at(Clause, agreement_id, at)
    events = _alive_at(StatusEvent, agreement_id, at)
    citations = _alive_at(AgreementSource, agreement_id, at)
    commitments = _alive_at(Commitment, agreement_id, at)
    implementation = [
        r
        for r in ImplementationEvent.history.filter(
            commitment_id__in=[c.id for c in commitments], history_date__lte=at
        ).latest_of_each()
        if r.history_type != "-"
    ]

    categories_of = _links("HistoricalClause_categories", clauses, "clausecategory_id")
    clauses_of = _links("HistoricalCommitment_clauses", commitments, "clause_id")
    position_of = {clause.id: clause.position for clause in clauses}

    people = _existing(Person, {p.person_id for p in participants if p.person_id}, "person")
    body_ids = {p.body_id for p in participants if p.body_id} | {
        b for b in (record.body_a_id, record.body_b_id) if b
    }
    bodies = _existing(Body, body_ids, "body")
    parts = [*participants, *clauses, *events, *citations, *commitments, *implementation]
    sources = _existing(Source, {r.source_id for r in parts if r.source_id}, "source")
    categories = _existing(
        ClauseCategory, {c for ids in categories_of.values() for c in ids}, "clause category"
    )

    return AgreementIn(
        party_a=record.party_a_id,
        party_b=record.party_b_id,
        **{name: getattr(record, name) for name in AGREEMENT_FIELDS},
        body_a=bodies.get(record.body_a_id),
        body_b=bodies.get(record.body_b_id),
        level=record.level,
        participants=[
            ParticipantIn(
                party=p.party_id,
                person=people.get(p.person_id),
                role=p.role,
                description=p.description,
                body=bodies.get(p.body_id),
                office=p.office,
                rank=p.rank,
                note=p.note,
                source=sources.get(p.source_id),
            )
            for p in participants
        ],
        clauses=[
            ClauseIn(
                position=c.position,
                text=c.text,
                article=c.article,
                categories=[categories[k] for k in categories_of.get(c.history_id, [])],
                source=sources.get(c.source_id),
            )
            for c in clauses
        ],
        events=[
            EventIn(
                status=e.status,
                date=PartialDate(e.date, e.date_precision),
                party=e.party_id,
                date_note=e.date_note,
                note=e.note,
                source=sources.get(e.source_id),
            )
            for e in events
        ],
        citations=[CitationIn(source=sources[c.source_id], supports=c.supports) for c in citations],
        commitments=[
            CommitmentIn(
                position=c.position,
                text=c.text,
                party=c.party_id,
                clauses=sorted(position_of[k] for k in clauses_of.get(c.history_id, []) if k in position_of),
                due=PartialDate(c.due_on, c.due_on_precision) if c.due_on else None,
                due_note=c.due_note,
                source=sources.get(c.source_id),
                events=[
                    ImplementationEventIn(
                        kind=e.kind,
                        date=PartialDate(e.date, e.date_precision),
                        new_due=PartialDate(e.new_due_on, e.new_due_on_precision) if e.new_due_on else None,
                        note=e.note,
                        source=sources.get(e.source_id),
                    )
                    for e in implementation
                    if e.commitment_id == c.id
                ],
            )
            for c in commitments
        ],
    )


def _links(model_name: str, records: list, column: str) -> dict[int, list[int]]:
    """The ids a many-to-many field held in each of ``records`` (by history id)."""
    links = apps.get_model("agreements", model_name).objects.filter(
        history_id__in=[record.history_id for record in records]
    )
    found: dict[int, list[int]] = {}
    for history_id, target in links.values_list("history_id", column):
        found.setdefault(history_id, []).append(target)
    return found


def agreement_revert(
    *, agreement: Agreement, history_id: int, expected_version: ExpectedVersion = None
) -> Agreement:
    """Make the agreement (with its parts) what it was after the recorded change ``history_id``."""
    record = (
        Agreement.history.filter(id=agreement.pk, history_id=history_id).exclude(history_type="-").first()
    )
    if record is None:
        raise ValidationError("That version does not belong to this agreement.")
    return agreement_update(
        agreement=agreement,
        data=agreement_snapshot(agreement.pk, record.history_date),
        expected_version=expected_version,
    )


def deleted_agreements():
    """The deletion records of agreements that do not exist any more, newest first."""
    return (
        Agreement.history.filter(history_type="-")
        .exclude(id__in=Agreement.objects.values("id"))
        .order_by("-history_date")
    )


def agreement_restore(*, agreement_id: int) -> Agreement:
    """Bring a deleted agreement back, with its parts, under its old id."""
    if Agreement.objects.filter(pk=agreement_id).exists():
        raise ValidationError("This agreement exists; there is nothing to restore.")
    # Every write ends with the agreement's own record (agreement_sync), so its last
    # record before the deletion is later than every change of its parts.
    last = (
        Agreement.history.filter(id=agreement_id)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if last is None:
        raise ValidationError("No recorded version of this agreement.")
    return agreement_create(data=agreement_snapshot(agreement_id, last.history_date), restore_id=agreement_id)


@dataclass(frozen=True)
class Difference:
    """One line of what a revert would change, in an editor's words."""

    what: str
    now: str
    then: str


def _describe_parts(data: AgreementIn) -> dict[str, set[str]]:
    def who(p) -> str:
        name = p.person.name if p.person is not None else f"not named ({p.description})"
        return f"{name} — {ParticipantRole(p.role).label.lower()} for {p.party}"

    return {
        "Participants": {who(p) for p in data.participants or ()},
        "Clauses": {
            f"{c.position}. {c.text[:80]} [{', '.join(sorted(k.name for k in c.categories))}]"
            for c in data.clauses or ()
        },
        "Status events": {
            f"{EventType(e.status).label} {e.date}" + (f" by {e.party}" if e.party else "")
            for e in data.events or ()
        },
        "Sources cited": {str(c.source) for c in data.citations or ()},
        "Commitments": {
            f"{c.position}. {c.text[:60]}"
            + (f" (due {c.due})" if c.due else "")
            + f" — {len(c.events)} report(s)"
            for c in data.commitments or ()
        },
    }


def revert_preview(*, agreement: Agreement, history_id: int) -> list[Difference]:
    """What reverting to the recorded change ``history_id`` would change, field by field and part by part."""
    record = (
        Agreement.history.filter(id=agreement.pk, history_id=history_id).exclude(history_type="-").first()
    )
    if record is None:
        raise ValidationError("That version does not belong to this agreement.")
    now = agreement_to_input(Agreement.objects.with_details().get(pk=agreement.pk))
    then = agreement_snapshot(agreement.pk, record.history_date)
    differences = []
    for name in ("party_a", "party_b", *AGREEMENT_FIELDS, "level"):
        before, after = getattr(now, name), getattr(then, name)
        if before != after:
            label = str(Agreement._meta.get_field(name).verbose_name).capitalize()
            differences.append(Difference(label, str(before) or "—", str(after) or "—"))
    for name in ("body_a", "body_b"):
        before, after = getattr(now, name), getattr(then, name)
        if before != after:
            label = str(Agreement._meta.get_field(name).verbose_name).capitalize()
            differences.append(
                Difference(label, before.name if before else "—", after.name if after else "—")
            )
    now_parts, then_parts = _describe_parts(now), _describe_parts(then)
    for section, current in now_parts.items():
        removed, restored = sorted(current - then_parts[section]), sorted(then_parts[section] - current)
        if removed or restored:
            differences.append(Difference(section, "; ".join(removed) or "—", "; ".join(restored) or "—"))
    return differences
