"""From a pasted report to a proposal: the one function every interface calls (``propose``).

The reading is pure (the modules beside this one take text and return findings); this
module adds what only the database knows — the countries' names, the known people and
bodies, the categories' keywords, a source already recorded with the report's URL — and
saves nothing.
"""

from __future__ import annotations

from collections import Counter

from ...choices import EventType
from ...dates import DatePrecision
from ...models import ClauseCategory, Country, Participant, Person, Source
from ..matching import similar_bodies, similar_people
from .clauses import category_rules, find_clauses, subject_clause
from .countries import CountryLexicon, Mention
from .dates import signature_date
from .kinds import find_kind, find_title
from .offices import body_of
from .parties import choose_parties
from .people import PersonFinding, UnnamedFinding, read_people
from .places import signature_place
from .proposal import (
    CategoryProposal,
    ClauseProposal,
    DateProposal,
    ParticipantProposal,
    PartyProposal,
    Proposal,
    Proposed,
    ReportIn,
    SideProposal,
    SourceProposal,
)
from .sources import DATELINE, excerpt_of, stated_licence, title_of
from .status import NEGOTIATING, PLANNED, SIGNING_WORD, find_status
from .text import Evidence, split_sentences

_LEXICON: tuple[tuple, CountryLexicon] | None = None


def country_lexicon() -> CountryLexicon:
    """The current states' names, adjectives and capitals (built once per set of countries)."""
    global _LEXICON
    rows = tuple(
        Country.objects.filter(is_former=False).order_by("code").values_list("code", "name", "also_known_as")
    )
    if _LEXICON is None or _LEXICON[0] != rows:
        _LEXICON = (rows, CountryLexicon(rows))
    return _LEXICON[1]


def propose(report: ReportIn) -> Proposal:
    """Everything the report says of one agreement, as a proposal to check; nothing is saved."""
    text = report.text
    published = report.published_on
    countries = country_lexicon()
    sentences = split_sentences(text)
    status = find_status(sentences, published)
    key = status.sentence if status else (sentences[0] if sentences else None)
    mentions = countries.mentions(text)
    people, unnamed = read_people(text, sentences, countries, status.status if status else None, key)
    participants = [p for p in people if p.role is not None]
    signatory_mentions = [
        Mention(p.party, "adjective", p.party_evidence.start, p.party_evidence.end, p.party_evidence.text)
        for p in participants
        if p.party and p.party_evidence
    ]
    parties = choose_parties(text, sentences, mentions, countries, key, signatory_mentions)
    codes = [party.code for party in parties]

    kind = find_kind(sentences, key)
    title = find_title(kind.kind, key, sentences)
    date = None
    place = None
    if status is not None and status.status not in (PLANNED, NEGOTIATING):
        others = [s for s in sentences if s is not key and SIGNING_WORD.search(s.text)]
        date = signature_date(status.sentence, status.verb_at, published, others)
        place = signature_place(
            [(status.sentence, status.verb_at), *((s, 0) for s in others)], text, countries
        )

    proposed_participants = [_participant(person, codes) for person in participants]
    proposed_participants += [_unnamed(finding) for finding in unnamed if finding.party in codes]
    rules = category_rules(ClauseCategory.objects.order_by("name").values_list("slug", "name", "keywords"))
    names = {rule.slug: rule.name for rule in rules}
    clauses = [
        ClauseProposal(
            position,
            finding.text,
            tuple(CategoryProposal(slug, names[slug], keyword) for slug, keyword in finding.categories),
            (finding.evidence,),
        )
        for position, finding in enumerate(_clauses(sentences, rules, title), start=1)
    ]
    cited: list[Evidence] = [
        *(e for party in parties for e in party.evidence),
        *([status.evidence] if status else []),
        *([date.evidence] if date else []),
        *(e for p in proposed_participants for values in p.evidence.values() for e in values),
        *(e for c in clauses for e in c.evidence),
    ]
    return Proposal(
        parties=tuple(PartyProposal(p.code, p.name, p.evidence, p.why) for p in parties),
        kind=Proposed(kind.kind, (kind.evidence,) if kind.evidence.text else ()),
        title=Proposed(title.title, (title.evidence,) if title.evidence else ()),
        summary=_summary(key),
        status=_status(status),
        place=Proposed(place.name, (place.evidence,), place.note) if place else Proposed(""),
        date=_date(date, status),
        participants=tuple(proposed_participants),
        sides=tuple(_sides(proposed_participants, codes)),
        clauses=tuple(clauses),
        source=_source(report, sentences, cited),
    )


def _clauses(sentences, rules, title) -> list:
    found = find_clauses(sentences, rules)
    if not found and title.evidence is not None:
        fallback = subject_clause(title.evidence.text, title.evidence, rules)
        found = [fallback] if fallback else []
    return found


def _summary(key) -> Proposed:
    """The key sentence, without the dateline ("TEHRAN – ") it may start with."""
    if key is None:
        return Proposed("")
    dateline = DATELINE.match(key.text)
    start = dateline.end() if dateline else 0
    return Proposed(key.text[start:], (key.evidence(start),))


