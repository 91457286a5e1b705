"""What a write says: the plain, typed inputs every interface builds for the services.

The API's serializers, the admin's forms, the JSON importer and the recovery of old
versions all describe an agreement as an ``AgreementIn``; ``agreement_to_input`` is the
inverse, from the stored rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..choices import AgreementKind, BodyKind, Disclosure, Evidence, NameKind, ParticipantRole
from ..commitments import ImplementationFact
from ..dates import PartialDate
from ..lifecycle import EventFact
from ..models import Agreement, Body, ClauseCategory, Person, Source

# The agreement's own fields that people enter (the parties aside): the one list the
# services, the admin's form, the serializer and the recovery read.
AGREEMENT_FIELDS = (
    "title",
    "kind",
    "summary",
    "full_text",
    "disclosure",
    "place_of_signature",
    "evidence",
    "unts_registration",
    "wikidata_qid",
    "atop_id",
    "dcad_id",
)
# The collections of parts an agreement is written with, in the order they are written.
PART_COLLECTIONS = ("citations", "participants", "clauses", "events", "commitments")


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
class BodyIn:
    """A ministry, force, council, agency or regional government, with its other names."""

    name: str
    country: str  # country code
    kind: str = BodyKind.MINISTRY
    subdivision: str = ""
    other_names: Sequence[OtherNameIn] = ()
    note: str = ""


@dataclass(frozen=True)
class ParticipantIn:
    """Someone who took part for ``party`` in ``role``: a known ``person``, a new one, or — not
    named in the sources — a ``description``."""

    person: Person | PersonIn | None  # None: not named in the sources (then a description)
    party: str  # country code
    role: str = ParticipantRole.SIGNED
    description: str = ""
    body: Body | None = None
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
class ImplementationEventIn:
    """What a later report says of a commitment; ``new_due`` for an extension only."""

    kind: str
    date: PartialDate
    new_due: PartialDate | None = None
    note: str = ""
    source: Source | None = None

    @property
    def fact(self) -> ImplementationFact:
        return ImplementationFact(self.kind, self.date, self.new_due)


@dataclass(frozen=True)
class CommitmentIn:
    """What ``party`` (``None``: both) undertook, from the clauses at ``clauses`` (positions).

    ``position`` ``None``: after the agreement's other commitments (``agreement_part_add``).
    """

    position: int | None
    text: str
    party: str | None = None
    clauses: Sequence[int] = ()
    due: PartialDate | None = None
    due_note: str = ""
    source: Source | None = None
    events: Sequence[ImplementationEventIn] = ()


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
    disclosure: str = Disclosure.UNKNOWN
    place_of_signature: str = ""
    evidence: str = Evidence.NEWS_REPORTS
    unts_registration: str = ""
    wikidata_qid: str = ""
    atop_id: str = ""
    dcad_id: str = ""
    # The bodies that committed for ``party_a`` and ``party_b`` as given (in the caller's order).
    body_a: Body | None = None
    body_b: Body | None = None
    # ``None``: derived from the bodies where they say, otherwise kept (a new agreement: state).
    level: str | None = None
    participants: Sequence[ParticipantIn] | None = None
    clauses: Sequence[ClauseIn] | None = None
    events: Sequence[EventIn] | None = None
    citations: Sequence[CitationIn] | None = None
    commitments: Sequence[CommitmentIn] | None = None


def participant_to_input(participant) -> ParticipantIn:
    return ParticipantIn(
        party=participant.party_id,
        person=participant.person,
        role=participant.role,
        description=participant.description,
        body=participant.body,
        office=participant.office,
        rank=participant.rank,
        note=participant.note,
        source=participant.source,
    )


def clause_to_input(clause, categories: Sequence[ClauseCategory]) -> ClauseIn:
    return ClauseIn(
        position=clause.position,
        text=clause.text,
        article=clause.article,
        categories=list(categories),
        source=clause.source,
    )


def event_to_input(event) -> EventIn:
    return EventIn(
        status=event.status,
        date=PartialDate(event.date, event.date_precision),
        party=event.party_id,
        date_note=event.date_note,
        note=event.note,
        source=event.source,
    )


def commitment_to_input(commitment, clause_positions: Sequence[int], events) -> CommitmentIn:
    return CommitmentIn(
        position=commitment.position,
        text=commitment.text,
        party=commitment.party_id,
        clauses=sorted(clause_positions),
        due=PartialDate(commitment.due_on, commitment.due_on_precision) if commitment.due_on else None,
        due_note=commitment.due_note,
        source=commitment.source,
        events=[
            ImplementationEventIn(
                kind=event.kind,
                date=PartialDate(event.date, event.date_precision),
                new_due=PartialDate(event.new_due_on, event.new_due_on_precision)
                if event.new_due_on
                else None,
                note=event.note,
                source=event.source,
            )
            for event in events
        ],
    )


def agreement_to_input(agreement: Agreement) -> AgreementIn:
    """The agreement as a client would describe it: the inverse of ``agreement_create``.

    ``agreement`` should come from ``Agreement.objects.with_details()``.
    """
    return AgreementIn(
        party_a=agreement.party_a_id,
        party_b=agreement.party_b_id,
        **{name: getattr(agreement, name) for name in AGREEMENT_FIELDS},
        body_a=agreement.body_a,
        body_b=agreement.body_b,
        level=agreement.level,
        participants=[participant_to_input(p) for p in agreement.participants.all()],
        clauses=[clause_to_input(c, c.categories.all()) for c in agreement.clauses.all()],
        events=[event_to_input(e) for e in agreement.events.all()],
        citations=[CitationIn(source=c.source, supports=c.supports) for c in agreement.citations.all()],
        commitments=[
            commitment_to_input(c, [clause.position for clause in c.clauses.all()], c.events.all())
            for c in agreement.commitments.all()
        ],
    )
