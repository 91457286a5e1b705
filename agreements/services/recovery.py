"""Recovering earlier states of an agreement from its recorded history.

A revert and a restore both rebuild the agreement as it stood at a moment (its fields
and all of its parts) and write that through ``services.agreement_update`` or
``agreement_create``: the rules of the services apply, the derived lifecycle is
recomputed, and the recovery itself is recorded in the history like any change.
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.core.exceptions import ValidationError

from ..dates import PartialDate
from ..models import (
    Agreement,
    AgreementSource,
    Clause,
    ClauseCategory,
    Person,
    Signatory,
    Source,
    StatusEvent,
)
from .agreements import agreement_create, agreement_update
from .inputs import AGREEMENT_FIELDS, AgreementIn, CitationIn, ClauseIn, EventIn, SignatoryIn


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
    signatories = _alive_at(Signatory, agreement_id, at)
    clauses = _alive_at(Clause, agreement_id, at)
    events = _alive_at(StatusEvent, agreement_id, at)
    citations = _alive_at(AgreementSource, agreement_id, at)

    links = apps.get_model("agreements", "HistoricalClause_categories").objects.filter(
        history_id__in=[clause.history_id for clause in clauses]
    )
    categories_of: dict[int, list[int]] = {}
    for history_id, category_id in links.values_list("history_id", "clausecategory_id"):
        categories_of.setdefault(history_id, []).append(category_id)

    people = _existing(Person, {s.person_id for s in signatories}, "person")
    source_ids = {r.source_id for r in [*signatories, *clauses, *events, *citations] if r.source_id}
    sources = _existing(Source, source_ids, "source")
    categories = _existing(
        ClauseCategory, {c for ids in categories_of.values() for c in ids}, "clause category"
    )

    return AgreementIn(
        party_a=record.party_a_id,
        party_b=record.party_b_id,
        **{name: getattr(record, name) for name in AGREEMENT_FIELDS},
        signatories=[
            SignatoryIn(
                person=people[s.person_id],
                party=s.party_id,
                office=s.office,
                rank=s.rank,
                note=s.note,
                source=sources.get(s.source_id),
            )
            for s in signatories
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
    )


def agreement_revert(
    *, agreement: Agreement, history_id: int, expected_version: int | None = None
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
