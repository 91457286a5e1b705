"""Offices and ranks as the house style writes them, from the report's apposition.

"Iranian Defense Minister" → "Minister of Defence"; "border guard commander" → "Commander
of the Border Guard"; "Supreme National Security Council Secretary" → "Secretary of the
Supreme National Security Council" (the forms of ``fixtures/iran-iraq.json``). The body an
office belongs to ("Ministry of Defence", "Border Guard") is what the intake looks for among
the known bodies of the person's country.
"""

from __future__ import annotations

import re

RANKS = [
    "Second Brigadier General",
    "Brigadier General",
    "Major General",
    "Lieutenant General",
    "Lieutenant Colonel",
    "Rear Admiral",
    "Vice Admiral",
    "Air Marshal",
    "Field Marshal",
    "General",
    "Admiral",
    "Colonel",
    "Commodore",
    "Captain",
    "Marshal",
]
RANK_ABBREVIATIONS = {
    "Brig. Gen.": "Brigadier General",
    "Brig.-Gen.": "Brigadier General",
    "Maj. Gen.": "Major General",
    "Maj.-Gen.": "Major General",
    "Lt. Gen.": "Lieutenant General",
    "Lt.-Gen.": "Lieutenant General",
    "Lt. Col.": "Lieutenant Colonel",
    "Gen.": "General",
    "Col.": "Colonel",
    "Adm.": "Admiral",
    "Capt.": "Captain",
}
HEADS = (
    "minister",
    "secretary",
    "president",
    "chief",
    "commander",
    "head",
    "director",
    "director-general",
    "ambassador",
    "envoy",
    "speaker",
    "chairman",
    "governor",
    "adviser",
    "advisor",
    "spokesman",
    "premier",
    "deputy",
    "undersecretary",
    "representative",
)
_PORTFOLIOS = {
    "defense": "Defence",
    "defence": "Defence",
    "foreign": "Foreign Affairs",
    "interior": "the Interior",
    "intelligence": "Intelligence",
    "oil": "Oil",
    "petroleum": "Petroleum",
    "energy": "Energy",
    "trade": "Trade",
    "commerce": "Commerce",
    "economy": "Economy",
    "finance": "Finance",
    "justice": "Justice",
    "health": "Health",
    "transport": "Transport",
    "agriculture": "Agriculture",
    "industry": "Industry",
    "education": "Education",
    "culture": "Culture",
    "labour": "Labour",
    "labor": "Labour",
    "water": "Water Resources",
}
_TITLE_AS_IS = {"prime minister", "president", "vice president", "deputy prime minister", "king", "emir"}


def is_head(word: str) -> bool:
    return word.lower().rstrip("s") in HEADS or word.lower() in HEADS


def _title(words: str) -> str:
    small = {"of", "the", "and", "for"}
    return " ".join(w if w in small else (w[:1].upper() + w[1:]) for w in words.split())


def normalise_office(office: str) -> str:
    """The office in the house style; what it cannot read it leaves as written, capitalised."""
    office = " ".join(office.replace(",", " ").split()).strip()
    office = re.sub(r"^(?:the|a|an)\s+", "", office, flags=re.I)
    if not office:
        return ""
    lowered = office.lower()
    if lowered in _TITLE_AS_IS:
        return _title(lowered).replace("Prime minister", "Prime Minister")
    words = lowered.split()
    if words[-1] == "minister" and len(words) >= 2:
        deputy = "Deputy " if words[0] == "deputy" else ""
        portfolio = " ".join(words[1:-1] if deputy else words[:-1])
        name = _PORTFOLIOS.get(portfolio, _title(portfolio))
        return f"{deputy}Minister of {name}"
    if lowered.startswith("minister of "):
        portfolio = lowered.removeprefix("minister of ").removeprefix("the ")
        return f"Minister of {_PORTFOLIOS.get(portfolio, _title(portfolio))}"
    if len(words) >= 2 and is_head(words[-1]) and " of " not in f" {lowered} ":
        return f"{_title(words[-1])} of the {_title(' '.join(words[:-1]))}"
    return _title(office[0].upper() + office[1:]) if office[:1].islower() else office


def body_of(office: str) -> str | None:
    """The body an office is held in: "Minister of Defence" → "Ministry of Defence"."""
    if office.startswith("Minister of "):
        return "Ministry of " + office.removeprefix("Minister of ").removeprefix("the ")
    if office.startswith("Deputy Minister of "):
        return "Ministry of " + office.removeprefix("Deputy Minister of ").removeprefix("the ")
    match = re.match(r"^(?:\w+ )?(?:Commander|Chief|Head|Secretary|Director|Spokesman) of the (.+)$", office)
    return match[1] if match else None


def normalise_rank(rank: str) -> str:
    rank = " ".join(rank.split())
    return RANK_ABBREVIATIONS.get(rank, rank)
