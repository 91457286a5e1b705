"""Find the known people (or bodies) a name may be: one question, asked by the intake and the
duplicate guard alike.

A name matches a person when it is another spelling of one of their names (equal
``names.name_key``: Dehghan, Dehgaan and Dehqan), or close to one (``names.similarity``:
a letter or two apart, or the same words in another order), or when its words are all in one
of their names (a report's "Erfan al-Hayali" for Erfan Mahmoud al-Hayali).

The candidates come from the stored keys. On PostgreSQL the trigram indexes of migration
0016 find them (``%>``: a stored name with a word like the last word asked for), so the search
stays an index lookup with 10,000 people; on SQLite every key is compared with
rapidfuzz instead. Either way each candidate is then scored in Python by ``names.similarity``,
so both engines rank and explain a candidate alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from rapidfuzz import process

from ..models import Body, BodyName, Person, PersonName
from ..names import SIMILAR, name_key, similarity

# Candidates below this score are not worth showing (names.similarity, 0–100).
SHOWN = 75
# How many rows per table SQLite's scan keeps for scoring: the best are among them.
_PREFILTER = 200
# pg_trgm word similarity a stored name's word needs with the last word asked for, to be scored.
WORD_SIMILAR = "0.4"


@dataclass(frozen=True)
class Candidate:
    """A known person or body that ``name`` may be, how sure, and why."""

    id: int
    name: str  # the canonical name
    matched_name: str  # the name of theirs that matched (the canonical one or another)
    score: float  # 0–100: 100 is another spelling of the same name
    why: str

    @property
    def is_same(self) -> bool:
        """Close enough to be taken for the same without asking (``names.SIMILAR``)."""
        return self.score >= SIMILAR


def similar_people(name: str, limit: int = 5) -> list[Candidate]:
    """Known people ``name`` may be, best first (each person once, by their best-matching name)."""
    key = name_key(name)
    if not key:
        return []
    rows = _rows([(Person.objects.all(), "id"), (PersonName.objects.all(), "person_id")], key)
    ranked = _rank(name, key, rows, limit)
    names = dict(Person.objects.filter(pk__in=[owner for owner, *_ in ranked]).values_list("pk", "name"))
    return [Candidate(owner, names[owner], matched, score, why) for owner, matched, score, why in ranked]


def similar_among(name: str, people: Iterable[Person], limit: int = 5) -> list[Candidate]:
    """``similar_people`` asked of ``people`` at hand (their canonical names) rather than the
    table: the same scoring, for a caller that already asked the table and has added people since."""
    key = name_key(name)
    if not key:
        return []
    known = {person.pk: person for person in people}
    rows = [(person.pk, person.name, name_key(person.name)) for person in known.values()]
    exact = [row for row in rows if row[2] == key]  # as ``_rows``: equal keys first
    ranked = _rank(name, key, exact or rows, limit)
    return [Candidate(owner, known[owner].name, matched, score, why) for owner, matched, score, why in ranked]


def similar_bodies(name: str, *, country: str | None = None, limit: int = 5) -> list[Candidate]:
    """Known bodies ``name`` may be (of ``country`` only, when given), best first."""
    key = name_key(name)
    if not key:
        return []
    bodies, other_names = Body.objects.all(), BodyName.objects.all()
    if country:
        bodies, other_names = bodies.filter(country_id=country), other_names.filter(body__country_id=country)
    rows = _rows([(bodies, "id"), (other_names, "body_id")], key)
    ranked = _rank(name, key, rows, limit)
    names = dict(Body.objects.filter(pk__in=[owner for owner, *_ in ranked]).values_list("pk", "name"))
    return [Candidate(owner, names[owner], matched, score, why) for owner, matched, score, why in ranked]


# --- Finding and scoring -------------------------------------------------------------------------------


class _TrigramOperator(Func):
    """``name_key <op> 'key'`` with a pg_trgm operator, which the GIN index on ``name_key`` answers."""

    output_field = BooleanField()
    template = "%(expressions)s"

    def __init__(self, operator: str, key: str) -> None:
        # "%" is doubled: the SQL goes through the driver's %s formatting.
        self.arg_joiner = f" {operator} "
        super().__init__(F("name_key"), Value(key))


def _rows(querysets: list[tuple[QuerySet, str]], key: str) -> list[tuple[int, str, str]]:
    """Names spelt alike once folded, when there are any (an equality on an indexed key: a fraction
    of a millisecond); otherwise the near spellings."""
    exact = [
        row
        for queryset, owner in querysets
        for row in queryset.filter(name_key=key).order_by().values_list(owner, "name", "name_key")
    ]
    if exact:
        return exact
    return [row for queryset, owner in querysets for row in _keyed_rows(queryset, owner, key)]


def _keyed_rows(queryset: QuerySet, owner: str, key: str) -> list[tuple[int, str, str]]:
    """(owner id, name, key) of the rows with a last word like that of ``key``.

    Two names are no more alike than their last words (``_score``), so the rows worth scoring are
    those with a word like the last word of ``key``: rare trigrams, an index lookup of a millisecond,
    where the whole name ("muhamad …") would match thousands and lead PostgreSQL to a scan.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            # pg_trgm's default (0.6) misses "kanmi" for "kanimi" (0.44). And the planner, which
            # counts a trigram comparison as cheap as an equality, scans a table of 10,000 names
            # (25 ms) rather than ask the index (a few ms). Both are set for this one query and then
            # put back, so that a write that asks (the duplicate guard) plans the rest as usual.
            cursor.execute(
                "SELECT current_setting('pg_trgm.word_similarity_threshold'), "
                "current_setting('enable_seqscan'), "
                "set_config('pg_trgm.word_similarity_threshold', %s, true), "
                "set_config('enable_seqscan', 'off', true)",
                [WORD_SIMILAR],
            )
            threshold, seqscan, *_ = cursor.fetchone()
            near = Q(_TrigramOperator("%%>", key.split()[-1]))
            rows = list(queryset.filter(near).order_by().values_list(owner, "name", "name_key"))
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
                "set_config('enable_seqscan', %s, true)",
                [threshold, seqscan],
            )
            return rows
    # SQLite: every key, compared in C by rapidfuzz (tens of milliseconds for 40,000 names).
    rows = list(queryset.values_list(owner, "name", "name_key"))
    keys = [row[2] for row in rows]
    found = process.extract(key, keys, scorer=_score, score_cutoff=SHOWN, limit=_PREFILTER)
    return [rows[index] for _, _, index in found]


