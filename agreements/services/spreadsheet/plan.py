"""The import of a spreadsheet: a plan row by row, run through the services in one transaction.

``import_spreadsheet`` reads every row into the services' typed inputs (``AgreementIn`` and its
parts), then writes them inside one transaction: the rows that create an agreement standing
alone in bulk (``services.bulk``: the same checks, derived fields, history and change events in
a few statements for the lot; the duplicate rule asked once for the file), the others through
``agreement_create`` / ``agreement_update`` one by one, in the file's order. A dry run is the
same run rolled back at the end: the plan it shows is what the services said of every row —
their checks, the duplicate rule, the rules on people — with nothing written twice and no rule
spelt twice.

A row *updates* a recorded agreement when it matches one, tried in this order:

1. a cross-walk id (UNTS registration, Wikidata, ATOP, DCAD) recorded for an agreement;
2. the same pair and the same title (the JSON import's key), for rows the next rule cannot
   judge (no signature date, no known signatory);
3. the duplicate rule (``duplicates.possible_duplicates``), asked by ``agreement_create``: one
   candidate is the agreement to update; several make the row refused, naming them.

Otherwise it *creates* one. A row the reader or the services refuse is *refused*, with the
cell at fault; a refused row refuses the whole import unless ``skip_refused``.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ...choices import AgreementKind, Disclosure, EventType, Evidence, ParticipantRole
from ...dates import PartialDate
from ...history import recorded_as
from ...models import Agreement, Person
from ...pairs import canonical_pair
from ...planner import refresh_statistics
from ..agreements import agreement_create, agreement_update
from ..bulk import NewAgreement, agreement_prepare, agreements_create_many, known_countries
from ..duplicates import (
    PossibleDuplicateError,
    PossibleSameRecordError,
    known_people_like,
    possible_duplicates_among,
)
from ..inputs import (
    AGREEMENT_FIELDS,
    AgreementIn,
    ClauseIn,
    EventIn,
    ParticipantIn,
    PersonIn,
    agreement_to_input,
)
from ..matching import similar_among
from ..people import person_create
from .cells import CellError, Vocabulary, choice, partial_date, whole_number
from .columns import CLAUSES, EVENTS, PARTICIPANTS
from .reading import Cell, Row, Workbook

# The history's interface for everything an import writes.
INTERFACE = "import"
CROSSWALK = (
    ("unts_registration", "UNTS registration"),
    ("wikidata_qid", "Wikidata id"),
    ("atop_id", "ATOP id"),
    ("dcad_id", "DCAD id"),
)
_NO_DATE = PartialDate(datetime.date(1, 1, 1), "year")
_PATH = re.compile(r"^(?P<collection>\w+)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?")


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"  # matched, and the file says nothing new
    REFUSE = "refuse"


@dataclass(frozen=True)
class Problem:
    cell: Cell
    message: str

    def __str__(self) -> str:
        return f"{self.cell}: {self.message}"


@dataclass
class RowPlan:
    """What the import does (or did) with one row of the agreements sheet."""

    sheet: str
    row: int
    row_id: str = ""
    title: str = ""
    action: Action | None = None
    matched: str = ""  # how a recorded agreement was found
    agreement_id: int | None = None
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, cell: Cell, message: str) -> None:
        self.problems.append(Problem(cell, message))
        self.action = Action.REFUSE


@dataclass
class ImportPlan:
    name: str
    rows: list[RowPlan]
    dry_run: bool
    skip_refused: bool
    written: bool = False

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def refused(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == Action.REFUSE]

    @property
    def blocked(self) -> bool:
        """Refused rows stop the whole import (unless the editor chose to skip them)."""
        return bool(self.refused) and not self.skip_refused

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(action)} {action.value}" for action in Action)
        if self.dry_run:
            verdict = "dry run, nothing written"
        elif self.written:
            verdict = "imported" + (" (refused rows skipped)" if self.refused else "")
        else:
            verdict = "nothing imported: " + (
                "some rows are refused" if self.blocked else "nothing to change"
            )
        return f"{self.name}: {len(self.rows)} rows — {counts}; {verdict}."


class _Refused(Exception):  # noqa: N818 — not an error of the program: the row's answer
    """A row refused while it is written: its savepoint is rolled back."""

    def __init__(self, cell: Cell, message: str) -> None:
        super().__init__(message)
        self.cell, self.message = cell, message


@dataclass
class _Part:
    """A part of an agreement with the row it came from, to put the services' messages on cells."""

    row: Row
    value: Any
    columns: dict[str, str]  # the service's field → the sheet's column
    default: str


