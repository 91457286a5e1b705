"""What a write says: the plain, typed inputs every interface builds for the services.

The API's serializers, the admin's forms, the JSON importer and the recovery of old
versions all describe an agreement as an ``AgreementIn``; ``agreement_to_input`` is the
inverse, from the stored rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..choices import AgreementKind, Evidence, NameKind
from ..dates import PartialDate
from ..lifecycle import EventFact
from ..models import Agreement, ClauseCategory, Person, Source

# The agreement's own fields that people enter (the parties aside): the one list the
# services, the admin's form, the serializer and the recovery read.
AGREEMENT_FIELDS = (
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
# The collections of parts an agreement is written with, in the order they are written.
PART_COLLECTIONS = ("citations", "signatories", "clauses", "events")


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


def signatory_to_input(signatory) -> SignatoryIn:
    return SignatoryIn(
        person=signatory.person,
        party=signatory.party_id,
        office=signatory.office,
        rank=signatory.rank,
        note=signatory.note,
        source=signatory.source,
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


def agreement_to_input(agreement: Agreement) -> AgreementIn:
    """The agreement as a client would describe it: the inverse of ``agreement_create``.

    ``agreement`` should come from ``Agreement.objects.with_details()``.
    """
    return AgreementIn(
        party_a=agreement.party_a_id,
        party_b=agreement.party_b_id,
        **{name: getattr(agreement, name) for name in AGREEMENT_FIELDS},
        signatories=[signatory_to_input(s) for s in agreement.signatories.all()],
        clauses=[clause_to_input(c, c.categories.all()) for c in agreement.clauses.all()],
        events=[event_to_input(e) for e in agreement.events.all()],
        citations=[CitationIn(source=c.source, supports=c.supports) for c in agreement.citations.all()],
    )
