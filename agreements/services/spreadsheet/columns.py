"""The columns of an import spreadsheet: the one definition the reader, the template and the docs follow.

A spreadsheet has a sheet of agreements and, optionally, sheets of participants, clauses and
events, each row of which names its agreement by the agreements sheet's ``id``. A CSV file is
the agreements sheet alone. Headers are the column names below (any case; spaces for
underscores); columns may come in any order and optional ones may be left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...choices import AgreementKind, Disclosure, EventType, Evidence, ParticipantRole


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    example: str = ""
    required: bool = False


@dataclass(frozen=True)
class SheetSpec:
    name: str
    help: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)


def _choices(choices) -> str:
    return ", ".join(choices.values)


COUNTRY = "ISO code (IR, IRN) or everyday name (Iran, Persia)"
DATE = "2017-07-23, 2017-07 or 2017 (or a date cell): a month or a year is kept as such"
ROW_ID = Column(
    "agreement", "The id of the agreement's row in the agreements sheet.", example="1", required=True
)

AGREEMENTS = SheetSpec(
    "agreements",
    "One agreement a row. A row that matches a recorded agreement updates it (cells left empty keep "
    "what is recorded); any other row creates one.",
    (
        Column("id", "Your id for the row, which the other sheets refer to (any text).", example="1"),
        Column(
            "title",
            "The agreement's title.",
            example="Memorandum of understanding on defence cooperation",
            required=True,
        ),
        Column("party_a", f"One party: {COUNTRY}.", example="Iran", required=True),
        Column("party_b", f"The other party: {COUNTRY}.", example="IQ", required=True),
        Column("kind", f"One of {_choices(AgreementKind)}, or its name.", example="memorandum"),
        Column("signed_on", f"When it was signed: {DATE}.", example="2017-07-23"),
        Column("place_of_signature", "Where it was signed.", example="Tehran"),
        Column("summary", "What it is about, in a few sentences."),
        Column("disclosure", f"Whether its text is public: {_choices(Disclosure)}.", example="unknown"),
        Column("evidence", f"The strongest kind of source: {_choices(Evidence)}.", example="news_reports"),
        Column("unts_registration", "UN Treaty Series registration number (matches a recorded agreement)."),
        Column("wikidata_qid", "Wikidata id, e.g. Q42 (matches a recorded agreement)."),
        Column("atop_id", "ATOP id (matches a recorded agreement)."),
        Column("dcad_id", "DCAD id (matches a recorded agreement)."),
    ),
)

PARTICIPANTS = SheetSpec(
    "participants",
    "Who signed, initialled, witnessed, negotiated or attended, one person and role a row. An "
    "agreement's participants in the file replace those recorded; with none, those recorded stay.",
    (
        ROW_ID,
        Column("party", f"The party they acted for: {COUNTRY}.", example="Iran", required=True),
        Column(
            "person",
            "Their name; a known person under any spelling of their name is linked, a new name is added.",
            example="Hossein Dehghan",
        ),
        Column("description", "Who it was when the sources do not name them.", example=""),
        Column("role", f"One of {_choices(ParticipantRole)} (signed when empty).", example="signed"),
        Column("office", "Office held at the time.", example="Minister of Defence"),
        Column("rank", "Rank held at the time.", example="Brigadier General"),
        Column("note", "A note on this participation."),
    ),
)

CLAUSES = SheetSpec(
    "clauses",
    "What the agreement provides, one clause a row. An agreement's clauses in the file replace "
    "those recorded; with none, those recorded stay.",
    (
        ROW_ID,
        Column("position", "Order within the agreement, from 1 (the row order when empty).", example="1"),
        Column("article", "Article reference.", example="Art. 2"),
        Column(
            "text",
            "The clause's text, or a summary.",
            example="The parties will hold joint exercises.",
            required=True,
        ),
        Column(
            "categories",
            "Categories by slug or name, separated by “;”.",
            example="joint-exercises",
        ),
    ),
)

EVENTS = SheetSpec(
    "events",
    "What happened to the agreement, one event a row (a signature may instead be given as the "
    "agreements sheet's signed_on). An agreement's events in the file replace those recorded; "
    "with none, those recorded stay.",
    (
        ROW_ID,
        Column("status", f"One of {_choices(EventType)}, or its name.", example="ratified", required=True),
        Column("date", f"When: {DATE}.", example="2017-09", required=True),
        Column(
            "party", f"The party it concerns, for a ratification or a withdrawal: {COUNTRY}.", example="Iran"
        ),
        Column("date_note", "How the date was derived."),
        Column("note", "A note on the event."),
    ),
)

SHEETS: tuple[SheetSpec, ...] = (AGREEMENTS, PARTICIPANTS, CLAUSES, EVENTS)
SHEETS_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
# The template's sheet that explains the columns; the reader skips it.
GUIDE = "columns"
# Several values in one cell (a clause's categories).
SEPARATOR = ";"
