"""The rules an agreement's content must follow, asked before anything is written.

Each rule is written once, here, and answers with a message keyed by the path of the
field at fault (``participants[1].party``); the API returns those paths as they are and
the admin puts each message next to the field or inline row it names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..choices import Level, ParticipantRole
from ..commitments import validate_commitment
from ..dates import PartialDate
from ..lifecycle import derive_lifecycle, validate_events
from ..models import Body, Country, Person
from ..models.children import UNNAMED_NEEDS_DESCRIPTION
from ..pairs import canonical_pair, same_parties_problem
from .base import Errors
from .inputs import AgreementIn, CommitmentIn, ParticipantIn

UNNAMED = "not named"
# How a message names a participant's role: "listed twice as a signatory".
ROLE_NOUNS = {
    ParticipantRole.SIGNED: "a signatory",
    ParticipantRole.INITIALLED: "having initialled it",
    ParticipantRole.WITNESSED: "a witness",
    ParticipantRole.NEGOTIATED: "a negotiator",
    ParticipantRole.ATTENDED: "attending",
}

# Whether a clause must be in a category before it is stored. It need not: clauses are often
# entered from a text before anyone has analysed them, and the importer and the API always took
# them so. The admin's form leaves the question here (its field is optional), so that an
# agreement saved through one interface can be saved through the other (issue 16).
CLAUSE_NEEDS_CATEGORY = False


def clause_category_problem(categories: Sequence[Any]) -> str | None:
    if CLAUSE_NEEDS_CATEGORY and not categories:
        return "Put the clause in at least one category."
    return None


def country_names(codes: Sequence[str | None]) -> dict[str, str]:
    wanted = {code for code in codes if code}
    return dict(Country.objects.filter(code__in=wanted).values_list("code", "name"))


# check_agreement's own ``country_names`` may answer from names read once; this is the query.
_country_names = country_names


def participant_party_problem(party: str, parties: Sequence[str], names: Mapping[str, str]) -> str | None:
    if party in parties:
        return None
    both = " and ".join(names.get(code, code) for code in parties)
    return (
        f"{names.get(party, party)} is not a party to this agreement ({both}); "
        "a participant acts for one of them."
    )


def body_party_problem(body: Body | None, party: str | None, names: Mapping[str, str]) -> str | None:
    """A body acts for its own country only."""
    if body is None or party is None or body.country_id == party:
        return None
    home, acting = names.get(body.country_id, body.country_id), names.get(party, party)
    return f"{body.name} is a body of {home}, not of {acting}."


def derive_level(body_a: Body | None, body_b: Body | None) -> str | None:
    """The level the sides' bodies say; ``None`` when no side names a body."""
    bodies = [body for body in (body_a, body_b) if body is not None]
    if any(body.is_sub_national for body in bodies):
        return Level.SUB_NATIONAL
    return Level.GOVERNMENT if bodies else None


def resolve_level(stated: str | None, derived: str | None, kept: str | None) -> tuple[str, str | None]:
    """The level to store, and a problem when the one stated contradicts the sides.

    Not stated: what the sides' bodies say, else the level kept (a new agreement: between
    states). Stated: it stands, unless it crosses the line between state-level and
    sub-national that the sides draw.
    """
    if stated is None:
        return derived or kept or Level.STATE, None
    if derived is not None and (derived == Level.SUB_NATIONAL) != (stated == Level.SUB_NATIONAL):
        sides = "below the state" if derived == Level.SUB_NATIONAL else "national bodies"
        return stated, (
            f"“{Level(stated).label}” contradicts the sides, whose bodies are {sides}; "
            f"choose “{Level(derived).label}” or leave the level out to derive it."
        )
    return stated, None


def _participant_key(participant: ParticipantIn) -> tuple[Any, ...]:
    person = participant.person
    if person is None:
        return ("unnamed", participant.description.strip().casefold(), participant.party, participant.role)
    return (person.pk if isinstance(person, Person) else f"new:{person.name}", participant.role)


def _participant_label(participant: ParticipantIn) -> str:
    return participant.person.name if participant.person is not None else participant.description


def check_participants(
    participants: Sequence[ParticipantIn], parties: Sequence[str], names: Mapping[str, str], errors: Errors
) -> None:
    seen: set[tuple[Any, ...]] = set()
    for index, participant in enumerate(participants):
        path = f"participants[{index}]"
        problem = participant_party_problem(participant.party, parties, names)
        if problem:
            errors.add(f"{path}.party", problem)
        problem = body_party_problem(participant.body, participant.party, names)
        if problem:
            errors.add(f"{path}.body", problem)
        if participant.person is None and not participant.description.strip():
            errors.add(f"{path}.description", UNNAMED_NEEDS_DESCRIPTION)
            continue
        key = _participant_key(participant)
        if key in seen:
            errors.add(
                f"{path}.person" if participant.person is not None else f"{path}.description",
                f"{_participant_label(participant)} is listed twice as {ROLE_NOUNS[participant.role]}.",
            )
        seen.add(key)


