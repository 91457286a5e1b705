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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class _Seen:
    """What the rule compares of an agreement, stored or about to be (``id`` None: not yet)."""

    id: int | None
    title: str
    signed_on: datetime.date | None
    signed_on_precision: str
    signers: frozenset


def _signed_and_signers(data: AgreementIn) -> tuple[Any, frozenset]:
    """The new agreement's signature (a ``PartialDate`` or None) and its signatories.

    A signatory is a known person's id; a person the write would add is ``new:<name>`` (folded),
    so that two new rows naming the same new person share a signatory, as they would once written.
    """
    signed = derive_lifecycle([event.fact for event in data.events or ()]).signed_on
    signers = frozenset(
        p.person.pk if isinstance(p.person, Person) else f"new:{p.person.name.casefold()}"
        for p in data.participants or ()
        if p.person is not None and p.role == ParticipantRole.SIGNED
    )
    return signed, signers


def _pair_names(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    """The words of each pair's country names, which a title comparison leaves out."""
    codes = {code for pair in pairs for code in pair}
    words = {
        country.code: set(re.findall(r"[^\W\d_]+", f"{country.name} {country.official_name}".casefold()))
        for country in Country.objects.filter(code__in=codes)
    }
    return {pair: words.get(pair[0], set()) | words.get(pair[1], set()) for pair in pairs}


def _reasons(seen: _Seen, title: str, signed, signers: frozenset, names: set[str]) -> list[str]:
    """Why a new agreement may repeat ``seen`` (nothing: it does not)."""
    reasons = []
    day = seen.signed_on
    if signed is not None and day is not None and signed.start - WINDOW <= day <= signed.end + WINDOW:
        when = format_partial_date(day, seen.signed_on_precision)
        gap = abs((day - signed.start).days)
        reasons.append(f"same pair, signed {when}" + (f", {gap} days apart" if gap else ""))
    if seen.signers & signers and _titles_alike(seen.title, title, names):
        reasons.append("a signatory in common and a similar title")
    return reasons


def _stored(agreements: Iterable[Agreement]) -> list[_Seen]:
    return [
        _Seen(
            agreement.pk,
            agreement.title,
            agreement.signed_on,
            agreement.signed_on_precision,
            frozenset(p.person_id for p in agreement.participants.all() if p.role == ParticipantRole.SIGNED),
        )
        for agreement in agreements
    ]


def _judged(seen: Iterable[_Seen], data: AgreementIn, names: set[str]) -> list[PossibleDuplicate]:
    signed, signers = _signed_and_signers(data)
    found = []
    for candidate in seen:
        reasons = _reasons(candidate, data.title, signed, signers, names)
        if reasons:
            found.append(
                PossibleDuplicate(
                    candidate.id,
                    candidate.title,
                    candidate.signed_on,
                    candidate.signed_on_precision,
                    "; ".join(reasons),
                )
            )
    return found[:LIMIT]


def possible_duplicates(data: AgreementIn, *, exclude: int | None = None) -> list[PossibleDuplicate]:
    """The stored agreements ``data`` may repeat (at most ``LIMIT``), each with the reason."""
    pair = canonical_pair(data.party_a, data.party_b)
    signed, signers = _signed_and_signers(data)
    known = {signer for signer in signers if isinstance(signer, int)}
    near = Q()
    if signed is not None:
        near |= Q(signed_on__gte=signed.start - WINDOW, signed_on__lte=signed.end + WINDOW)
    if known:
        near |= Q(participants__person__in=known, participants__role=ParticipantRole.SIGNED)
    if not near:
        return []
    stored = (
        Agreement.objects.for_pair(*pair)
        .filter(near)
        .exclude(pk=exclude)
        .distinct()
        .order_by("signed_on", "id")
        .prefetch_related("participants")
    )
    return _judged(_stored(stored[: LIMIT * 5]), data, _pair_names([pair])[pair])


def possible_duplicates_among(data: Sequence[AgreementIn]) -> list[list[PossibleDuplicate]]:
    """``possible_duplicates`` of each of several new agreements, asked at once: against the
    stored agreements of their pairs (two queries for the lot) and against the ones before
    it in ``data``, as if each had been written in turn. A candidate from ``data`` has no
    ``id``; its ``title`` and date say which it is."""
    pairs = {canonical_pair(d.party_a, d.party_b) for d in data}
    if not pairs:
        return []
    of_pairs = Q()
    for party_a, party_b in sorted(pairs):
        of_pairs |= Q(party_a=party_a, party_b=party_b)
    stored: dict[tuple[str, str], list[_Seen]] = {pair: [] for pair in pairs}
    rows = Agreement.objects.filter(of_pairs).order_by("signed_on", "id").prefetch_related("participants")
    for agreement, seen in zip(rows, _stored(rows), strict=True):
        stored[(agreement.party_a_id, agreement.party_b_id)].append(seen)
    names = _pair_names(pairs)
    answers = []
    for item in data:
        pair = canonical_pair(item.party_a, item.party_b)
        answers.append(_judged(stored[pair], item, names[pair]))
        signed, signers = _signed_and_signers(item)
        day, precision = (signed.value, signed.precision) if signed else (None, "")
        stored[pair].append(_Seen(None, item.title, day, precision, signers))
    return answers


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
