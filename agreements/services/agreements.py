"""Writing an agreement with its parts: create, update, delete, record a status event.

Each public function is one transaction. Parts are matched by their natural keys (a
clause by position, a signatory by person, an event by status, party and date, a
citation by source): matched parts are updated, new ones created, the ones not listed
removed; a part whose values did not change is not written at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ..dates import PartialDate
from ..lifecycle import Lifecycle, validate_events
from ..models import Agreement, AgreementSource, Clause, Person, Signatory, Source, StatusEvent
from ..pairs import canonical_pair
from .base import Errors, assign, check_unique, clean, lock, pk_of
from .derived import agreement_sync_derived, event_fact
from .inputs import (
    AGREEMENT_FIELDS,
    AgreementIn,
    CitationIn,
    ClauseIn,
    EventIn,
    PersonIn,
    SignatoryIn,
    agreement_to_input,
)
from .people import person_create
from .rules import check_agreement, check_signatory_parties, country_names


def agreement_create(*, data: AgreementIn, restore_id: int | None = None) -> Agreement:
    """Create an agreement with its parts; nothing is written unless all of it is valid.

    ``restore_id`` brings a deleted agreement back under its old id (see ``recovery``).
    """
    agreement = Agreement()
    if restore_id is not None:
        # Continue the version count, so that no ETag issued before the deletion matches again.
        last = Agreement.history.filter(id=restore_id).aggregate(last=Max("version"))["last"] or 0
        agreement = Agreement(pk=restore_id, version=last)
    with transaction.atomic():
        _write(agreement, data)
    return Agreement.objects.with_details().get(pk=agreement.pk)


def agreement_update(
    *, agreement: Agreement, data: AgreementIn, expected_version: int | None = None
) -> Agreement:
    """Replace the agreement's fields and, where given, its collections of parts.

    A request that changes nothing writes nothing (and does not bump ``version``). With
    ``expected_version``, a concurrent change raises ``StaleVersionError`` instead of being
    overwritten.
    """
    with transaction.atomic():
        locked = lock(agreement, expected_version)
        current = agreement_to_input(Agreement.objects.with_details().get(pk=agreement.pk))
        if _canonical(data, current) != _canonical(current, current):
            _write(locked, data)
    return Agreement.objects.with_details().get(pk=agreement.pk)


def agreement_delete(*, agreement: Agreement, expected_version: int | None = None) -> None:
    """Delete an agreement with its parts (people and sources stay)."""
    with transaction.atomic():
        lock(agreement, expected_version).delete()


def agreement_record_status(
    *,
    agreement: Agreement,
    status: str,
    date: PartialDate,
    party: str | None = None,
    date_note: str = "",
    note: str = "",
    source: Source | None = None,
) -> StatusEvent:
    """Add one status event (e.g. "Iran ratified on ...") and update the derived lifecycle."""
    with transaction.atomic():
        locked = lock(agreement, None)
        event = StatusEvent(
            agreement=locked,
            status=status,
            date=date.value,
            date_precision=date.precision,
            party_id=party,
            date_note=date_note,
            note=note,
            source=source,
        )
        errors = Errors()
        clean(event, "", errors, exclude=["agreement", "party"])
        errors.raise_if_any()
        facts = [event_fact(e) for e in locked.events.all()]
        new = len(facts)
        names = {locked.party_a_id: locked.party_a.name, locked.party_b_id: locked.party_b.name}
        for problem in validate_events(
            [*facts, event_fact(event)], locked.parties, names | country_names([party])
        ):
            # A new event can also contradict an old one (a signature dated after a recorded
            # ratification): that is reported against the new event as a whole.
            errors.add(problem.field if problem.index == new else "__all__", problem.message)
        errors.raise_if_any()
        event.save()
        agreement_sync_derived(agreement=locked)
        if source is not None:
            AgreementSource.objects.get_or_create(agreement=locked, source=source)
    agreement.refresh_from_db()
    return event


def agreement_sync(*, agreement: Agreement) -> Lifecycle:
    """The last step of every write to an agreement or its parts.

    Checks that the parts fit the (possibly changed) parties, cites the sources of the
    facts on the agreement itself, and rewrites the derived lifecycle.
    """
    with transaction.atomic():
        check_signatory_parties(agreement.parties, agreement.signatories.values_list("party_id", flat=True))
        _cite_sources_of_facts(agreement)
        return agreement_sync_derived(agreement=agreement)


# --- The steps of a write ------------------------------------------------------------------------


def _write(agreement: Agreement, data: AgreementIn) -> Agreement:
    errors = Errors()
    parties = check_agreement(data, errors)
    errors.raise_if_any()
    assert parties is not None
    _write_fields(agreement, data, parties, errors)
    errors.raise_if_any()
    # One write, one history record: the record is made by agreement_sync's save, when the
    # derived status and the new version are known. Recording this save too would leave a
    # record with the new fields under the old version number.
    agreement.record_as_created = agreement._state.adding
    agreement.skip_history_when_saving = True
    try:
        agreement.save()
    finally:
        del agreement.skip_history_when_saving
    if data.citations is not None:
        _sync_citations(agreement, data.citations, errors)
    if data.signatories is not None:
        _sync_signatories(agreement, data.signatories, errors)
    if data.clauses is not None:
        _sync_clauses(agreement, data.clauses, errors)
    if data.events is not None:
        _sync_events(agreement, data.events, errors)
    errors.raise_if_any()
    agreement_sync(agreement=agreement)
    return agreement


def _write_fields(agreement: Agreement, data: AgreementIn, parties: tuple[str, str], errors: Errors) -> None:
    for name in AGREEMENT_FIELDS:
        setattr(agreement, name, getattr(data, name))
    agreement.party_a_id, agreement.party_b_id = parties
    if clean(agreement, "", errors, exclude=["party_a", "party_b"]):
        check_unique(agreement, "", errors)


def _sync_signatories(agreement: Agreement, signatories: Sequence[SignatoryIn], errors: Errors) -> None:
    existing = {s.person_id: s for s in agreement.signatories.all()}
    keep: set[int] = set()
    for index, data in enumerate(signatories):
        person = data.person if isinstance(data.person, Person) else _new_person(data.person, index, errors)
        if person is None:
            continue
        row = existing.get(person.pk) or Signatory(agreement=agreement, person=person)
        changed = assign(
            row,
            party_id=data.party,
            source_id=pk_of(data.source),
            office=data.office,
            rank=data.rank,
            note=data.note,
        )
        if changed and clean(row, f"signatories[{index}]", errors, exclude=["agreement", "person", "party"]):
            row.save()
        keep.add(row.pk)
    agreement.signatories.exclude(pk__in=keep).delete()


def _new_person(data: PersonIn, index: int, errors: Errors) -> Person | None:
    try:
        return person_create(data=data)
    except ValidationError as error:
        errors.merge(f"signatories[{index}].person", error)
        return None


def _sync_clauses(agreement: Agreement, clauses: Sequence[ClauseIn], errors: Errors) -> None:
    existing = {c.position: c for c in agreement.clauses.all()}
    agreement.clauses.exclude(position__in=[clause.position for clause in clauses]).delete()
    for index, data in enumerate(clauses):
        row = existing.get(data.position) or Clause(agreement=agreement, position=data.position)
        changed = assign(row, text=data.text, article=data.article, source_id=pk_of(data.source))
        if changed and clean(row, f"clauses[{index}]", errors, exclude=["agreement", "categories"]):
            row.save()
        if row.pk is not None:
            row.categories.set(data.categories)  # adds and removes only what differs


def _sync_events(agreement: Agreement, events: Sequence[EventIn], errors: Errors) -> None:
    existing = {(e.status, e.party_id, e.date, e.date_precision): e for e in agreement.events.all()}
    keep: set[int] = set()
    for index, data in enumerate(events):
        key = (data.status, data.party, data.date.value, data.date.precision)
        row = existing.pop(key, None) or StatusEvent(
            agreement=agreement,
            status=data.status,
            party_id=data.party,
            date=data.date.value,
            date_precision=data.date.precision,
        )
        changed = assign(row, date_note=data.date_note, note=data.note, source_id=pk_of(data.source))
        if changed and clean(row, f"events[{index}]", errors, exclude=["agreement", "party"]):
            row.save()
        keep.add(row.pk)
    agreement.events.exclude(pk__in=keep).delete()


def _sync_citations(agreement: Agreement, citations: Sequence[CitationIn], errors: Errors) -> None:
    existing = {c.source_id: c for c in agreement.citations.all()}
    keep: set[int] = set()
    for index, data in enumerate(citations):
        row = existing.get(data.source.pk) or AgreementSource(agreement=agreement, source=data.source)
        if assign(row, supports=data.supports) and clean(
            row, f"citations[{index}]", errors, exclude=["agreement", "source"]
        ):
            row.save()
        keep.add(row.pk)
    agreement.citations.exclude(pk__in=keep).delete()


def _cite_sources_of_facts(agreement: Agreement) -> None:
    """A source cited for a clause, a signatory or an event is also a source of the agreement."""
    cited = set(agreement.citations.values_list("source_id", flat=True))
    used = (
        set(agreement.clauses.exclude(source=None).values_list("source_id", flat=True))
        | set(agreement.signatories.exclude(source=None).values_list("source_id", flat=True))
        | set(agreement.events.exclude(source=None).values_list("source_id", flat=True))
    )
    AgreementSource.objects.bulk_create(
        AgreementSource(agreement=agreement, source_id=source_id) for source_id in sorted(used - cited)
    )


def _canonical(data: AgreementIn, current: AgreementIn) -> AgreementIn:
    """``data`` in a form where equal content compares equal (order of parts ignored)."""

    def person_key(person: Person | PersonIn) -> str:
        return str(person.pk) if isinstance(person, Person) else f"new:{person.name}"

    party_a, party_b = canonical_pair(data.party_a, data.party_b)
    signatories = current.signatories if data.signatories is None else data.signatories
    clauses = current.clauses if data.clauses is None else data.clauses
    events = current.events if data.events is None else data.events
    citations = current.citations if data.citations is None else data.citations
    return replace(
        data,
        party_a=party_a,
        party_b=party_b,
        signatories=tuple(sorted(signatories or (), key=lambda s: (s.party, person_key(s.person)))),
        clauses=tuple(
            sorted(
                (
                    replace(c, categories=tuple(sorted(c.categories, key=lambda k: k.pk)))
                    for c in clauses or ()
                ),
                key=lambda c: c.position,
            )
        ),
        events=tuple(sorted(events or (), key=lambda e: (e.date.value, e.status, e.party or ""))),
        citations=tuple(sorted(citations or (), key=lambda c: c.source.pk)),
    )