@dataclass
class _Draft:
    plan: RowPlan
    row: Row
    fields: dict[str, str]  # the entered fields given in the row (empty cells left out)
    party_a: str = ""
    party_b: str = ""
    participants: list[_Part] | None = None
    clauses: list[_Part] | None = None
    events: list[_Part] | None = None
    events_from_sheet: bool = False

    def refuse(self, name: str, message: str, row: Row | None = None) -> None:
        self.plan.refuse((row or self.row).cell(name), message)


@dataclass(frozen=True)
class _Ambiguous:
    """A name that may be any of several known people: the row is refused one by one."""

    name: str


class _Importer:
    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.vocabulary = Vocabulary()
        self.people: dict[str, Person] = {}
        self.looked_up: dict[str, PersonIn | _Ambiguous] = {}  # names known to be new or ambiguous
        self.added: list[Person] = []  # the people the bulk rows added
        self.orphans: list[RowPlan] = []

    # --- Reading the rows ------------------------------------------------------------------------

    def drafts(self) -> list[_Draft]:
        drafts: list[_Draft] = []
        by_id: dict[str, _Draft] = {}
        sheet = self.workbook.agreements
        for row in sheet.rows:
            draft = self.draft(row)
            drafts.append(draft)
            row_id = draft.plan.row_id
            if row_id and row_id in by_id:
                draft.refuse("id", f"Row {by_id[row_id].row.number} has the same id; ids must be unique.")
            elif row_id:
                by_id[row_id] = draft
        children: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for spec in (PARTICIPANTS, CLAUSES, EVENTS):
            child_sheet = self.workbook.sheets.get(spec.name)
            for row in child_sheet.rows if child_sheet else ():
                row_id = row.text("agreement")
                if row_id in by_id:
                    children[row_id][spec.name].append(row)
                else:
                    orphan = RowPlan(child_sheet.title, row.number, row_id=row_id)
                    where = f"no row of the agreements sheet has the id “{row_id}”"
                    orphan.refuse(
                        row.cell("agreement"), f"This {spec.name[:-1]} belongs to no agreement: {where}."
                    )
                    self.orphans.append(orphan)
        for row_id, sheets in children.items():
            draft = by_id[row_id]
            if sheets[PARTICIPANTS.name]:
                draft.participants = [self.participant(draft, row) for row in sheets[PARTICIPANTS.name]]
            if sheets[CLAUSES.name]:
                draft.clauses = self.clauses(draft, sheets[CLAUSES.name])
            if sheets[EVENTS.name]:
                draft.events = [*(draft.events or []), *(self.event(draft, r) for r in sheets[EVENTS.name])]
                draft.events_from_sheet = True
        return drafts

    def read(self, draft: _Draft, row: Row, name: str, reader, *args) -> Any:
        """``reader`` applied to the cell's text; a problem refuses the draft at that cell."""
        text = row.text(name)
        if not text:
            return None
        try:
            return reader(text, *args)
        except CellError as problem:
            draft.refuse(name, str(problem), row)
            return None

    def draft(self, row: Row) -> _Draft:
        plan = RowPlan(row.sheet.title, row.number, row_id=row.text("id"), title=row.text("title"))
        fields = {name: row.text(name) for name in AGREEMENT_FIELDS if row.text(name)}
        draft = _Draft(plan, row, fields)
        for name, choices, what in (
            ("kind", AgreementKind, "kind of agreement"),
            ("disclosure", Disclosure, "disclosure"),
            ("evidence", Evidence, "kind of evidence"),
        ):
            if name in fields:
                value = self.read(draft, row, name, choice, choices, what)
                fields.pop(name) if value is None else fields.__setitem__(name, value)
        for name in ("party_a", "party_b"):
            if not row.text(name):
                draft.refuse(name, "Give the party: its ISO code or its name.")
            else:
                setattr(draft, name, self.read(draft, row, name, self.vocabulary.country) or "")
        if not row.text("title"):
            draft.refuse("title", "An agreement needs a title.")
        if row.get("signed_on") is not None:
            try:
                signed = partial_date(row.get("signed_on"))
            except CellError as problem:
                draft.refuse("signed_on", str(problem))
            else:
                event = EventIn(status=EventType.SIGNED, date=signed)
                draft.events = [_Part(row, event, {}, "signed_on")]
        return draft

    def participant(self, draft: _Draft, row: Row) -> _Part:
        values = {
            "party": self.read(draft, row, "party", self.vocabulary.country) or "",
            "role": self.read(draft, row, "role", choice, ParticipantRole, "role") or ParticipantRole.SIGNED,
            "name": row.text("person"),
            **{name: row.text(name) for name in ("description", "office", "rank", "note")},
        }
        columns = {name: name for name in ("party", "role", "description", "office", "rank", "note")}
        return _Part(row, values, {**columns, "person": "person"}, "person")

    def clauses(self, draft: _Draft, rows: list[Row]) -> list[_Part]:
        parts = []
        for index, row in enumerate(rows, start=1):
            position = self.read(draft, row, "position", whole_number) or index
            categories = self.read(draft, row, "categories", self.vocabulary.categories) or []
            clause = ClauseIn(
                position=position, text=row.text("text"), article=row.text("article"), categories=categories
            )
            columns = {
                "position": "position",
                "text": "text",
                "article": "article",
                "categories": "categories",
            }
            parts.append(_Part(row, clause, columns, "text"))
        return parts

    def event(self, draft: _Draft, row: Row) -> _Part:
        status = self.read(draft, row, "status", choice, EventType, "status event") or ""
        date = None
        if row.get("date") is None:
            draft.refuse("date", "An event needs its date.", row)
        else:
            try:
                date = partial_date(row.get("date"))
            except CellError as problem:
                draft.refuse("date", str(problem), row)
        event = EventIn(
            status=status,
            date=date or _NO_DATE,  # the row is refused; the placeholder keeps the indexes
            party=self.read(draft, row, "party", self.vocabulary.country),
            date_note=row.text("date_note"),
            note=row.text("note"),
        )
        columns = {
            "status": "status",
            "date": "date",
            "party": "party",
            "date_note": "date_note",
            "note": "note",
        }
        return _Part(row, event, columns, "status")

    # --- Writing ---------------------------------------------------------------------------------------

    def person(self, part: _Part, created: dict[str, Person]) -> Person | None:
        """The known person any spelling of whose name is the cell's, or a new one.

        ``person_create`` decides, by ``matching``'s rule (the one the admin, the API and the
        intake ask): a name another spelling of exactly one known person's is that person; of
        several, the row is refused; otherwise the person is added. Each name is asked once per
        import (``created`` joins the cache once the row is written).
        """
        name = part.value["name"]
        if not name:
            return None
        key = name.casefold()
        if key in self.people or key in created:
            return self.people.get(key) or created[key]
        try:
            person = person_create(data=PersonIn(name=name))
        except PossibleSameRecordError as error:
            if len(error.candidates) > 1:
                known = "; ".join(f"{c.name} (id {c.id}: {c.why})" for c in error.candidates)
                message = f"“{name}” may be any of several people already recorded: {known}."
                raise _Refused(part.row.cell("person"), message) from None
            person = Person.objects.get(pk=error.candidates[0].id)
        except ValidationError as error:
            raise _Refused(part.row.cell("person"), " ".join(error.messages)) from None
        created[key] = person
        return person

    def to_input(self, draft: _Draft, person_of: Callable[[_Part], Person | PersonIn | None]) -> AgreementIn:
        """The row as the services' input; ``person_of`` says who a participant's cell names."""
        participants = None
        if draft.participants is not None:
            participants = [
                ParticipantIn(
                    person=person_of(part),
                    party=part.value["party"],
                    role=part.value["role"],
                    description=part.value["description"],
                    office=part.value["office"],
                    rank=part.value["rank"],
                    note=part.value["note"],
                )
                for part in draft.participants
            ]
        return AgreementIn(
            party_a=draft.party_a,
            party_b=draft.party_b,
            **draft.fields,
            participants=participants,
            clauses=None if draft.clauses is None else [part.value for part in draft.clauses],
            events=None if draft.events is None else [part.value for part in draft.events],
        )

    def apply(self, draft: _Draft) -> None:
        """Write one row through the services, in a savepoint: a refused row leaves nothing behind."""
        plan = draft.plan
        created: dict[str, Person] = {}
        try:
            with transaction.atomic():
                data = self.to_input(draft, lambda part: self.person(part, created))
                existing = self.match_by_ids(draft) or self.match_by_title(draft, data)
                if existing is None:
                    try:
                        saved = agreement_create(data=data)
                    except PossibleDuplicateError as error:
                        if len(error.candidates) > 1:
                            column = "signed_on" if "signed_on" in draft.row.values else "title"
                            raise _Refused(draft.row.cell(column), str(error)) from None
                        candidate = error.candidates[0]
                        existing = Agreement.objects.get(pk=candidate.id)
                        plan.matched = f"by the duplicate rule: {candidate.why}"
                    else:
                        plan.action, plan.agreement_id = Action.CREATE, saved.pk
                if existing is not None:
                    stored = agreement_to_input(Agreement.objects.with_details().get(pk=existing.pk))
                    saved = agreement_update(agreement=existing, data=self.merged(draft, data, stored))
                    plan.agreement_id = saved.pk
                    plan.action = Action.UPDATE if saved.version != existing.version else Action.UNCHANGED
        except _Refused as refused:
            plan.refuse(refused.cell, refused.message)
        except ValidationError as error:
            self.refuse_with(draft, error)
        else:
            self.people.update(created)

    # --- The bulk write of new agreements ------------------------------------------------------------

    def create_in_bulk(self, drafts: list[_Draft]) -> list[_Draft]:
        """Write the rows that create a new agreement through ``agreements_create_many``; the
        rows it cannot judge alone, which ``apply`` writes one by one afterwards (in file order).

        A row goes one by one when a rule would make it anything but a new agreement standing
        alone, or when it depends on one that does: it matches a recorded agreement by a
        cross-walk id (or shares one with an earlier row), it has neither a signature date nor a
        named participant (the title rule judges it), a name in it may be several known people,
        the services refuse it, the duplicate rule finds a candidate (stored or earlier in the
        file), or an earlier row of its pair goes one by one (which may change what the rule
        sees). A row written in bulk is written exactly as ``apply`` would write it.
        """
        later: list[_Draft] = []
        held: dict[tuple[str, str], int] = {}  # a pair → the first of its rows that goes one by one
        taken = self.recorded_ids(drafts)
        countries = known_countries()
        ready: list[tuple[int, _Draft, NewAgreement]] = []
        for index, draft in enumerate(drafts):
            pair = canonical_pair(draft.party_a, draft.party_b)
            data = self.to_input(draft, self.person_to_be)
            ids = {(name, draft.fields[name]) for name, _ in CROSSWALK if name in draft.fields}
            signed = any(event.status == EventType.SIGNED for event in data.events or ())
            named = any(p.person is not None for p in data.participants or ())
            unknown = any(isinstance(p.person, _Ambiguous) for p in data.participants or ())
            matched = bool(ids & taken)
            taken |= ids
            if matched or not (signed or named) or unknown:
                held.setdefault(pair, index)
                later.append(draft)
                continue
            try:
                ready.append((index, draft, agreement_prepare(data=data, countries=countries)))
            except ValidationError:
                later.append(draft)  # refused there, with its messages on its cells; it writes nothing
        candidates = possible_duplicates_among([new.data for _, _, new in ready])
        bulk: list[tuple[_Draft, NewAgreement]] = []
        for (index, draft, new), found in zip(ready, candidates, strict=True):
            pair = canonical_pair(draft.party_a, draft.party_b)
            if held.get(pair, index) < index or found:
                held.setdefault(pair, index)
                later.append(draft)
            else:
                bulk.append((draft, new))
        bulk = self.add_people(bulk, later)
        saved_rows = agreements_create_many(items=[new for _, new in bulk])
        for (draft, _), saved in zip(bulk, saved_rows, strict=True):
            draft.plan.action, draft.plan.agreement_id = Action.CREATE, saved.pk
        order = {id(draft): index for index, draft in enumerate(drafts)}
        return sorted(later, key=lambda draft: order[id(draft)])

    def recorded_ids(self, drafts: list[_Draft]) -> set[tuple[str, str]]:
        """The cross-walk ids of the file that recorded agreements have: one query."""
        query = Q()
        for name, _ in CROSSWALK:
            values = {draft.fields[name] for draft in drafts if name in draft.fields}
            if values:
                query |= Q(**{f"{name}__in": values})
        if not query:
            return set()
        names = [name for name, _ in CROSSWALK]
        return {
            (name, value)
            for row in Agreement.objects.filter(query).values_list(*names)
            for name, value in zip(names, row, strict=True)
            if value
        }

    def person_to_be(self, part: _Part) -> Person | PersonIn | _Ambiguous | None:
        """Whom a participant's cell names, without writing: ``person``'s rule (``person_create``'s
        lookup, ``known_people_like``) asked once per name; a name no one has is a new person."""
        name = part.value["name"]
        if not name:
            return None
        key = name.casefold()
        if key not in self.people and key not in self.looked_up:
            known = known_people_like(PersonIn(name=name))
            if len(known) == 1:
                self.people[key] = Person.objects.get(pk=known[0].id)
            else:
                self.looked_up[key] = _Ambiguous(name) if known else PersonIn(name=name)
        return self.people.get(key) or self.looked_up[key]

    def add_people(
        self, bulk: list[tuple[_Draft, NewAgreement]], later: list[_Draft]
    ) -> list[tuple[_Draft, NewAgreement]]:
        """Add the new people the bulk rows name; a row whose person is refused goes one by one
        (and is refused there).

        ``person_to_be`` asked the table of each name already; since then only the people this
        import added are new, so a name is held to those (``matching.similar_among``, the same
        scoring) rather than asked of the table twice: ``person``'s answer for a fraction of its cost.
        """
        kept = []
        for draft, new in bulk:
            if any(person.name.casefold() not in self.people for _, person in new.new_people):
                try:
                    with transaction.atomic():  # a refused row's new people go with it
                        created: dict[str, Person] = {}
                        for _, person in new.new_people:
                            self.new_person(person.name, draft, created)
                except _Refused:
                    later.append(draft)
                    continue
                self.people.update(created)
                self.added += [person for person in created.values() if person not in self.added]
            new.name_people(self.people)
            kept.append((draft, new))
        return kept

    def new_person(self, name: str, draft: _Draft, created: dict[str, Person]) -> None:
        key = name.casefold()
        if key in self.people or key in created:
            return
        same = [c for c in similar_among(name, [*self.added, *created.values()], limit=10) if c.is_same]
        if len(same) > 1:
            part = next(p for p in draft.participants or () if p.value["name"].casefold() == key)
            known = "; ".join(f"{c.name} (id {c.id}: {c.why})" for c in same)
            message = f"“{name}” may be any of several people already recorded: {known}."
            raise _Refused(part.row.cell("person"), message)
        if same:
            created[key] = Person.objects.get(pk=same[0].id)
            return
        try:
            created[key] = person_create(data=PersonIn(name=name), allow_duplicate=True)
        except ValidationError as error:
            part = next(p for p in draft.participants or () if p.value["name"].casefold() == key)
            raise _Refused(part.row.cell("person"), " ".join(error.messages)) from None

    def match_by_ids(self, draft: _Draft) -> Agreement | None:
        given = [(name, label, draft.fields[name]) for name, label in CROSSWALK if name in draft.fields]
        if not given:
            return None
        query = Q()
        for name, _, value in given:
            query |= Q(**{name: value})
        found = {agreement.pk: agreement for agreement in Agreement.objects.filter(query)}
        if not found:
            return None
        if len(found) > 1:
            named = "; ".join(f"“{a.title}” (id {a.pk})" for a in found.values())
            message = f"These ids belong to different recorded agreements: {named}."
            raise _Refused(draft.row.cell(given[0][0]), message)
        agreement = next(iter(found.values()))
        name, label, value = next((n, lab, v) for n, lab, v in given if getattr(agreement, n) == v)
        if agreement.parties != canonical_pair(draft.party_a, draft.party_b):
            message = (
                f"The {label} {value} is that of “{agreement.title}” (id {agreement.pk}), "
                "an agreement between other parties."
            )
            raise _Refused(draft.row.cell(name), message)
        draft.plan.matched = f"by {label} {value}"
        return agreement

    def match_by_title(self, draft: _Draft, data: AgreementIn) -> Agreement | None:
        signed = any(event.status == EventType.SIGNED for event in data.events or ())
        signers = any(isinstance(p.person, Person) for p in data.participants or ())
        if signed or signers:
            return None  # the duplicate rule judges these
        found = list(
            Agreement.objects.for_pair(draft.party_a, draft.party_b).filter(title__iexact=data.title)[:2]
        )
        if len(found) != 1:
            return None
        draft.plan.matched = "by its parties and title"
        return found[0]

    @staticmethod
    def merged(draft: _Draft, data: AgreementIn, stored: AgreementIn) -> AgreementIn:
        """The recorded agreement with what the row says: its cells, and the parts it lists."""
        events = data.events
        if events is not None and not draft.events_from_sheet:
            # Only signed_on was given: it replaces the recorded signature, the other events stay.
            # The new signature first, so that a message about events[0] is put on its cell.
            events = [*events, *(e for e in stored.events or () if e.status != EventType.SIGNED)]
        return replace(
            stored,
            **draft.fields,
            participants=data.participants,
            clauses=data.clauses,
            events=events,
        )

    def refuse_with(self, draft: _Draft, error: ValidationError) -> None:
        """Each of the services' messages on the cell it is about."""
        collections = {"participants": draft.participants, "clauses": draft.clauses, "events": draft.events}
        for path, messages in error.message_dict.items():
            row, column = draft.row, path.split(".")[0]
            match = _PATH.match(path)
            if match and collections.get(match["collection"]):
                parts = collections[match["collection"]]
                part = parts[min(int(match["index"]), len(parts) - 1)]
                row, column = part.row, part.columns.get(match["field"] or "", part.default)
            elif column == "events" and draft.events:
                row, column = draft.events[0].row, draft.events[0].default
            for message in messages:
                draft.refuse(column, message, row)


def import_spreadsheet(
    *, workbook: Workbook, dry_run: bool = False, skip_refused: bool = False
) -> ImportPlan:
    """Plan the import of ``workbook`` and, unless ``dry_run`` or a row is refused (and not
    ``skip_refused``), write it: all in one transaction, recorded with the interface ``import``."""
    importer = _Importer(workbook)
    drafts = importer.drafts()
    plan = ImportPlan(
        workbook.name, [d.plan for d in drafts] + importer.orphans, dry_run=dry_run, skip_refused=skip_refused
    )
    with recorded_as(INTERFACE), transaction.atomic():
        for draft in importer.create_in_bulk([draft for draft in drafts if not draft.plan.problems]):
            importer.apply(draft)
        changed = plan.count(Action.CREATE) + plan.count(Action.UPDATE)
        plan.written = not dry_run and not plan.blocked and changed > 0
        if not plan.written:
            transaction.set_rollback(True)
    if plan.written:
        refresh_statistics()
    return plan