def _score(key: str, other: str, **_: object) -> float:
    """How alike two keys are, counting a name all of whose words are in the other (two words at least).

    Two full names are no more alike than their surnames: "Mohamed Farid" and "Mohammad Hariy"
    share a long, common first name and are 88 alike as wholes, but they are not one person.
    """
    words, other_words = key.split(), other.split()
    surnames = 100.0
    if len(words) >= 2 and len(other_words) >= 2:
        surnames = similarity(words[-1], other_words[-1])
        if surnames < SHOWN:
            return surnames  # most rows: no need to compare the whole names
    score = similarity(key, other)
    smaller, larger = sorted((set(words), set(other_words)), key=len)
    if len(smaller) >= 2 and smaller < larger:
        score = max(score, 90.0)
    return min(score, surnames)


def _why(name: str, matched: str, score: float, key: str, other_key: str) -> str:
    if key == other_key:
        return f"“{matched}” is another spelling of the same name"
    words, other_words = set(key.split()), set(other_key.split())
    if len(words) >= 2 and (words < other_words or other_words < words):
        return f"the words of “{name}” and “{matched}” are one within the other"
    return f"“{matched}” is spelt nearly alike (similarity {score:.0f} of 100)"


def _rank(
    name: str, key: str, rows: Iterable[tuple[int, str, str]], limit: int
) -> list[tuple[int, str, float, str]]:
    best: dict[int, tuple[float, str, str]] = {}
    for owner, matched, other_key in rows:
        score = 100.0 if other_key == key else _score(key, other_key)
        if score < SHOWN:
            continue
        exact = matched.casefold() == name.casefold()  # the very spelling asked for, among equals
        if owner not in best or score > best[owner][0] or (score == best[owner][0] and exact):
            best[owner] = (score, matched, other_key)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1]))[:limit]
    return [
        (owner, matched, score, _why(name, matched, score, key, other_key))
        for owner, (score, matched, other_key) in ranked
    ]
