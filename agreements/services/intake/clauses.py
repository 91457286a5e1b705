"""What the parties undertook: each undertaking the report names becomes a clause summary, with
the categories whose keywords it contains.

An undertaking is what the two sides "will", "agreed to" or "pledged to" do, or what the
agreement "provides for": "Under the agreement, Tehran and Baghdad will share their
experiences in the fight against terrorism, cooperate to boost border security, and provide
logistical, technical and military support for each other" is three clauses, one per verb.
Hopes ("expressed the hope that the deal would …") and one side's statements ("the Iraqi
government will not allow …") are not undertakings of the agreement.

Categories are the editors' own (``ClauseCategory.keywords``, one word or phrase a line,
matched at the start of a word in any case).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .text import Evidence, Sentence, word_set

_SUBJECT = (
    r"(?:the two (?:sides|countries|parties|governments|ministries|neighbours|neighbors)|"
    r"both (?:sides|countries|parties)|the sides|they|"
    r"(?:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+and\s+(?:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?))"
)
_MODAL = (
    r"(?:will|would|shall|are to|agreed to|have agreed to|pledged to|undertook to|"
    r"committed (?:themselves )?to|vowed to|are expected to)"
)
_UNDERTAKING = [
    re.compile(rf"\b{_SUBJECT}\s+(?:also\s+)?{_MODAL}\s+(?:also\s+)?(?P<what>.+)$"),
    # "The protocol, which …, provides for …"; "the agreement would cover …"; "The agreement, expected
    # to be signed …, will allow …".
    re.compile(
        r"\b(?:the|this)\s+(?:agreement|memorandum|MoU|MOU|protocol|deal|accord|pact|treaty|document|declaration|"
        r"exchange of notes)(?:\s*,[^,]{0,160},)?\s+(?:also\s+)?(?:(?:will|would|shall)\s+(?:also\s+)?)?"
        r"(?P<what>(?:provides? for|envisages?|covers?|includes?|calls? for|stipulates?|focuses on|commits?|"
        r"aims? at|is aimed at|deals? with|sets? out|allows?|enables?|establish(?:es)?|permits?)\s+.+)$",
        re.I,
    ),
    re.compile(
        r"\b(?:under|according to|in) the "
        r"(?:agreement|memorandum|MoU|MOU|protocol|deal|accord|pact|document),?"
        r"\s+(?P<what>.+)$",
        re.I,
    ),
]
_NOT_UNDERTAKING = re.compile(
    r"\b(?:hope|hoped|hopes|expressed|wish|would lead|could lead|said that|added that)\b", re.I
)
# Verbs that start another undertaking in a list ("…, cooperate to …, and provide …").
_VERBS = word_set(
    """
    share cooperate provide exchange hold conduct train establish set develop boost expand
    strengthen enhance fight combat coordinate build supply help assist support work increase
    promote facilitate open create carry form launch deploy organise organize protect secure prevent
    patrol allow return extradite hand disarm relocate take step invest rebuild remove send grant
    offer improve hand jointly collaborate consult prevent counter monitor manage control combat
    confront tackle arrest pursue respect refrain
    """
)


@dataclass(frozen=True)
class CategoryRule:
    """A category and the words that mark it."""

    slug: str
    name: str
    keywords: tuple[str, ...]

    def matches(self, text: str) -> str | None:
        for keyword in self.keywords:
            if re.search(rf"(?<![\w]){re.escape(keyword.strip())}", text, re.IGNORECASE):
                return keyword.strip()
        return None


@dataclass(frozen=True)
class ClauseFinding:
    text: str
    evidence: Evidence
    categories: tuple[tuple[str, str], ...]  # (slug, the keyword that matched)


def category_rules(rows: Iterable[tuple[str, str, str]]) -> list[CategoryRule]:
    """Rules from (slug, name, keywords) rows; a category without keywords is never proposed."""
    rules = []
    for slug, name, keywords in rows:
        words = tuple(line.strip() for line in keywords.splitlines() if line.strip())
        if words:
            rules.append(CategoryRule(slug, name, words))
    return rules


def _split(what: str) -> list[tuple[int, str]]:
    """The undertakings of a list, with their offsets in ``what``: split before each new verb."""
    parts: list[tuple[int, str]] = []
    start = 0
    for match in re.finditer(r",?\s+(?:and|as well as)\s+|,\s+", what):
        following = what[match.end() :].split(" ", 1)[0].lower().strip(",")
        if following in _VERBS:
            parts.append((start, what[start : match.start()]))
            start = match.end()
    parts.append((start, what[start:]))
    return [(offset, part.strip()) for offset, part in parts if part.strip()]


# Verbs that introduce the list rather than belong to an undertaking ("provides for joint patrols").
_LEAD = re.compile(
    r"^(?:provides? for|envisages?|covers?|includes?|calls? for|stipulates?|focuses on|deals? with|sets? out|"
    r"aims? at|is aimed at)\s+",
    re.I,
)


def _summary(part: str) -> str:
    part = _LEAD.sub("", re.sub(r"[\s.;:]+$", "", part))
    return part[:1].upper() + part[1:] + "."


def subject_clause(subject: str, evidence: Evidence, rules: Sequence[CategoryRule]) -> ClauseFinding | None:
    """When the report names no undertaking, what the agreement is on ("a draft agreement on the
    disarmament of Kurdish groups") is its one clause, if a category knows it."""
    matched = tuple((rule.slug, keyword) for rule in rules if (keyword := rule.matches(subject)) is not None)
    if not matched:
        return None
    return ClauseFinding(_summary(subject), evidence, matched)


def find_clauses(sentences: Sequence[Sentence], rules: Sequence[CategoryRule]) -> list[ClauseFinding]:
    clauses: list[ClauseFinding] = []
    for sentence in sentences:
        if _NOT_UNDERTAKING.search(sentence.text):
            continue
        for pattern in _UNDERTAKING:
            match = pattern.search(sentence.text)
            if not match:
                continue
            what_at = match.start("what")
            what = re.sub(r"[.\s]+$", "", match["what"])
            for offset, part in _split(what):
                start = what_at + offset
                matched = tuple(
                    (rule.slug, keyword) for rule in rules if (keyword := rule.matches(part)) is not None
                )
                clauses.append(
                    ClauseFinding(_summary(part), sentence.evidence(start, start + len(part)), matched)
                )
            break
    return clauses
