"""Where it was signed: "signed in Tehran", "in the Iraqi capital", or, failing those, the dateline.

A dateline ("TEHRAN –", "BAGHDAD, Sept 18 (Reuters) -") says where the report was filed,
which is where the signing took place in most agency reports of one; it is proposed only
when the key sentence names no place, and the note says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .countries import CountryLexicon
from .text import Evidence, Sentence, word_set

_MONTHS_AND_DAYS = word_set(
    """
    January February March April May June July August September October November December Monday
    Tuesday Wednesday Thursday Friday Saturday Sunday The This That
    """
)
_IN_PLACE = re.compile(
    r"\b(?:in|at)\s+(?:the\s+(?P<adjective>[A-Z][a-z]+)\s+capital(?:,?\s+(?P<named>[A-Z][\w'’-]+))?|"
    r"(?P<place>[A-Z][\w'’-]+(?:\s+(?:[A-Z][\w'’-]+|al-[A-Z][\w'’-]+))?))"
)
_DATELINE = re.compile(r"^\s*(?P<place>[A-Z][A-Z .'’-]{2,40}?)\s*(?:,[^–—\-\n]{0,40})?\s*[–—-]+\s")


@dataclass(frozen=True)
class PlaceFinding:
    name: str
    evidence: Evidence
    note: str = ""


def signature_place(
    sentences: list[tuple[Sentence, int]], report: str, countries: CountryLexicon
) -> PlaceFinding | None:
    """The place after the verb of the key sentence, else of another that tells of the signing,
    else the dateline. ``sentences``: (sentence, offset of its verb)."""
    for sentence, verb_at in sentences:
        found = _place_in(sentence, verb_at, countries)
        if found:
            return found
    dateline = _DATELINE.match(report)
    if dateline:
        place = dateline["place"].strip().title()
        start = dateline.start("place")
        evidence = Evidence(dateline["place"].strip(), start, start + len(dateline["place"].strip()))
        return PlaceFinding(place, evidence, "from the dateline: where the report was filed")
    return None


def _place_in(sentence: Sentence, verb_at: int, countries: CountryLexicon) -> PlaceFinding | None:
    for match in _IN_PLACE.finditer(sentence.text, verb_at):
        evidence = sentence.evidence(match.start(), match.end())
        if match["adjective"]:
            code = countries.adjective_of(match["adjective"])
            if match["named"]:
                return PlaceFinding(match["named"], evidence)
            if code and code in countries.capitals:
                return PlaceFinding(
                    countries.capitals[code], evidence, f"the capital of {countries.names[code]}"
                )
            continue
        place = match["place"]
        if len(place.split()) > 1 and place.split()[1] in _MONTHS_AND_DAYS:
            place = place.split()[0]  # "in Tehran Sunday"
        if place.split()[0] in _MONTHS_AND_DAYS or countries.adjective_of(place.split()[0]):
            continue
        if countries.forms.get(place, ("", ""))[1] == "name":
            continue  # "in Iraq": a country is not a place of signature
        return PlaceFinding(place, evidence)
    return None