def check_commitments(
    commitments: Sequence[CommitmentIn],
    parties: Sequence[str],
    names: Mapping[str, str],
    clause_positions: set[int],
    signed: PartialDate | None,
    errors: Errors,
) -> None:
    positions: set[int] = set()
    for index, commitment in enumerate(commitments):
        path = f"commitments[{index}]"
        if commitment.position in positions:
            errors.add(f"{path}.position", f"Another commitment already has position {commitment.position}.")
        positions.add(commitment.position)
        if not commitment.text.strip():
            errors.add(f"{path}.text", "Say what was undertaken.")
        if commitment.party is not None:
            problem = participant_party_problem(commitment.party, parties, names)
            if problem:
                errors.add(f"{path}.party", problem.replace("a participant acts", "a commitment is"))
        for at, position in enumerate(commitment.clauses):
            if position not in clause_positions:
                errors.add(f"{path}.clauses[{at}]", f"The agreement has no clause at position {position}.")
        facts = [event.fact for event in commitment.events]
        for problem in validate_commitment(commitment.due, facts, signed):
            field = "due_on" if problem.index is None else f"events[{problem.index}].{problem.field}"
            errors.add(f"{path}.{field}", problem.message)


def check_agreement(
    data: AgreementIn,
    errors: Errors,
    *,
    stored: AgreementIn | None = None,
    known_countries: Mapping[str, str] | None = None,
) -> tuple[str, str] | None:
    """Validate everything that can be checked before writing; return the canonical pair.

    ``stored`` is the agreement as it stands (for an update): its parts stand in for the
    collections ``data`` leaves out. ``known_countries`` (every code with its name, read once
    by a caller checking many agreements) saves the queries for the countries' names.
    """

    def country_names(codes: Sequence[str | None]) -> dict[str, str]:
        if known_countries is None:
            return _country_names(codes)
        return {code: known_countries[code] for code in codes if code and code in known_countries}

    problem = same_parties_problem(data.party_a, data.party_b)
    if problem:
        errors.add("party_b", problem)
        return None
    parties = canonical_pair(data.party_a, data.party_b)
    participants = data.participants if data.participants is not None else (stored and stored.participants)
    codes = [*parties, *(p.party for p in participants or ()), *(c.party for c in data.commitments or ())]
    bodies = [data.body_a, data.body_b, *(p.body for p in participants or ())]
    countries = country_names([*codes, *(body.country_id for body in bodies if body is not None)])
    for code, path in ((data.party_a, "party_a"), (data.party_b, "party_b")):
        if code not in countries:
            errors.add(path, f"Unknown country code “{code}”.")
    if errors.messages:
        return None

    for body, party, path in ((data.body_a, data.party_a, "body_a"), (data.body_b, data.party_b, "body_b")):
        problem = body_party_problem(body, party, countries)
        if problem:
            errors.add(path, problem)
    _, problem = resolve_level(data.level, derive_level(data.body_a, data.body_b), None)
    if problem:
        errors.add("level", problem)

    if data.participants is not None:
        check_participants(data.participants, parties, countries, errors)

    positions: set[int] = set()
    for index, clause in enumerate(data.clauses or ()):
        if clause.position in positions:
            errors.add(
                f"clauses[{index}].position", f"Another clause already has position {clause.position}."
            )
        positions.add(clause.position)
        if not clause.text.strip():
            errors.add(f"clauses[{index}].text", "A clause needs its text or a summary.")
        problem = clause_category_problem(clause.categories)
        if problem:
            errors.add(f"clauses[{index}].categories", problem)

    sources: set[int] = set()
    for index, citation in enumerate(data.citations or ()):
        if citation.source.pk in sources:
            errors.add(f"citations[{index}].source", "This source is already cited.")
        sources.add(citation.source.pk)

    events = data.events if data.events is not None else (stored.events if stored else None)
    if data.events is not None:
        facts = [event.fact for event in data.events]
        names = countries | country_names([f.party for f in facts])
        for problem in validate_events(facts, parties, names):
            errors.add(f"events[{problem.index}].{problem.field}", problem.message)

    commitments = data.commitments if data.commitments is not None else (stored and stored.commitments)
    if commitments and not errors.messages:
        clauses = data.clauses if data.clauses is not None else (stored.clauses if stored else ())
        signed = derive_lifecycle([event.fact for event in events or ()]).signed_on
        check_commitments(
            commitments, parties, countries, {c.position for c in clauses or ()}, signed, errors
        )
    return parties


def check_participant_parties(parties: tuple[str, str], participant_parties: Sequence[str]) -> None:
    """After a change of parties, the participants that were kept must still act for one of them."""
    names = country_names(parties)
    errors = Errors()
    for index, party in enumerate(participant_parties):
        problem = participant_party_problem(party, parties, names)
        if problem:
            errors.add(f"participants[{index}].party", problem)
    errors.raise_if_any()
