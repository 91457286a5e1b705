"""The report as a Source: its title, the passage the proposal cites, and its licence.

The title is the report's headline when it has one (a first line without a full stop),
otherwise the tracker supplies one in square brackets, as ``fixtures/iran-iraq.json`` does.
The excerpt is every sentence a proposed value came from, in the report's order: what an
editor needs to check the facts without the whole article. A licence the report states
("licensed under a Creative Commons Attribution 4.0 International License") is read when none
is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text import Evidence, Sentence

_LICENCES = [
    (r"Creative Commons Attribution[- ]ShareAlike\s+(\d\.\d)", "CC BY-SA {}"),
    (r"Creative Commons Attribution[- ]NonCommercial\s+(\d\.\d)", "CC BY-NC {}"),
    (r"Creative Commons Attribution\s+(\d\.\d)", "CC BY {}"),
    (r"\bCC[- ]BY[- ]SA\s+(\d\.\d)", "CC BY-SA {}"),
    (r"\bCC[- ]BY\s+(\d\.\d)", "CC BY {}"),
]
DATELINE = re.compile(r"^\s*[A-Z][A-Z .'’-]{2,40}?\s*(?:,[^–—\-\n]{0,40})?\s*[–—-]+\s*")


def stated_licence(text: str) -> tuple[str, Evidence] | None:
    for pattern, template in _LICENCES:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return template.format(match[1]), Evidence(match[0], match.start(), match.end())
    return None


def title_of(report: str, sentences: list[Sentence]) -> str:
    first_line = report.strip().split("\n", 1)[0].strip()
    if 10 <= len(first_line) <= 200 and not first_line.endswith(".") and "\n" in report.strip():
        return first_line
    lede = DATELINE.sub("", sentences[0].text) if sentences else "Report"
    lede = re.sub(r"[.\s]+$", "", lede)
    if len(lede) > 110:
        lede = lede[:110].rsplit(" ", 1)[0] + " …"
    return f"[{lede}]"


def excerpt_of(sentences: list[Sentence], cited: Iterable[Evidence]) -> str:
    """The sentences that hold the cited words, in order (the whole first sentence at least)."""
    wanted = {0} if sentences else set()
    for evidence in cited:
        for sentence in sentences:
            if sentence.start <= evidence.start < sentence.end:
                wanted.add(sentence.index)
    return " ".join(sentences[i].text for i in sorted(wanted))
