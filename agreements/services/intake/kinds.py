"""The kind of agreement from the report's wording, and a title in the house style.

The house style (see ``fixtures/iran-iraq.json``) is the kind, then what it is about, in
sentence case and British spelling: "Memorandum of understanding on military cooperation".
The subject is what the report says the agreement is on or for ("an agreement on border
security", "signed … to boost military cooperation", "a defence cooperation pact").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...choices import AgreementKind
from .text import Evidence, Sentence

# Specific words first: "memorandum" says more than "agreement", which reports use for any kind.
_KINDS = [
    (AgreementKind.MEMORANDUM, r"memorand(?:um|a) of understanding|memorand(?:um|a)|MoUs?|MOUs?"),
    (
        AgreementKind.EXCHANGE_OF_NOTES,
        r"exchange of notes|exchanged (?:diplomatic )?notes|notes were exchanged",
    ),
    (AgreementKind.JOINT_DECLARATION, r"joint declaration"),
    (AgreementKind.PROTOCOL, r"protocols?"),
    (AgreementKind.TREATY, r"treat(?:y|ies)"),
    (AgreementKind.AGREEMENT, r"agreements?|accords?|deals?|pacts?|arrangements?"),
]
_LABEL = {
    AgreementKind.MEMORANDUM: "Memorandum of understanding",
    AgreementKind.EXCHANGE_OF_NOTES: "Exchange of notes",
    AgreementKind.JOINT_DECLARATION: "Joint declaration",
    AgreementKind.PROTOCOL: "Protocol",
    AgreementKind.TREATY: "Treaty",
    AgreementKind.AGREEMENT: "Agreement",
}
_NOUN = (
    r"(?:agreements?|memorand(?:um|a)(?: of understanding)?|MoUs?|MOUs?|protocols?|accords?|deals?|pacts?|"
    r"treat(?:y|ies)|declaration|arrangements?|notes)"
)
_WHEN = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|\d|the (?:sidelines|occasion|day)|behalf)"
)
_STOP = (
    r"(?=\s+(?:between|in|at|with|during|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
    r"on\s+\d|last|this|yesterday|today|earlier|and\s+(?:the|a|an)\b|that|which|who|signed|as|after|before|"
    r"under|by|for\s+the\s+next|to\s+(?:boost|expand|enhance|strengthen)|including)\b|[,.;:()–—-]|$)"
)
_SUBJECT_PATTERNS = [
    rf"\b{_NOUN}\s+(?:on|for|regarding|concerning|about|in the fields? of)\s+(?!{_WHEN})(?:the\s+)?"
    rf"(?P<subject>[^,.;]+?){_STOP}",
    rf"\b(?:to|aimed at|aiming to|intended to|designed to)\s+"
    rf"(?:boost|expand|enhance|strengthen|develop|promote|deepen|increase|improve|broaden|bolster|further)\s+"
    rf"(?:their\s+|bilateral\s+|the\s+two\s+countries['’]\s+)?"
    rf"(?P<subject>[^,.;]+?){_STOP}",
    rf"\b(?:an?|the)\s+(?:new\s+|initial\s+|bilateral\s+|first\s+)?(?P<subject>(?:[a-z-]+\s+){{0,2}}(?:cooperation|security|defen[cs]e|trade|energy|extradition|border))\s+{_NOUN}\b",
]
_SPELLING = {"defense": "defence", "Defense": "Defence", "program": "programme", "center": "centre"}


@dataclass(frozen=True)
class KindFinding:
    kind: str
    evidence: Evidence


@dataclass(frozen=True)
class TitleFinding:
    title: str
    evidence: Evidence | None


def find_kind(sentences: list[Sentence], key: Sentence | None) -> KindFinding:
    """The most specific kind the key sentence names; else one the report names with "the"
    (referring back: "the MoU"); else an agreement."""
    ordered = [key] if key is not None else []
    for kind, pattern in _KINDS:
        for sentence in ordered:
            match = re.search(rf"\b(?:{pattern})\b", sentence.text)
            if match:
                return KindFinding(kind, sentence.evidence(match.start(), match.end()))
    for kind, pattern in _KINDS[:-1]:
        for sentence in sentences:
            match = re.search(rf"\b(?:the|this|an?)\s+(?:\w+\s+)?(?:{pattern})\b", sentence.text)
            if match and not re.search(r"\b(?:previous|earlier|former|\d{4})\b", sentence.text):
                return KindFinding(kind, sentence.evidence(match.start(), match.end()))
    return KindFinding(AgreementKind.AGREEMENT, key.evidence(0, 0) if key else Evidence("", 0, 0))


def british(text: str) -> str:
    return re.sub(r"\b\w+\b", lambda word: _SPELLING.get(word[0], word[0]), text)


def find_title(kind: str, key: Sentence | None, sentences: list[Sentence]) -> TitleFinding:
    """ "<Kind> on <subject>" from the key sentence (then the others); the kind alone otherwise."""
    label = _LABEL.get(kind, "Agreement")
    for sentence in [s for s in [key, *sentences] if s is not None]:
        for pattern in _SUBJECT_PATTERNS:
            match = re.search(pattern, sentence.text)
            if not match:
                continue
            subject = british(match["subject"].strip())
            subject = re.sub(r"^(?:their|the|bilateral|mutual)\s+", "", subject)
            subject = re.sub(r"\s+(?:in various areas|in the region|between the two countries)$", "", subject)
            if not subject or len(subject.split()) > 8:
                continue
            subject = subject[0].lower() + subject[1:] if not subject[:2].isupper() else subject
            return TitleFinding(
                f"{label} on {subject}", sentence.evidence(match.start("subject"), match.end("subject"))
            )
    return TitleFinding(label, None)
