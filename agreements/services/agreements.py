"""Writing an agreement with its parts: create, update, delete, record a status event.

Each public function is one transaction. Parts are matched by their natural keys (a
clause or a commitment by position, a participant by person and role (an unnamed one by
description, party and role), an event by status, party and date, a citation by source,
an implementation event by kind and date): matched parts are updated, new ones created,
the ones not listed removed; a part whose values did not change is not written at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ..commitments import derive_commitment
from ..dates import PartialDate
from ..lifecycle import Lifecycle, validate_events
from ..models import (
    Agreement,
    AgreementSource,
    Clause,
    Commitment,
    ImplementationEvent,
    Participant,
    Person,
    Source,
    StatusEvent,
)
from ..models.changes import ChangeKind
from ..pairs import canonical_pair
from .base import Errors, ExpectedVersion, assign, check_unique, clean, lock, pk_of
from .changes import Change, agreement_categories, changes_between, record_changes
from .derived import agreement_sync_derived, event_fact
from .duplicates import PossibleSameRecordError, refuse_duplicates
from .inputs import (
    AGREEMENT_FIELDS,
    AgreementIn,
    CitationIn,
    ClauseIn,
    CommitmentIn,
    EventIn,
    ImplementationEventIn,
    ParticipantIn,
    PersonIn,
    agreement_to_input,
)
from .people import person_create
from .rules import check_agreement, check_participant_parties, country_names, derive_level, resolve_level


def agreement_create(
    *, data: AgreementIn, restore_id: int | None = None, allow_duplicate: bool = False
) -> Agreement:
    """Create an agreement with its parts; nothing is written unless all of it is valid.

    Unless ``allow_duplicate``, an agreement that may already be recorded raises
    ``PossibleDuplicateError`` naming the candidates (``duplicates``). ``restore_id`` brings a
    deleted agreement back under its old id (see ``recovery``).
    """
    agreement = Agreement()
    if restore_id is not None:
        # Continue the version count, so that no ETag issued before the deletion matches again.
        last = Agreement.history.filter(id=restore_id).aggregate(last=Max("version"))["last"] or 0
        agreement = Agreement(pk=restore_id, version=last + 1)
    with transaction.atomic():
        _write(
            agreement,
            data,
            allow_duplicate=allow_duplicate or restore_id is not None,
            allow_similar_people=allow_duplicate or restore_id is not None,
        )
        saved = Agreement.objects.with_details().get(pk=agreement.pk)
        if restore_id is None:
            told = changes_between(None, "", data, saved.status)
        else:
            told = [Change(ChangeKind.AGREEMENT_RESTORED, f"Restored: {saved.title}")]
        record_changes(saved, told)
    return saved


def agreement_update(
    *, agreement: Agreement, data: AgreementIn, expected_version: ExpectedVersion = None
) -> Agreement:
    """Replace the agreement's fields and, where given, its collections of parts.

    A request that changes nothing writes nothing (and does not bump ``version``). With
    ``expected_version``, a concurrent change raises ``StaleVersionError`` instead of being
    overwritten.
    """
    with transaction.atomic():
        locked = lock(agreement, expected_version)
        current = agreement_to_input(Agreement.objects.with_details().get(pk=agreement.pk))
        before_status = locked.status
        changed = _canonical(data, current) != _canonical(current, current)
        if changed:
            _write(locked, data, stored=current)
        saved = Agreement.objects.with_details().get(pk=agreement.pk)
        if changed:
            record_changes(
                saved, changes_between(current, before_status, agreement_to_input(saved), saved.status)
            )
    return saved


def agreement_delete(*, agreement: Agreement, expected_version: ExpectedVersion = None) -> None:
    """Delete an agreement with its parts (people and sources stay)."""
    with transaction.atomic():
        locked = lock(agreement, expected_version)
        pk, categories = locked.pk, agreement_categories(locked.pk)
        locked.delete()
        locked.pk = pk  # the outbox names the agreement that was
        record_changes(
            locked, [Change(ChangeKind.AGREEMENT_DELETED, f"Deleted: {locked.title}")], categories=categories
        )


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
        before_status = locked.status
        agreement_sync_derived(agreement=locked)
        if source is not None:
            AgreementSource.objects.get_or_create(agreement=locked, source=source)
        if locked.status != before_status:
            record_changes(
                locked,
                changes_between(
                    agreement_to_input(locked), before_status, agreement_to_input(locked), locked.status
                ),
            )
    agreement.refresh_from_db()
    return event


def agreement_sync(*, agreement: Agreement) -> Lifecycle:
    """The last step of every write to an agreement or its parts.

    Checks that the parts fit the (possibly changed) parties, cites the sources of the
    facts on the agreement itself, and rewrites the derived lifecycle.
    """
    with transaction.atomic():
        check_participant_parties(
            agreement.parties, agreement.participants.values_list("party_id", flat=True)
        )
        _cite_sources_of_facts(agreement)
        return agreement_sync_derived(agreement=agreement)


# --- The steps of a write ------------------------------------------------------------------------


def _write(
    agreement: Agreement,
    data: AgreementIn,
    *,
    stored: AgreementIn | None = None,
    allow_duplicate: bool = True,
    allow_similar_people: bool = False,
) -> Agreement:
    errors = Errors()
    parties = check_agreement(data, errors, stored=stored)
    errors.raise_if_any()
    assert parties is not None
    if not allow_duplicate:
        refuse_duplicates(data)
    write_fields(agreement, data, parties, errors)
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
    if data.participants is not None:
        _sync_participants(agreement, data.participants, errors, allow_similar_people)
    if data.clauses is not None:
        _sync_clauses(agreement, data.clauses, errors)
    if data.events is not None:
        _sync_events(agreement, data.events, errors)
    if data.commitments is not None:
        _sync_commitments(agreement, data.commitments, errors)
    errors.raise_if_any()
    agreement_sync(agreement=agreement)
    return agreement


def write_fields(
    agreement: Agreement, data: AgreementIn, parties: tuple[str, str], errors: Errors, *, unique: bool = True
) -> None:
    """Set the agreement's own fields from ``data`` and check them (``unique``: against the stored
    rows too, a query per unique constraint; a bulk write asks those for the whole batch)."""
    for name in AGREEMENT_FIELDS:
        setattr(agreement, name, getattr(data, name))
    agreement.party_a_id, agreement.party_b_id = parties
    agreement.body_a, agreement.body_b = canonical_sides(data)
    kept = None if agreement._state.adding else agreement.level
    agreement.level, _ = resolve_level(data.level, derive_level(data.body_a, data.body_b), kept)
    if clean(agreement, "", errors, exclude=["party_a", "party_b"]) and unique:
        check_unique(agreement, "", errors)


def _participant_key(person_id: int | None, description: str, party: str, role: str) -> tuple:
    if person_id is not None:
        return ("person", person_id, role)
    return ("unnamed", description.strip().casefold(), party, role)


def _sync_participants(
    agreement: Agreement, participants: Sequence[ParticipantIn], errors: Errors, allow_similar: bool
) -> None:
    existing = {
        _participant_key(p.person_id, p.description, p.party_id, p.role): p
        for p in agreement.participants.all()
    }
    keep: set[int] = set()
    for index, data in enumerate(participants):
        person = data.person
        if isinstance(person, PersonIn):
            person = _new_person(person, index, errors, allow_similar)
            if person is None:
                continue
        key = _participant_key(pk_of(person), data.description, data.party, data.role)
        row = existing.get(key) or Participant(agreement=agreement, person=person, role=data.role)
        changed = assign(
            row,
            party_id=data.party,
            description=data.description,
            body_id=pk_of(data.body),
            source_id=pk_of(data.source),
            office=data.office,
            rank=data.rank,
            note=data.note,
        )
        if changed and clean(
            row, f"participants[{index}]", errors, exclude=["agreement", "person", "party", "body"]
        ):
            row.save()
        keep.add(row.pk)
    agreement.participants.exclude(pk__in=keep).delete()


def _new_person(data: PersonIn, index: int, errors: Errors, allow_similar: bool) -> Person | None:
    try:
        return person_create(data=data, allow_duplicate=allow_similar)
    except ValidationError as error:
        errors.merge(f"participants[{index}].person", error)
    except PossibleSameRecordError as error:
        known = "; ".join(f"{c.name} (id {c.id}: {c.why})" for c in error.candidates)
        errors.add(
            f"participants[{index}].person",
            f"“{data.name}” may be someone already recorded: {known}. Choose them, or save with "
            "allow_duplicate if this is another person.",
        )
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


def _sync_commitments(agreement: Agreement, commitments: Sequence[CommitmentIn], errors: Errors) -> None:
    existing = {c.position: c for c in agreement.commitments.all()}
    agreement.commitments.exclude(position__in=[c.position for c in commitments]).delete()
    clauses = dict(agreement.clauses.values_list("position", "pk"))
    for index, data in enumerate(commitments):
        row = existing.get(data.position) or Commitment(agreement=agreement, position=data.position)
        status = derive_commitment(data.due, [event.fact for event in data.events])
        due_on, due_precision = _date_columns(data.due)
        due_current, due_current_precision = _date_columns(status.due)
        changed = assign(
            row,
            text=data.text,
            party_id=data.party,
            due_on=due_on,
            due_on_precision=due_precision,
            due_note=data.due_note,
            source_id=pk_of(data.source),
            state=status.state,
            due_current=due_current,
            due_current_precision=due_current_precision,
        )
        path = f"commitments[{index}]"
        if changed and clean(row, path, errors, exclude=["agreement", "party", "clauses"]):
            row.save()
        if row.pk is None:
            continue
        row.clauses.set([clauses[position] for position in data.clauses if position in clauses])
        _sync_implementation(row, data.events, path, errors)


def _sync_implementation(
    commitment: Commitment, events: Sequence[ImplementationEventIn], path: str, errors: Errors
) -> None:
    existing = {(e.kind, e.date, e.date_precision): e for e in commitment.events.all()}
    keep: set[int] = set()
    for index, data in enumerate(events):
        key = (data.kind, data.date.value, data.date.precision)
        row = existing.pop(key, None) or ImplementationEvent(
            commitment=commitment, kind=data.kind, date=data.date.value, date_precision=data.date.precision
        )
        new_due_on, new_due_precision = _date_columns(data.new_due)
        changed = assign(
            row,
            new_due_on=new_due_on,
            new_due_on_precision=new_due_precision,
            note=data.note,
            source_id=pk_of(data.source),
        )
        if changed and clean(row, f"{path}.events[{index}]", errors, exclude=["commitment"]):
            row.save()
        keep.add(row.pk)
    commitment.events.exclude(pk__in=keep).delete()


def _date_columns(value: PartialDate | None) -> tuple:
    return (value.value, value.precision) if value else (None, "")


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
    """A source cited for any part of the agreement is also a source of the agreement."""
    cited = set(agreement.citations.values_list("source_id", flat=True))
    used = set()
    for parts in (
        agreement.clauses,
        agreement.participants,
        agreement.events,
        agreement.commitments,
        ImplementationEvent.objects.filter(commitment__agreement=agreement),
    ):
        used |= set(parts.exclude(source=None).values_list("source_id", flat=True))
    AgreementSource.objects.bulk_create(
        AgreementSource(agreement=agreement, source_id=source_id) for source_id in sorted(used - cited)
    )


def canonical_sides(data: AgreementIn) -> tuple:
    """The sides' bodies in the order of the canonical pair (they follow their parties)."""
    if canonical_pair(data.party_a, data.party_b) == (data.party_a, data.party_b):
        return data.body_a, data.body_b
    return data.body_b, data.body_a


