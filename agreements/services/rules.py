"""The rules an agreement's content must follow, asked before anything is written.

Each rule is written once, here, and answers with a message keyed by the path of the
field at fault (``signatories[1].party``); the API returns those paths as they are and
the admin puts each message next to the field or inline row it names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..lifecycle import validate_events
from ..models import Country, Person
from ..pairs import canonical_pair, same_parties_problem
from .base import Errors
from .inputs import AgreementIn

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


def signatory_party_problem(party: str, parties: Sequence[str], names: Mapping[str, str]) -> str | None:
    if party in parties:
        return None
    both = " and ".join(names.get(code, code) for code in parties)
    return (
        f"{names.get(party, party)} is not a party to this agreement ({both}); "
        "a signatory signs for one of them."
    )


def check_agreement(data: AgreementIn, errors: Errors) -> tuple[str, str] | None:
    """Validate everything that can be checked before writing; return the canonical pair."""
    problem = same_parties_problem(data.party_a, data.party_b)
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

    seen_people: set[Any] = set()
    for index, signatory in enumerate(data.signatories or ()):
        problem = signatory_party_problem(signatory.party, parties, countries)
        if problem:
            errors.add(f"signatories[{index}].party", problem)
        key = signatory.person.pk if isinstance(signatory.person, Person) else signatory.person.name
        if key in seen_people:
            errors.add(
                f"signatories[{index}].person",
                f"{signatory.person.name} is already listed as a signatory.",
            )
        seen_people.add(key)

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

    if data.events is not None:
        facts = [event.fact for event in data.events]
        names = countries | country_names([f.party for f in facts])
        for problem in validate_events(facts, parties, names):
            errors.add(f"events[{problem.index}].{problem.field}", problem.message)
    return parties


def check_signatory_parties(parties: tuple[str, str], signatory_parties: Sequence[str]) -> None:
    """After a change of parties, the signatories that were kept must still sign for one of them."""
    names = country_names(parties)
    errors = Errors()
    for index, party in enumerate(signatory_parties):
        problem = signatory_party_problem(party, parties, names)
        if problem:
            errors.add(f"signatories[{index}].party", problem)
    errors.raise_if_any()