def _status(status) -> Proposed:
    if status is None:
        return Proposed(NEGOTIATING, (), "The report does not say that it was signed, initialled or planned.")
    return Proposed(status.status, (status.evidence,))


def _date(found, status) -> DateProposal:
    if found is None:
        if status is not None and status.status in (PLANNED, NEGOTIATING):
            note = "Not signed yet: no date of signature."
        else:
            note = "The report gives no date of signature."
        return DateProposal(None, DatePrecision.DAY, note, ())
    if found.date is None:
        return DateProposal(None, DatePrecision.DAY, found.note, (found.evidence,))
    return DateProposal(found.date.value, found.date.precision, found.note, (found.evidence,))


def _evidence(person: PersonFinding) -> dict[str, tuple[Evidence, ...]]:
    evidence = {"name": (person.evidence,)}
    for name in ("party", "office", "rank", "role"):
        value = getattr(person, f"{name}_evidence")
        if value is not None:
            evidence[name] = (value,)
    if person.spellings:
        evidence["other_names"] = tuple(e for _, e in person.spellings)
    return evidence


def _participant(person: PersonFinding, parties: list[str]) -> ParticipantProposal:
    spellings = [person.name, *(s for s, _ in person.spellings)]
    candidates = []
    for spelling in [s for s in spellings if len(s.split()) >= 2] or spellings:
        candidates = similar_people(spelling, limit=5)
        if candidates and candidates[0].is_same:
            break
    known = candidates[0] if candidates and candidates[0].is_same else None
    party = person.party
    if party is None and known is not None:
        # What the report does not say, the person's earlier agreements do.
        acted = Counter(Participant.objects.filter(person_id=known.id).values_list("party_id", flat=True))
        party = next((code for code, _ in acted.most_common() if code in parties), None)
    evidence = _evidence(person)
    body_id, body_name = None, ""
    office_body = body_of(person.office) if person.office else None
    if office_body and party:
        bodies = similar_bodies(office_body, country=party, limit=1)
        if bodies and bodies[0].is_same:
            body_id, body_name = bodies[0].id, bodies[0].name
            evidence["body"] = evidence.get("office", ())
    if known is not None:
        names = _known_names(known.id)
        other_names = tuple(s for s in spellings if s.casefold() not in names)
        return ParticipantProposal(
            name=person.name,
            person_id=known.id,
            person_name=known.name,
            match=known.why,
            candidates=tuple(candidates),
            other_names=other_names,
            description="",
            party=party,
            role=person.role,
            office=person.office,
            rank=person.rank,
            body_id=body_id,
            body_name=body_name,
            evidence=evidence,
        )
    return ParticipantProposal(
        name=person.name,
        person_id=None,
        person_name=person.name,
        match="",
        candidates=tuple(candidates),
        other_names=tuple(s for s, _ in person.spellings),
        description="",
        party=party,
        role=person.role,
        office=person.office,
        rank=person.rank,
        body_id=body_id,
        body_name=body_name,
        evidence=evidence,
    )


def _known_names(person_id: int) -> set[str]:
    person = Person.objects.prefetch_related("other_names").get(pk=person_id)
    return {person.name.casefold(), *(other.name.casefold() for other in person.other_names.all())}


def _unnamed(finding: UnnamedFinding) -> ParticipantProposal:
    return ParticipantProposal(
        name="",
        person_id=None,
        person_name="",
        match="",
        candidates=(),
        other_names=(),
        description=finding.description,
        party=finding.party,
        role=finding.role,
        office=finding.office,
        rank="",
        body_id=None,
        body_name="",
        evidence={"description": (finding.evidence,)},
    )


def _sides(participants: list[ParticipantProposal], parties: list[str]) -> list[SideProposal]:
    """A side's body is the body its signatory acted for, when the signatories name one."""
    sides = []
    for code in parties:
        for participant in participants:
            if (
                participant.party == code
                and participant.body_id
                and participant.role
                in (
                    EventType.SIGNED,
                    EventType.INITIALLED,
                )
            ):
                sides.append(
                    SideProposal(
                        code, participant.body_id, participant.body_name, participant.evidence.get("body", ())
                    )
                )
                break
    return sides


def _source(report: ReportIn, sentences, cited: list[Evidence]) -> SourceProposal:
    licence, licence_evidence = report.licence, ()
    if not licence:
        stated = stated_licence(report.text)
        if stated:
            licence, licence_evidence = stated[0], (stated[1],)
    existing = (
        Source.objects.filter(url=report.url).values_list("pk", flat=True).first() if report.url else None
    )
    return SourceProposal(
        title=title_of(report.text, sentences),
        url=report.url,
        publisher=report.publisher,
        published_on=report.published_on,
        language=report.language,
        licence=licence,
        excerpt=excerpt_of(sentences, cited),
        existing_id=existing,
        licence_evidence=licence_evidence,
    )
