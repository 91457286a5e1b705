"""Is this agreement already recorded? The one rule every door asks before creating one.

A new agreement is a *possible duplicate* of a stored one of the same pair when

* their signatures fall within ``WINDOW`` of each other (a partial date counts over its whole
  period), or
* someone signed both and their titles are alike (``TITLE_SIMILARITY``, rapidfuzz).

The admin shows the candidates and asks for an explicit "save anyway"; the API answers 409
with them unless the request says ``allow_duplicate=true``; the importer refuses the row.

A new person or body is refused the same way when one of its names is another spelling of a
known one (``PossibleSameRecordError``; the rule is ``matching``'s, which the intake shares).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from rapidfuzz import fuzz

from ..choices import ParticipantRole
from ..dates import format_partial_date
from ..lifecycle import derive_lifecycle
from ..models import Agreement, Country, Person
from ..pairs import canonical_pair
from .inputs import AgreementIn, BodyIn, PersonIn
from .matching import Candidate, similar_bodies, similar_people

WINDOW = datetime.timedelta(days=30)
TITLE_SIMILARITY = 90
LIMIT = 10
# Words every title of a kind shares: two titles are compared on what is left ("military"
# against "defence"), or "Memorandum of understanding on defence cooperation" would repeat
# "… on military cooperation" for a minister who signed both.
GENERIC_TITLE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "for",
        "and",
        "between",
        "with",
        "to",
        "by",
        "at",
        "concerning",
        "regarding",
        "field",
        "fields",
        "area",
        "areas",
        "memorandum",
        "understanding",
        "mou",
        "agreement",
        "treaty",
        "protocol",
        "exchange",
        "notes",
        "note",
        "joint",
        "declaration",
        "accord",
        "convention",
        "arrangement",
        "cooperation",
        "co",
        "operation",
        "collaboration",
        "initial",
        "framework",
        "government",
        "governments",
        "republic",
        "islamic",
        "state",
        "states",
    ]
)


@dataclass(frozen=True)
class PossibleDuplicate:
    id: int
    title: str
    signed_on: datetime.date | None
    signed_on_precision: str
    why: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "signed_on": self.signed_on,
            "signed_on_precision": self.signed_on_precision,
            "why": self.why,
        }


class PossibleDuplicateError(Exception):
    """The agreement may already be recorded; ``candidates`` says which and why."""

    def __init__(self, candidates: Sequence[PossibleDuplicate]) -> None:
        self.candidates = list(candidates)
        titles = "; ".join(f"“{c.title}” ({c.why})" for c in self.candidates)
        super().__init__(f"This agreement may already be recorded: {titles}.")


def _distinctive(title: str, names: set[str]) -> str:
    words = re.findall(r"[^\W\d_]+", title.casefold())
    return " ".join(word for word in words if word not in GENERIC_TITLE_WORDS and word not in names)


def _titles_alike(a: str, b: str, names: set[str]) -> bool:
    """Alike in what sets them apart from other titles (the pair's names left out too)."""
    first, second = _distinctive(a, names), _distinctive(b, names)
    if not first or not second:
        return first == second
    return fuzz.token_set_ratio(first, second) >= TITLE_SIMILARITY


def possible_duplicates(data: AgreementIn, *, exclude: int | None = None) -> list[PossibleDuplicate]:
    """The stored agreements ``data`` may repeat (at most ``LIMIT``), each with the reason."""
    party_a, party_b = canonical_pair(data.party_a, data.party_b)
    signed = derive_lifecycle([event.fact for event in data.events or ()]).signed_on
    signers = {
        p.person.pk
        for p in data.participants or ()
        if isinstance(p.person, Person) and p.role == ParticipantRole.SIGNED
    }
    near = Q()
    if signed is not None:
        near |= Q(signed_on__gte=signed.start - WINDOW, signed_on__lte=signed.end + WINDOW)
    if signers:
        near |= Q(participants__person__in=signers, participants__role=ParticipantRole.SIGNED)
    if not near:
        return []
    stored = (
        Agreement.objects.for_pair(party_a, party_b)
        .filter(near)
        .exclude(pk=exclude)
        .distinct()
        .order_by("signed_on", "id")
        .prefetch_related("participants")
    )
    names = {
        word
        for country in Country.objects.filter(code__in=(party_a, party_b))
        for word in re.findall(r"[^\W\d_]+", f"{country.name} {country.official_name}".casefold())
    }
    found = []
    for agreement in stored[: LIMIT * 5]:
        reasons = []
        day = agreement.signed_on
        if signed is not None and day is not None and signed.start - WINDOW <= day <= signed.end + WINDOW:
            when = format_partial_date(day, agreement.signed_on_precision)
            gap = abs((day - signed.start).days)
            reasons.append(f"same pair, signed {when}" + (f", {gap} days apart" if gap else ""))
        shared = {
            p.person_id for p in agreement.participants.all() if p.role == ParticipantRole.SIGNED
        } & signers
        if shared and _titles_alike(agreement.title, data.title, names):
            reasons.append("a signatory in common and a similar title")
        if reasons:
            found.append(
                PossibleDuplicate(
                    agreement.pk,
                    agreement.title,
                    agreement.signed_on,
                    agreement.signed_on_precision,
                    "; ".join(reasons),
                )
            )
    return found[:LIMIT]


def refuse_duplicates(data: AgreementIn, *, exclude: int | None = None) -> None:
    """Raise ``PossibleDuplicateError`` when ``data`` may repeat a stored agreement."""
    candidates = possible_duplicates(data, exclude=exclude)
    if candidates:
        raise PossibleDuplicateError(candidates)


# --- People and bodies ---------------------------------------------------------------------------


class PossibleSameRecordError(Exception):
    """A new person (or body) may be one already recorded under another spelling.

    The rule is ``matching``'s: a known name (or other name) with the same folded key, or
    close enough to be taken for the same (``Candidate.is_same``) — the rule by which the
    intake links a report's name to a known person rather than propose a new one.
    """

    def __init__(self, what: str, name: str, candidates: Sequence[Candidate]) -> None:
        self.what = what  # "person" or "body"
        self.name = name
        self.candidates = list(candidates)
        known = "; ".join(f"{c.name} (id {c.id}: {c.why})" for c in self.candidates)
        super().__init__(f"“{name}” may be a {what} already recorded: {known}.")

    def as_dicts(self) -> list[dict]:
        return [
            {"id": c.id, "name": c.name, "matched": c.matched_name, "score": round(c.score), "why": c.why}
            for c in self.candidates
        ]


def _same(candidates_per_name: Sequence[Sequence[Candidate]], exclude: int | None) -> list[Candidate]:
    best: dict[int, Candidate] = {}
    for candidates in candidates_per_name:
        for candidate in candidates:
            better = candidate.id not in best or candidate.score > best[candidate.id].score
            if candidate.is_same and candidate.id != exclude and better:
                best[candidate.id] = candidate
    return sorted(best.values(), key=lambda c: (-c.score, c.id))[:LIMIT]


def known_people_like(data: PersonIn, *, exclude: int | None = None) -> list[Candidate]:
    """Known people any of ``data``'s names may be (``exclude``: the person being edited)."""
    names = [data.name, *(other.name for other in data.other_names)]
    return _same([similar_people(name, limit=LIMIT) for name in names], exclude)


def known_bodies_like(data: BodyIn, *, exclude: int | None = None) -> list[Candidate]:
    """Known bodies of the same country any of ``data``'s names may be."""
    names = [data.name, *(other.name for other in data.other_names)]
    return _same([similar_bodies(name, country=data.country, limit=LIMIT) for name in names], exclude)


def refuse_similar_person(data: PersonIn) -> None:
    if candidates := known_people_like(data):
        raise PossibleSameRecordError("person", data.name, candidates)


def refuse_similar_body(data: BodyIn) -> None:
    if candidates := known_bodies_like(data):
        raise PossibleSameRecordError("body", data.name, candidates)