def _canonical(data: AgreementIn, current: AgreementIn) -> AgreementIn:
    """``data`` in a form where equal content compares equal (order of parts ignored)."""

    def person_key(person: Person | PersonIn | None) -> str:
        if person is None:
            return ""
        return str(person.pk) if isinstance(person, Person) else f"new:{person.name}"

    def chosen(name: str):
        value = getattr(data, name)
        return getattr(current, name) if value is None else value

    party_a, party_b = canonical_pair(data.party_a, data.party_b)
    body_a, body_b = canonical_sides(data)
    level, _ = resolve_level(data.level, derive_level(data.body_a, data.body_b), current.level)
    return replace(
        data,
        party_a=party_a,
        party_b=party_b,
        body_a=body_a,
        body_b=body_b,
        level=level,
        participants=tuple(
            sorted(
                chosen("participants") or (),
                key=lambda p: (p.party, p.role, person_key(p.person), p.description),
            )
        ),
        clauses=tuple(
            sorted(
                (
                    replace(c, categories=tuple(sorted(c.categories, key=lambda k: k.pk)))
                    for c in chosen("clauses") or ()
                ),
                key=lambda c: c.position,
            )
        ),
        events=tuple(sorted(chosen("events") or (), key=lambda e: (e.date.value, e.status, e.party or ""))),
        citations=tuple(sorted(chosen("citations") or (), key=lambda c: c.source.pk)),
        commitments=tuple(
            sorted(
                (
                    replace(
                        c,
                        clauses=tuple(sorted(c.clauses)),
                        events=tuple(sorted(c.events, key=lambda e: (e.date.value, e.kind))),
                    )
                    for c in chosen("commitments") or ()
                ),
                key=lambda c: c.position,
            )
        ),
    )
