"""Where the reported agreement stands — signed, initialled, planned or under negotiation — and
the sentence that says so (the key sentence the date, the place and the signatories come from).

"Signed" is proposed only when the report says it was signed; "will sign", "is to be signed"
or "expected to sign" make it planned, whatever else the report says of it, unless another
sentence says that it was signed after all. A sentence about an older agreement ("the 2014
memorandum they signed in Tehran") says nothing of this one.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .text import Evidence, Sentence

SIGNED, INITIALLED, PLANNED, NEGOTIATING = "signed", "initialled", "planned", "negotiating"

AGREEMENT_NOUN = re.compile(
    r"\b(?:agreements?|memorand(?:um|a)(?: of understanding)?|MoUs?|MOUs?|protocols?|accords?|deals?|"
    r"pacts?|treat(?:y|ies)|exchange of notes|notes were exchanged|exchanged (?:diplomatic )?notes|"
    r"joint declaration|arrangements?|"
    r"documents?)\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:(?:will|would|shall|to|are to|is to|set to|expected to|due to|plans? to|planned to|planning to|"
    r"intends? to|ready to|preparing to|poised to|going to|about to|agreed to|hope to|aim to)\s+"
    r"(?:be\s+)?(?:formally\s+)?(?:sign(?:ed)?|ink(?:ed)?|conclude[d]?)\b|"
    r"to be signed|yet to be signed|(?:has|have|still has|still have) to be signed|"
    r"(?:upcoming|forthcoming|planned|expected|scheduled) signing|(?:will|would) be signed|"
    r"signing(?: ceremony)? (?:is|was) (?:expected|planned|scheduled|due))",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|never|yet to|failed to|did not|didn't|has not|have not)\s+(?:been\s+)?sign", re.I
)
_INITIALLED = re.compile(r"\binitial(?:l)?(?:ed|ing)\b", re.IGNORECASE)
_SIGNED = re.compile(
    r"\b(?:signed|inked|sealed|concluded|exchanged notes|notes were exchanged|put (?:their|his|her) "
    r"signatures?|signing ceremony|signature of)\b",
    re.IGNORECASE,
)
# A sentence that tells of the signing itself (where the date or the place may be, if not in the key one).
SIGNING_WORD = re.compile(r"\b(?:signed|signing|inked|initial(?:l)?ed)\b", re.IGNORECASE)
_NEGOTIATING = re.compile(
    r"\b(?:negotiat\w*|talks|finali[sz]\w*|draft\w*|discuss\w*|agreed on the text|worked out)\b",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(r"\b(?:previous|an earlier|former|last year's|an older|a similar)\b", re.I)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class StatusFinding:
    status: str
    sentence: Sentence  # the key sentence
    evidence: Evidence  # the words that say it (the verb)
    # The verb's offset in the key sentence: the date and place nearest it are the signature's.
    verb_at: int


def has_cue(sentence: Sentence) -> bool:
    """Whether the sentence says anything of where an agreement stands (signed, planned, talks …)."""
    return bool(_cues(sentence))


def _cues(sentence: Sentence) -> list[tuple[str, re.Match]]:
    text = sentence.text
    planned = list(_PLANNED.finditer(text)) + list(_NEGATED.finditer(text))
    covered = [(m.start(), m.end()) for m in planned]

    def free(match: re.Match) -> bool:
        return not any(start <= match.start() < end for start, end in covered)

    cues = [(PLANNED, m) for m in planned]
    cues += [(INITIALLED, m) for m in _INITIALLED.finditer(text) if free(m)]
    cues += [(SIGNED, m) for m in _SIGNED.finditer(text) if free(m)]
    cues += [(NEGOTIATING, m) for m in _NEGOTIATING.finditer(text)]
    return sorted(cues, key=lambda cue: cue[1].start())


def _is_background(sentence: Sentence, published: datetime.date | None) -> bool:
    """A sentence about an older agreement: another year named, or "the previous memorandum"."""
    if _BACKGROUND.search(sentence.text):
        return True
    years = {int(year) for year in _YEAR.findall(sentence.text)}
    return bool(published and years and published.year not in years and max(years) < published.year)


def find_status(sentences: list[Sentence], published: datetime.date | None) -> StatusFinding | None:
    """The most advanced status the report asserts of the agreement, and its key sentence."""
    relevant = [s for s in sentences if AGREEMENT_NOUN.search(s.text) or re.search(r"\bsign", s.text, re.I)]
    # Sentences about older agreements count only when no other sentence says anything.
    current = [s for s in relevant if not _is_background(s, published)]
    for group in (current, relevant):
        found: dict[str, tuple[Sentence, re.Match]] = {}
        for sentence in group:
            for status, match in _cues(sentence):
                found.setdefault(status, (sentence, match))
        for status in (SIGNED, INITIALLED, PLANNED, NEGOTIATING):
            if status in found:
                sentence, match = found[status]
                evidence = sentence.evidence(match.start(), match.end())
                return StatusFinding(status, sentence, evidence, match.start())
    return None
