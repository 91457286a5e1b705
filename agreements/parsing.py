"""Reading what people and programs type into query strings: one policy for every interface.

The API's filters, the report pages and the report API all read whole numbers,
yes/no values and the set of parameters they accept through these functions, so a
value means the same whichever door it comes in by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The spellings of yes and no every parameter accepts, in any case. ``on`` is what an HTML
# checkbox sends; ``1``/``0`` and ``yes``/``no`` are what spreadsheets and scripts write.
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
BOOLEAN_HELP = "true or false (also 1/0, yes/no, on/off)"


def is_whole_number(text: str) -> bool:
    """Whether ``text`` is a non-empty run of the ASCII digits 0–9.

    ``str.isdigit`` alone also accepts "²" or "①", which ``int()`` then refuses with a
    ValueError: a request that sent one would get a 500 instead of a 400.
    """
    return text.isascii() and text.isdigit()


def parse_boolean(text: str) -> bool:
    """``text`` as a yes or a no; a ``ValueError`` naming the accepted words otherwise.

    Anything else is refused rather than read as "yes": ``all_pairs=maybe`` once asked for
    every pair of states (millions of rows) instead of an error.
    """
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"Give {BOOLEAN_HELP}, not “{text}”.")


def unknown_parameters(given: Iterable[str], accepted: Iterable[str]) -> dict[str, list[str]]:
    """An error for each parameter in ``given`` that is not ``accepted``, keyed by its name.

    Ignoring a misspelt filter would quietly answer with everything, so every interface
    refuses parameters it does not know.
    """
    accepted = sorted(set(accepted))
    return {
        name: [f"“{name}” is not a parameter here; use one of {', '.join(accepted)}."]
        for name in sorted(set(given) - set(accepted))
    }


def repeated_parameters(given: Mapping[str, Any], multi_valued: Iterable[str] = ()) -> dict[str, list[str]]:
    """An error for each single-valued parameter ``given`` more than once, keyed by its name.

    ``given`` is a query string as Django reads it (a ``QueryDict``); a plain mapping cannot
    repeat a name. Taking the last of ``q=a&q=b`` would answer a question nobody asked.
    """
    lists = given.lists() if hasattr(given, "lists") else ()
    multi = set(multi_valued)
    return {
        name: [f"“{name}” is given {len(values)} times; give it once (it takes one value)."]
        for name, values in sorted(lists)
        if len(values) > 1 and name not in multi
    }


def no_such_record(what: str, key: object) -> str:
    """“No person with id 99999.”: the one wording for a reference to a record that is not there,
    whether it comes in a path, a body (a participant's person, a citation's source) or a filter."""
    return f"No {what} with id {key}."
