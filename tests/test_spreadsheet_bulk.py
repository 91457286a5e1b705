"""The import's bulk write of new agreements (issue 18's speed target): the same outcome as the
one-by-one path, and a number of statements that does not grow with the rows."""

from __future__ import annotations

import datetime
import random
import string

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agreements.history import agreement_saves
from agreements.models import Agreement, ChangeEvent, Clause, Participant, Person, StatusEvent
from agreements.services import bulk
from agreements.services.spreadsheet import Action
from agreements.services.spreadsheet.plan import _Importer

from .factories import PersonFactory, make_agreement
from .test_spreadsheet_import import full_workbook, problems_of, run, xlsx_bytes

pytestmark = pytest.mark.django_db


def mixed_workbook() -> bytes:
    """New agreements (known and new people, shared new names, categories, partial dates), a row
    that matches a stored agreement by its id, one that repeats an earlier row of the file, one
    with neither date nor signatory, and a refused one."""
    sheets = {
        "agreements": [
            ["id", "title", "party_a", "party_b", "kind", "signed_on", "place_of_signature", "wikidata_qid"],
            [
                "a1",
                "Memorandum on defence cooperation",
                "Iran",
                "Iraq",
                "memorandum",
                "2017-07-23",
                "Tehran",
                "",
            ],
            ["a2", "Border security protocol", "IRN", "IRQ", "Protocol", None, "", ""],
            ["a3", "Agreement on river fisheries", "IR", "TR", "agreement", "1999-03", "", ""],
            ["a4", "Agreement on river fisheries, again", "TR", "IR", "agreement", "1999-03-10", "", ""],
            ["a5", "Corrected title of a stored one", "IR", "IQ", "agreement", "1980", "", "Q777"],
            ["a6", "A note without date", "IR", "AF", "agreement", None, "", ""],
            ["a7", "Refused: a party of nowhere", "IR", "Atlantis", "agreement", "2001", "", ""],
            ["a8", "Customs protocol", "IR", "PK", "protocol", "2005-11-02", "Islamabad", "Q888"],
            ["a9", "Rail protocol", "IR", "TM", "protocol", "2010-01-05", "", ""],
        ],
        "participants": [
            ["agreement", "party", "person", "role", "office", "description"],
            ["a1", "IR", "Hossein Dehghan", "signed", "Minister of Defence", ""],
            ["a1", "Iraq", "Erfan al-Hayali", "signed", "Minister of Defence", ""],
            ["a2", "IQ", "", "attended", "", "Iraqi delegation, not named"],
            ["a3", "TR", "Parviz Kamrani", "signed", "", ""],
            ["a8", "PK", "Parviz Kamrani", "witnessed", "", ""],
            ["a8", "IR", "Erfan al-Hayali", "negotiated", "", ""],
            ["a9", "IR", "Parviz Kamrany", "signed", "", ""],  # a3's new person, spelt otherwise
        ],
        "clauses": [
            ["agreement", "position", "article", "text", "categories"],
            [
                "a1",
                1,
                "Art. 1",
                "The parties will exchange intelligence.",
                "intelligence-sharing; Joint exercises",
            ],
            ["a1", 2, "", "Training of officers.", "training-and-education"],
            ["a2", "", "", "Joint patrols on the border.", "joint-patrols"],
            ["a8", 1, "", "Customs officers meet yearly.", ""],
        ],
        "events": [
            ["agreement", "status", "date", "party"],
            ["a2", "signed", "2018-05", ""],
            ["a2", "ratified", 2019, "Iran"],
            ["a8", "ratified", "2006", "PK"],
            ["a8", "in_force", "2006-06", ""],
        ],
    }
    return xlsx_bytes(sheets)


def record_values(record, people: dict) -> tuple:
    """A history record's values, its ids and times aside (a person by name)."""
    values = []
    for f in record._meta.fields:
        if f.attname.startswith("history_") or f.attname in ("id", "agreement_id", "interface"):
            continue
        value = getattr(record, f.attname)
        values.append(people.get(value) if f.attname == "person_id" else value)
    return tuple(values)


