"""A report as sentences, and the words each proposed value came from (its evidence).

Offsets are into the report as pasted, so an interface can show or highlight the very words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    """The words of the report a value came from: ``text == report[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str

    def evidence(self, start: int | None = None, end: int | None = None) -> Evidence:
        """The sentence, or the part of it between two offsets relative to its start."""
        start = 0 if start is None else start
        end = len(self.text) if end is None else end
        return Evidence(self.text[start:end], self.start + start, self.start + end)


def word_set(text: str) -> frozenset[str]:
    """The words of a block of text, for the vocabularies written one word after another."""
    return frozenset(text.split())


# Abbreviations that end in a full stop without ending a sentence ("Brig. Gen. Rezaei", "U.S.").
_ABBREVIATIONS = word_set(
    """
    mr mrs ms dr gen brig lt col maj capt adm sgt cmdr st no vs jan feb mar apr jun jul aug sep sept
    oct nov dec u.s u.n u.k e.g i.e etc
    """
)
_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])|\n\s*\n|\n(?=[A-Z])")


def split_sentences(text: str) -> list[Sentence]:
    """The report's sentences with their offsets (paragraph breaks end a sentence too)."""
    sentences: list[Sentence] = []
    start = 0
    for match in _END.finditer(text):
        before = text[start : match.start() + 1]
        last_word = re.search(r"([\w.]+)\.$", before)
        if last_word and (last_word[1].lower() in _ABBREVIATIONS or len(last_word[1]) == 1):
            continue  # "Gen. Rezaei": not an end
        _add(sentences, text, start, match.end())
        start = match.end()
    _add(sentences, text, start, len(text))
    return sentences


# No prose sentence is longer; a longer run of text (a table, a paste gone wrong) is read in pieces,
# which keeps every reader's regular expressions linear in the length of the report.
LONGEST_SENTENCE = 1_500


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    offset = start + chunk.index(stripped)
    while len(stripped) > LONGEST_SENTENCE:
        cut = stripped.rfind(" ", 0, LONGEST_SENTENCE)
        cut = cut if cut > 0 else LONGEST_SENTENCE
        sentences.append(Sentence(len(sentences), offset, offset + cut, stripped[:cut]))
        rest = stripped[cut:]
        offset += cut + (len(rest) - len(rest.lstrip()))
        stripped = rest.strip()
    if stripped:
        sentences.append(Sentence(len(sentences), offset, offset + len(stripped), stripped))


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)
