"""Names as the sources spell them: one key for every spelling of the same name, and how alike two are.

Persian and Arabic names reach English-language reports in many transliterations: Dehqan,
Dehghan, Dehgan; al-Hayali, Al Hiyali, el-Hayali; Hussein, Hossein, Husain. ``name_key``
folds the differences that carry no meaning into one key — case, diacritics, hyphens and
apostrophes, the article al-/el-/ul-, and the common transliteration pairs (q/gh/k, ou/u,
ee/i, e/a …) — so that equal keys mean "another spelling of the same name".
``similarity`` (0–100, rapidfuzz) says how close two keys are, for names the folding alone
does not reach.

Stored keys (``Person.name_key``, ``PersonName.name_key``, the same for bodies) let the
database find candidates: equal keys by index, near ones by trigram similarity on
PostgreSQL (``pg_trgm``) and by rapidfuzz over the keys on SQLite.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from unidecode import unidecode

# How alike two keys must be (rapidfuzz ratio, 0–100) for "very similar": one letter in a
# short name, two in a long one (Dehgaan and Dehqan fold to one key; Dehqani ~ Dehqan is 92).
SIMILAR = 88

_ARTICLES = frozenset({"al", "el", "ul", "ol", "as", "ash", "ad", "ed", "ar", "an", "at", "az"})
# Spellings of one sound, longest first so that "gh" is read before "g" (order matters).
_FOLDS = (
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ie", "i"),
    ("ei", "i"),
    ("ey", "i"),
    ("ai", "i"),
    ("gh", "k"),
    ("kh", "k"),
    ("q", "k"),
    ("g", "k"),
    ("c", "k"),
    ("ph", "f"),
    ("dh", "d"),
    ("th", "t"),
    ("w", "v"),
    ("y", "i"),
    ("o", "u"),
    ("e", "a"),
)


def _fold_word(word: str) -> str:
    for spelled, sound in _FOLDS:
        word = word.replace(spelled, sound)
    word = re.sub(r"h(?=[^aiu]|$)", "", word)  # a silent h after a vowel: Dehqan ~ Deqan
    return re.sub(r"(.)\1+", r"\1", word)  # doubled letters: Dehgaan ~ Dehgan


def name_key(name: str) -> str:
    """The key every spelling of ``name`` shares: "Hossein Dehghan" and "Hussein Dehqan" have one."""
    text = unidecode(name).casefold()
    text = re.sub(r"['’`ʿʾ]", "", text)
    # A lone article is no word: "al-Hayali", "Al Hayali" and "Hayali" are one name.
    words = [_fold_word(word) for word in re.split(r"[^a-z]+", text) if word and word not in _ARTICLES]
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """How alike two keys are (0–100), whatever the order of their words."""
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def is_similar(a: str, b: str) -> bool:
    return similarity(a, b) >= SIMILAR