def stored() -> dict:
    """Everything the import wrote, without ids and times: per agreement, its fields, parts,
    derived rows, history records and change events."""
    people = dict(Person.objects.values_list("pk", "name"))
    links = apps.get_model("agreements", "HistoricalClause_categories").objects
    found = {}
    for agreement in Agreement.objects.all():
        fields = {
            f.attname: getattr(agreement, f.attname)
            for f in Agreement._meta.concrete_fields
            if f.attname not in ("id", "created_at", "updated_at")
        }
        participants = sorted(
            (people.get(p.person_id), p.party_id, p.role, p.description, p.office, p.rank, p.note)
            for p in agreement.participants.all()
        )
        clauses = sorted(
            (c.position, c.text, c.article, tuple(sorted(k.slug for k in c.categories.all())))
            for c in agreement.clauses.all()
        )
        events = sorted(
            (e.status, e.party_id or "", e.date, e.date_precision, e.date_note, e.note)
            for e in agreement.events.all()
        )
        periods = sorted(
            (p.status, p.start, p.start_precision, p.end, p.end_precision) for p in agreement.periods.all()
        )
        records = list(agreement.history.order_by("history_date", "history_id"))
        history = [(r.history_type, r.interface, r.version, r.status, r.title) for r in records]
        part_history = sorted(
            (
                model.__name__,
                r.history_type,
                r.interface,
                record_values(r, people),
                tuple(
                    sorted(
                        links.filter(history_id=r.history_id).values_list("clausecategory__slug", flat=True)
                    )
                )
                if model is Clause
                else (),
            )
            for model in (Participant, Clause, StatusEvent)
            for r in model.history.filter(agreement_id=agreement.pk)
        )
        told = [
            (
                e.kind,
                e.summary,
                e.details,
                sorted(e.categories),
                e.interface,
                e.history_id == records[-1].history_id,
            )
            for e in ChangeEvent.objects.filter(agreement_id=agreement.pk).order_by("id")
        ]
        timeline = [
            (
                save.agreement.action if save.agreement else None,
                sorted((p.action, p.object_type, p.label) for p in save.parts),
            )
            for save in agreement_saves(agreement.pk)
        ]
        found[agreement.title] = {
            "fields": fields,
            "participants": participants,
            "clauses": clauses,
            "events": events,
            "periods": periods,
            "history": history,
            "part history": part_history,
            "change events": told,
            "timeline": timeline,
        }
    return {"agreements": found, "people": sorted(people.values())}


def import_both_ways(content: bytes, monkeypatch, **options) -> tuple:
    """The import of ``content`` as it is (bulk) and one by one, each on the same database."""
    with transaction.atomic():
        bulk_plan = run(content, "mixed.xlsx", **options)
        in_bulk = stored()
        transaction.set_rollback(True)
    with monkeypatch.context() as patch:
        patch.setattr(_Importer, "create_in_bulk", lambda self, drafts: drafts)
        one_plan = run(content, "mixed.xlsx", **options)
    return bulk_plan, in_bulk, one_plan, stored()


def test_bulk_and_one_by_one_store_the_same_rows_parts_history_and_change_events(monkeypatch):
    PersonFactory(name="Hossein Dehqan")  # the file spells him Dehghan
    make_agreement(
        title="Old title", parties=("IR", "IQ"), wikidata_qid="Q777", signed=datetime.date(1980, 1, 1)
    )
    written = []
    real = bulk.agreements_create_many

    def spy(*, items):
        written.extend(item.data.title for item in items)
        return real(items=items)

    monkeypatch.setattr("agreements.services.spreadsheet.plan.agreements_create_many", spy)
    bulk_plan, in_bulk, one_plan, one_by_one = import_both_ways(
        mixed_workbook(), monkeypatch, skip_refused=True
    )

    assert [(r.row, r.action, r.matched) for r in bulk_plan.rows] == [
        (r.row, r.action, r.matched) for r in one_plan.rows
    ]
    assert [str(p) for r in bulk_plan.rows for p in r.problems] == [
        str(p) for r in one_plan.rows for p in r.problems
    ]
    assert bulk_plan.count(Action.REFUSE) == 1
    assert bulk_plan.count(Action.UPDATE) == 2  # a4 repeats a3; a5 is the stored Q777
    # The new rows that stand alone went in bulk; the others one by one.
    assert sorted(written) == sorted(
        [
            "Memorandum on defence cooperation",
            "Border security protocol",
            "Agreement on river fisheries",
            "Customs protocol",
            "Rail protocol",
        ]
    )
    assert in_bulk["people"] == one_by_one["people"]
    assert "Parviz Kamrany" not in in_bulk["people"]  # another spelling of a person the file adds
    assert in_bulk["agreements"].keys() == one_by_one["agreements"].keys()
    for title, rows in in_bulk["agreements"].items():
        for what, value in rows.items():
            assert value == one_by_one["agreements"][title][what], (title, what)


