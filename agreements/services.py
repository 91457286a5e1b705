"""Multi-step writes. Each public function runs in one transaction.

The admin, the API and the importers all write through here, so validation and the
derived lifecycle are the same whichever door the data came in by. Inputs are the
plain dataclasses below; errors are ``ValidationError`` dicts keyed by field path
(``clauses[2].position``), which the admin and the API translate for their users.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from .choices import AgreementKind, Evidence, NameKind
from .dates import PartialDate
from .lifecycle import EventFact, Lifecycle, derive_lifecycle, validate_events
from .models import (
    Agreement,
    AgreementSource,
    Clause,
    ClauseCategory,
    Country,
    Person,
    PersonName,
    Signatory,
    Source,
    StatusEvent,
    StatusPeriod,
)
from .querysets import canonical_pair
from .search import build_document

# --- Inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OtherNameIn:
    name: str
    kind: str = NameKind.SPELLING
    language: str = ""
    source: Source | None = None


@dataclass(frozen=True)
class PersonIn:
    """A person to create along with the agreement they signed."""

    name: str
    other_names: Sequence[OtherNameIn] = ()
    wikidata_qid: str = ""
    note: str = ""


@dataclass(frozen=True)
class SignatoryIn:
    person: Person | PersonIn
    party: str  # country code
    office: str = ""
    rank: str = ""
    note: str = ""
    source: Source | None = None


@dataclass(frozen=True)
class ClauseIn:
    position: int
    text: str
    article: str = ""
    categories: Sequence[ClauseCategory] = ()
    source: Source | None = None


@dataclass(frozen=True)
class EventIn:
    status: str
    date: PartialDate
    party: str | None = None
    date_note: str = ""
    note: str = ""
    source: Source | None = None

    @property
    def fact(self) -> EventFact:
        return EventFact(self.status, self.date, self.party)


@dataclass(frozen=True)
class CitationIn:
    source: Source
    supports: str = ""


@dataclass(frozen=True)
class AgreementIn:
    """An agreement as a client describes it. ``None`` collections mean "leave as they are"."""

    title: str
    party_a: str
    party_b: str
    kind: str = AgreementKind.AGREEMENT
    summary: str = ""
    full_text: str = ""
    text_public: bool = False
    place_of_signature: str = ""
    evidence: str = Evidence.NEWS_REPORTS
    unts_registration: str = ""
    wikidata_qid: str = ""
    atop_id: str = ""
    dcad_id: str = ""
    signatories: Sequence[SignatoryIn] | None = None
    clauses: Sequence[ClauseIn] | None = None
    events: Sequence[EventIn] | None = None
    citations: Sequence[CitationIn] | None = None

    SCALARS = (
        "title",
        "kind",
        "summary",
        "full_text",
        "text_public",
        "place_of_signature",
        "evidence",
        "unts_registration",
        "wikidata_qid",
        "atop_id",
        "dcad_id",
    )


@dataclass
class _Errors:
    """Collects problems keyed by field path, to raise them all at once."""

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


class StaleVersionError(Exception):
    """The agreement changed since the client read it (its ``version`` moved on)."""

    def __init__(self, current: int) -> None:
        super().__init__(f"The agreement is at version {current}.")
        self.current = current


def _lock(agreement: Agreement, expected_version: int | None) -> Agreement:
    """The agreement's row, locked for this transaction, at the version the caller read."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("party_a", "party_b")
        .get(pk=agreement.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(locked.version)
    return locked


# --- Rules shared with the admin's forms and the API's serializers --------------------------


def parties_problem(party_a: str | None, party_b: str | None) -> str | None:
    if party_a and party_b and party_a == party_b:
        return "An agreement needs two different parties; both are the same country."
    return None


def signatory_party_problem(party: str, parties: Sequence[str], names: Mapping[str, str]) -> str | None:
    if party in parties:
        return None
    both = " and ".join(names.get(code, code) for code in parties)
    return (
        f"{names.get(party, party)} is not a party to this agreement ({both}); "
        "a signatory signs for one of them."
    )


def country_names(codes: Sequence[str | None]) -> dict[str, str]:
    wanted = {code for code in codes if code}
    return dict(Country.objects.filter(code__in=wanted).values_list("code", "name"))


# --- Lifecycle ----------------------------------------------------------------------------


def event_fact(event: StatusEvent) -> EventFact:
    return EventFact(event.status, event.partial_date, event.party_id)


def agreement_sync_derived(*, agreement: Agreement) -> Lifecycle:
    """Validate the agreement's events and rewrite everything derived from them.

    Every write to an agreement or its parts ends here: it recomputes the status, the
    cached dates and the status periods, and bumps ``version``.
    """
    facts = [event_fact(event) for event in agreement.events.order_by("date", "id")]
    names = {agreement.party_a_id: agreement.party_a.name, agreement.party_b_id: agreement.party_b.name}
    problems = validate_events(facts, agreement.parties, names | country_names([f.party for f in facts]))
    if problems:
        raise ValidationError({f"events[{p.index}].{p.field}": [p.message] for p in problems})

    lifecycle = derive_lifecycle(facts)
    agreement.search_document = build_document(agreement)
    agreement.status = lifecycle.status or ""
    for name in ("signed_on", "in_force_from", "ended_on"):
        value: PartialDate | None = getattr(lifecycle, name)
        setattr(agreement, name, value.value if value else None)
        setattr(agreement, f"{name}_precision", value.precision if value else "")
    agreement.version += 1
    agreement.save(
        update_fields=[
            "status",
            "signed_on",
            "signed_on_precision",
            "in_force_from",
            "in_force_from_precision",
            "ended_on",
            "ended_on_precision",
            "search_document",
            "version",
            "updated_at",
        ]
    )
    agreement.periods.all().delete()
    StatusPeriod.objects.bulk_create(
        StatusPeriod(
            agreement=agreement,
            status=period.status,
            start=period.start.value,
            start_precision=period.start.precision,
            end=period.end.value if period.end else None,
            end_precision=period.end.precision if period.end else "",
        )
        for period in lifecycle.periods
    )
    return lifecycle


# --- People -------------------------------------------------------------------------------


def person_create(*, data: PersonIn) -> Person:
    with transaction.atomic():
        person = Person(name=data.name, wikidata_qid=data.wikidata_qid, note=data.note)
        person.full_clean()
        person.save()
        person_sync_other_names(person=person, other_names=data.other_names)
    return person


def person_update(*, person: Person, data: PersonIn) -> Person:
    """Replace a person's names and details; other names not listed are removed."""
    with transaction.atomic():
        person.name, person.wikidata_qid, person.note = data.name, data.wikidata_qid, data.note
        person.full_clean()
        person.save()
        person_sync_other_names(person=person, other_names=data.other_names, remove_missing=True)
    return person


def person_sync_other_names(
    *, person: Person, other_names: Sequence[OtherNameIn], remove_missing: bool = False
) -> None:
    """Add the names ``person`` lacks and update the kind, language and source of those it has."""
    existing = {other.name: other for other in person.other_names.all()}
    errors, keep = _Errors(), set()
    for index, other in enumerate(other_names):
        if other.name in keep:
            errors.add(f"other_names[{index}].name", f"“{other.name}” is listed twice.")
            continue
        keep.add(other.name)
        if other.name == person.name:
            continue
        row = existing.get(other.name) or PersonName(person=person, name=other.name)
        row.kind, row.language, row.source = other.kind, other.language, other.source
        if _clean(row, f"other_names[{index}]", errors, exclude=["person"]):
            row.save()
    errors.raise_if_any()
    if remove_missing:
        person.other_names.exclude(name__in=keep).delete()
    person_refresh_agreements(person=person)


def person_refresh_agreements(*, person: Person) -> None:
    """A person's names are part of the search document of every agreement they signed."""
    for agreement in Agreement.objects.filter(signatories__person=person).distinct():
        Agreement.objects.filter(pk=agreement.pk).update(search_document=build_document(agreement))


# --- Agreements ---------------------------------------------------------------------------


def _check(data: AgreementIn, errors: _Errors) -> tuple[str, str] | None:
    """Validate everything that can be checked before writing; return the canonical pair."""
    problem = parties_problem(data.party_a, data.party_b)
    if problem:
        errors.add("party_b", problem)
        return None
    parties = canonical_pair(data.party_a, data.party_b)
    countries = country_names([*parties, *(s.party for s in data.signatories or ())])
    for code, path in ((data.party_a, "party_a"), (data.party_b, "party_b")):
        if code not in countries:
            errors.add(path, f"Unknown country code “{code}”.")
    if errors.messages:
        return None

    seen_people: dict[Any, int] = {}
    for index, signatory in enumerate(data.signatories or ()):
        problem = signatory_party_problem(signatory.party, parties, countries)
        if problem:
            errors.add(f"signatories[{index}].party", problem)
        key = signatory.person.pk if isinstance(signatory.person, Person) else signatory.person.name
        if key in seen_people:
            errors.add(f"signatories[{index}].person", "This person already signs this agreement.")
        seen_people.setdefault(key, index)

    positions: set[int] = set()
    for index, clause in enumerate(data.clauses or ()):
        if clause.position in positions:
            errors.add(
                f"clauses[{index}].position", f"Another clause already has position {clause.position}."
            )
        positions.add(clause.position)
        if not clause.text.strip():
            errors.add(f"clauses[{index}].text", "A clause needs its text or a summary.")

    sources: set[int] = set()
    for index, citation in enumerate(data.citations or ()):
        if citation.source.pk in sources:
            errors.add(f"citations[{index}].source", "This source is already cited.")
        sources.add(citation.source.pk)

    if data.events is not None:
        facts = [event.fact for event in data.events]
        names = countries | country_names([f.party for f in facts])
        for problem in validate_events(facts, parties, names):
            errors.add(f"events[{problem.index}].{problem.field}", problem.message)
    return parties


def _write_scalars(
    agreement: Agreement, data: AgreementIn, parties: tuple[str, str], errors: _Errors
) -> None:
    for name in AgreementIn.SCALARS:
        setattr(agreement, name, getattr(data, name))
    agreement.party_a_id, agreement.party_b_id = parties
    try:
        agreement.full_clean(exclude=["party_a", "party_b"], validate_constraints=False)
    except ValidationError as error:
        errors.merge("", error)


def _sync_signatories(agreement: Agreement, signatories: Sequence[SignatoryIn], errors: _Errors) -> None:
    existing = {s.person_id: s for s in agreement.signatories.all()}
    keep: set[int] = set()
    for index, data in enumerate(signatories):
        person = data.person if isinstance(data.person, Person) else _new_person(data.person, index, errors)
        if person is None:
            continue
        row = existing.get(person.pk) or Signatory(agreement=agreement, person=person)
        changed = _assign(
            row,
            party_id=data.party,
            source_id=_pk(data.source),
            office=data.office,
            rank=data.rank,
            note=data.note,
        )
        if changed and _clean(row, f"signatories[{index}]", errors, exclude=["agreement", "person", "party"]):
            row.save()
        keep.add(row.pk)
    agreement.signatories.exclude(pk__in=keep).delete()


def _new_person(data: PersonIn, index: int, errors: _Errors) -> Person | None:
    try:
        return person_create(data=data)
    except ValidationError as error:
        errors.merge(f"signatories[{index}].person", error)
        return None


def _sync_clauses(agreement: Agreement, clauses: Sequence[ClauseIn], errors: _Errors) -> None:
    existing = {c.position: c for c in agreement.clauses.all()}
    agreement.clauses.exclude(position__in=[clause.position for clause in clauses]).delete()
    for index, data in enumerate(clauses):
        row = existing.get(data.position) or Clause(agreement=agreement, position=data.position)
        changed = _assign(row, text=data.text, article=data.article, source_id=_pk(data.source))
        if changed and _clean(row, f"clauses[{index}]", errors, exclude=["agreement", "categories"]):
            row.save()
        if row.pk is not None:
            row.categories.set(data.categories)  # adds and removes only what differs


def _sync_events(agreement: Agreement, events: Sequence[EventIn], errors: _Errors) -> None:
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
        changed = _assign(row, date_note=data.date_note, note=data.note, source_id=_pk(data.source))
        if changed and _clean(row, f"events[{index}]", errors, exclude=["agreement", "party"]):
            row.save()
        keep.add(row.pk)
    agreement.events.exclude(pk__in=keep).delete()


def _sync_citations(agreement: Agreement, citations: Sequence[CitationIn], errors: _Errors) -> None:
    existing = {c.source_id: c for c in agreement.citations.all()}
    keep: set[int] = set()
    for index, data in enumerate(citations):
        row = existing.get(data.source.pk) or AgreementSource(agreement=agreement, source=data.source)
        if _assign(row, supports=data.supports) and _clean(
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


def _pk(instance: Any) -> Any:
    return None if instance is None else instance.pk


def _assign(row: Any, **values: Any) -> bool:
    """Set ``values`` on ``row``; whether it is new or any of them differs.

    Only such rows are validated and saved, so a write that touches one part of an
    agreement leaves the others alone: no statements, and no empty history records.
    """
    changed = row._state.adding or any(getattr(row, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(row, name, value)
    return changed


def _clean(row: Any, path: str, errors: _Errors, exclude: list[str]) -> bool:
    try:
        row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.merge(path, error)
        return False
    return True


def _write(agreement: Agreement, data: AgreementIn) -> Agreement:
    errors = _Errors()
    parties = _check(data, errors)
    errors.raise_if_any()
    assert parties is not None
    _write_scalars(agreement, data, parties, errors)
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


def agreement_sync(*, agreement: Agreement) -> Lifecycle:
    """The last step of every write to an agreement or its parts, whoever made it.

    Checks that the parts fit the (possibly changed) parties, cites the sources of the
    facts on the agreement itself, and rewrites the derived lifecycle.
    """
    _check_existing_parts(agreement)
    _cite_sources_of_facts(agreement)
    return agreement_sync_derived(agreement=agreement)


def _check_existing_parts(agreement: Agreement) -> None:
    """After a change of parties, the parts that were kept must still fit the agreement."""
    names = country_names(agreement.parties)
    errors = _Errors()
    for index, party in enumerate(agreement.signatories.values_list("party_id", flat=True)):
        problem = signatory_party_problem(party, agreement.parties, names)
        if problem:
            errors.add(f"signatories[{index}].party", problem)
    errors.raise_if_any()


def agreement_to_input(agreement: Agreement) -> AgreementIn:
    """The agreement as a client would describe it: the inverse of ``agreement_create``."""
    return AgreementIn(
        party_a=agreement.party_a_id,
        party_b=agreement.party_b_id,
        **{name: getattr(agreement, name) for name in AgreementIn.SCALARS},
        signatories=[
            SignatoryIn(
                person=s.person, party=s.party_id, office=s.office, rank=s.rank, note=s.note, source=s.source
            )
            for s in agreement.signatories.all()
        ],
        clauses=[
            ClauseIn(
                position=c.position,
                text=c.text,
                article=c.article,
                categories=list(c.categories.all()),
                source=c.source,
            )
            for c in agreement.clauses.all()
        ],
        events=[
            EventIn(
                status=e.status,
                date=e.partial_date,
                party=e.party_id,
                date_note=e.date_note,
                note=e.note,
                source=e.source,
            )
            for e in agreement.events.all()
        ],
        citations=[CitationIn(source=c.source, supports=c.supports) for c in agreement.citations.all()],
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

    Parts are matched by their natural keys (a clause by position, a signatory by
    person, an event by status, party and date, a citation by source): matched parts
    are updated, new ones created, and the ones not listed removed. A request that
    changes nothing writes nothing (and does not bump ``version``). With
    ``expected_version``, a concurrent change raises ``StaleVersionError`` instead of being
    overwritten.
    """
    with transaction.atomic():
        locked = _lock(agreement, expected_version)
        current = agreement_to_input(Agreement.objects.with_details().get(pk=agreement.pk))
        if _canonical(data, current) != _canonical(current, current):
            _write(locked, data)
    return Agreement.objects.with_details().get(pk=agreement.pk)


def agreement_delete(*, agreement: Agreement, expected_version: int | None = None) -> None:
    """Delete an agreement with its parts (people and sources stay)."""
    with transaction.atomic():
        _lock(agreement, expected_version).delete()


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
        locked = _lock(agreement, None)
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
        errors = _Errors()
        _clean(event, "", errors, exclude=["agreement", "party"])
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
