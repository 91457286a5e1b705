"""The two parties: the states the report has sign (or plan) the agreement, not every state it names.

A state counts by how it is named and where: "Iran and Iraq signed …", "between Tehran and
Baghdad", the nationality of a signatory ("Iranian Defense Minister …") weigh most; any
mention in the key sentence or the opening one weighs more than one further down; a capital
after "in" or "at" is a place ("signed in Moscow"), not a party. States named only in passing
(Daesh's "caliphate", a third country's earlier deal) fall below the two.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

from .countries import CountryLexicon, Mention
from .text import Evidence, Sentence

# Between two mentions, "X and Y", "X and the Y", "X's and Y's": a pair of parties.
_PAIR_GAP = re.compile(r"^(?:['’]s)?\s*(?:and|&|,)\s+(?:the\s+)?$")
_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?$")
_PLACE_BEFORE = re.compile(r"\b(?:in|at|to|from|near|visit(?:ed|ing)?|arrived in)\s+(?:the\s+)?$", re.I)
_THIRD = re.compile(
    r"\b(?:brokered|mediated|hosted|sponsored|backed|facilitated|observed|welcomed|criticised|criticized|"
    r"condemned|warned|against|like|with|unlike|including)\s+(?:by\s+)?(?:the\s+)?$",
    re.I,
)


@dataclass(frozen=True)
class PartyFinding:
    code: str
    name: str
    evidence: tuple[Evidence, ...]
    why: str


def choose_parties(
    report: str,
    sentences: list[Sentence],
    mentions: list[Mention],
    countries: CountryLexicon,
    key: Sentence | None,
    signatory_mentions: list[Mention],
) -> list[PartyFinding]:
    """Up to two parties, in the order the report first names them."""
    key_index = key.index if key is not None else 0
    sentence_of = {}
    for mention in mentions:
        sentence_of[mention] = next(
            (s for s in sentences if s.start <= mention.start < s.end), sentences[0] if sentences else None
        )
    pair = _named_pair(report, mentions, sentence_of, key_index)
    if pair:
        (first, second), why = pair
        evidence = Evidence(report[first.start : second.end], first.start, second.end)
        return [PartyFinding(m.code, countries.names[m.code], (evidence,), why) for m in (first, second)]
    scores: dict[str, float] = defaultdict(float)
    shown: dict[str, list[Evidence]] = defaultdict(list)
    for mention in mentions:
        sentence = sentence_of[mention]
        before = report[sentence.start if sentence else 0 : mention.start]
        weight = 1.0
        if sentence is not None and sentence.index == key_index:
            weight = 6.0
        elif sentence is not None and sentence.index == 0:
            weight = 3.0
        if mention.kind == "capital" and _PLACE_BEFORE.search(before):
            weight = 0.3
        if _THIRD.search(before):
            weight = min(weight, 0.5)
        scores[mention.code] += weight
        shown[mention.code].append(Evidence(mention.text, mention.start, mention.end))
    for mention in signatory_mentions:
        scores[mention.code] += 8.0
    ranked = sorted(scores, key=lambda code: -scores[code])[:2]
    first_seen = {m.code: m.start for m in reversed(mentions)}
    ranked.sort(key=lambda code: first_seen.get(code, len(report)))
    return [
        PartyFinding(
            code,
            countries.names[code],
            tuple(shown[code][:3]),
            "named most often where the signing is reported",
        )
        for code in ranked
    ]


def _named_pair(
    report: str, mentions: list[Mention], sentence_of: dict, key_index: int
) -> tuple[tuple[Mention, Mention], str] | None:
    """ "Iran and Iraq", "between Tehran and Baghdad" in the key sentence (or the opening one)."""
    for wanted in (key_index, 0):
        for first, second in itertools.pairwise(mentions):
            sentence = sentence_of[first]
            if sentence is None or sentence.index != wanted or sentence_of[second] is not sentence:
                continue
            if first.code == second.code or not _PAIR_GAP.match(report[first.end : second.start]):
                continue
            before = report[sentence.start : first.start]
            if _THIRD.search(before):
                continue
            if first.kind == "capital" and _PLACE_BEFORE.search(before):
                continue
            if _BETWEEN.search(before):
                return (first, second), "“between … and …” where the signing is reported"
            return (first, second), "named together where the signing is reported"
    return None