def test_history_once_per_agreement_with_the_interface_import_in_bulk():
    plan = run(full_workbook(), "research.xlsx")
    assert plan.count(Action.CREATE) == 2, problems_of(plan)
    for agreement in Agreement.objects.all():
        assert [(r.history_type, r.interface) for r in agreement.history.all()] == [("+", "import")]
        assert list(
            ChangeEvent.objects.filter(agreement_id=agreement.pk).values_list("kind", "interface")
        ) == [("agreement_added", "import")]


def test_a_dry_run_in_bulk_writes_nothing():
    before = (Agreement.objects.count(), Person.objects.count(), ChangeEvent.objects.count())
    plan = run(full_workbook(), "research.xlsx", dry_run=True)
    assert plan.count(Action.CREATE) == 2
    assert (Agreement.objects.count(), Person.objects.count(), ChangeEvent.objects.count()) == before
    assert not Agreement.history.exists()


# --- The bulk path's cost ---------------------------------------------------------------------------

# Statements of an import whose rows all create agreements (known people, categories read once):
# the lookups once per import, then each INSERT once per ``bulk.BATCH_SIZE`` rows (SQLite: fewer
# rows a statement, as many as its 999 parameters allow), the data version's bump before the
# import commits (agreements/dataversion.py), and ANALYZE.
QUERIES_PER_BULK_IMPORT_BESIDES_ANALYZE = 37


def new_rows(count: int, offset: int) -> bytes:
    """``count`` Iran–Iraq agreements with the same two known signatories, two clauses, a
    signature and a ratification; titles and years far enough apart for the duplicate rule."""
    agreements = [["id", "title", "party_a", "party_b", "signed_on"]]
    participants = [["agreement", "party", "person"]]
    clauses = [["agreement", "text", "categories"]]
    events = [["agreement", "status", "date", "party"]]
    for index in range(offset, offset + count):
        word = "".join(random.Random(index).choices(string.ascii_lowercase, k=8))
        agreements.append([f"r{index}", f"Treaty on {word}", "IR", "IQ", f"{1900 + index}"])
        participants += [[f"r{index}", "IR", "Known Iranian"], [f"r{index}", "IQ", "Known Iraqi"]]
        clauses += [[f"r{index}", "First clause.", "logistics"], [f"r{index}", "Second.", "joint-patrols"]]
        events.append([f"r{index}", "ratified", f"{1901 + index}", "IR"])
    return xlsx_bytes(
        {"agreements": agreements, "participants": participants, "clauses": clauses, "events": events}
    )


def queries_of_import(count: int, offset: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        plan = run(new_rows(count, offset), "bench.xlsx")
    assert plan.count(Action.CREATE) == count, problems_of(plan)
    return len(queries)


def test_the_statements_of_an_import_do_not_grow_with_its_new_rows():
    from agreements import planner

    PersonFactory(name="Known Iranian")
    PersonFactory(name="Known Iraqi")
    run(new_rows(1, offset=90), "warm.xlsx")  # caches and first-time lookups out of the way
    ten, twenty = queries_of_import(10, 0), queries_of_import(20, 10)
    assert ten == twenty
    analyze = 1 if connection.vendor == "sqlite" else len(planner.app_tables())
    assert ten - analyze == QUERIES_PER_BULK_IMPORT_BESIDES_ANALYZE
