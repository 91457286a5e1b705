"""Full-text search on SQLite: an FTS5 index of ``search_document``, and PostgreSQL's query language.

The index is an external-content FTS5 table (it stores the words, not the text again; the
text stays in ``agreements_agreement.search_document``). Triggers on the agreements table keep it
in step with every write, whichever path makes it: the services, the bulk generator, the
importers, a raw ``UPDATE``. Migration 0025 creates it on SQLite only and indexes existing rows;
``ensure_index`` puts the triggers back after a migration that rebuilt the agreements table
(SQLite's way of altering a column drops the table's triggers with the old table).

Words are cut as PostgreSQL's ``simple`` configuration cuts most of them: letters and digits,
lower-cased, accents kept (``unicode61 remove_diacritics 0``: "Dehqān" is not "Dehqan" on either
engine). The query is ``websearch_to_tsquery``'s language, translated by ``to_fts5`` into an FTS5
expression built from quoted words only, so nothing a user types is read as FTS5 syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "agreements_agreement_fts"
CONTENT = "agreements_agreement"
TRIGGERS = {
    f"{TABLE}_insert": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON {CONTENT} BEGIN
            INSERT INTO {TABLE} (rowid, search_document) VALUES (new.id, new.search_document);
        END""",
    # An external-content index forgets a row only when told the words it indexed for it.
    f"{TABLE}_delete": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON {CONTENT} BEGIN
            INSERT INTO {TABLE} ({TABLE}, rowid, search_document)
                VALUES ('delete', old.id, old.search_document);
        END""",
    f"{TABLE}_update": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF id, search_document ON {CONTENT}
        BEGIN
            INSERT INTO {TABLE} ({TABLE}, rowid, search_document)
                VALUES ('delete', old.id, old.search_document);
            INSERT INTO {TABLE} (rowid, search_document) VALUES (new.id, new.search_document);
        END""",
}
CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(search_document, "
    f"content='{CONTENT}', content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
)
REBUILD = f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')"


def create_index(connection: BaseDatabaseWrapper) -> None:
    """The FTS5 table, its triggers, and every existing agreement indexed (SQLite only)."""
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
        for statement in TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(REBUILD)


def drop_index(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def ensure_index(connection: BaseDatabaseWrapper) -> bool:
    """Put back any missing trigger, and re-index every row if one was missing (the index may
    have missed writes meanwhile). Nothing happens before migration 0025 made the table.
    Whether anything was repaired."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = %s OR tbl_name = %s", [TABLE, CONTENT]
        )
        found = {name for kind, name in cursor.fetchall() if kind in ("table", "trigger")}
        missing = [name for name in TRIGGERS if name not in found]
        if TABLE not in found or not missing:
            return False
        for name in missing:
            cursor.execute(TRIGGERS[name])
        cursor.execute(REBUILD)
    return True


# --- The query ---------------------------------------------------------------------------

# A word of the index: a run of letters and digits (unicode61 separates at anything else,
# the underscore and the apostrophe included).
_WORD = re.compile(r"[^\W_]+")
# A term outside quotes: up to the next space or double quote.
_TERM = re.compile(r'[^\s"]+')


@dataclass
class _Group:
    """Terms that must all match (``include``) and none of ``exclude``; each term a phrase."""

    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Fts5Query:
    """``ranked``: one FTS5 expression, every match ranked by it. Otherwise a group excludes
    words only (``-word``), which FTS5 cannot say alone: agreements match ``ranked`` (may be
    empty) or lack every word of one of ``unwanted`` (each an FTS5 expression)."""

    ranked: str
    unwanted: tuple[str, ...] = ()


def _phrase(text: str) -> str | None:
    """``text`` as an FTS5 string of its words (letters and digits only, so quoting is safe),
    or None when it has none (PostgreSQL drops such a term too)."""
    words = _WORD.findall(text)
    return '"' + " ".join(words) + '"' if words else None


def _items(text: str) -> list[tuple[str, str, bool]]:
    """``(kind, text, negated)``: kind ``phrase`` (between double quotes; an unclosed quote runs
    to the end), ``word``, or ``or``; ``-`` before a term negates it, as in PostgreSQL."""
    items: list[tuple[str, str, bool]] = []
    negated = False
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
        elif char == "-":
            negated = True
            position += 1
        elif char == '"':
            end = text.find('"', position + 1)
            end = len(text) if end < 0 else end
            items.append(("phrase", text[position + 1 : end], negated))
            negated, position = False, end + 1
        else:
            match = _TERM.match(text, position)
            word = match.group()
            # "or" between two terms is the operator; first, last or after another "or", a word.
            is_operator = (
                word.lower() == "or"
                and not negated
                and items
                and items[-1][0] != "or"
                and text[match.end() :].strip() != ""
            )
            items.append(("or", word, False) if is_operator else ("word", word, negated))
            negated, position = False, match.end()
    return items


def to_fts5(text: str) -> Fts5Query | None:
    """``websearch_to_tsquery``'s reading of ``text`` as FTS5: words and quoted phrases all
    required, ``or`` between alternatives, ``-`` to exclude; None when no term has a word
    (PostgreSQL then matches nothing). Words are matched whole, never as prefixes."""
    groups = [_Group()]
    for kind, raw, negated in _items(text):
        if kind == "or":
            groups.append(_Group())
            continue
        phrase = _phrase(raw)
        if phrase is not None:
            (groups[-1].exclude if negated else groups[-1].include).append(phrase)
    groups = [group for group in groups if group.include or group.exclude]
    if not groups:
        return None
    ranked = [
        " AND ".join(group.include) + "".join(f" NOT {phrase}" for phrase in group.exclude)
        for group in groups
        if group.include
    ]
    unwanted = tuple(" OR ".join(group.exclude) for group in groups if not group.include)
    return Fts5Query(" OR ".join(f"({expression})" for expression in ranked), unwanted)
