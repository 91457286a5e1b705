"""Bulk import from CSV and XLSX with a dry run (issue 18): the plan, the write, the interfaces."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook as XlsxBook
from openpyxl import load_workbook

from agreements import planner
from agreements.choices import EventType
from agreements.models import Agreement, ChangeEvent, Person, StatusEvent
from agreements.services.spreadsheet import (
    SHEETS,
    Action,
    SpreadsheetError,
    import_spreadsheet,
    read_workbook,
    template_csv,
    template_xlsx,
)

from .factories import PersonFactory, make_agreement

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parent.parent / "docs" / "editing.md"


def csv_bytes(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = XlsxBook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_of(files: dict[str, str]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def run(content: bytes, name: str = "agreements.csv", **options):
    return import_spreadsheet(workbook=read_workbook(content, name), **options)


HEADER = ["id", "title", "party_a", "party_b", "kind", "signed_on"]


def fifty_rows() -> list[list[object]]:
    """50 Iran–Iraq agreements a year apart; rows 12, 30 and 47 of the file are faulty."""
    rows: list[list[object]] = [HEADER]
    for index in range(50):
        rows.append(
            [f"r{index}", f"Agreement number {index}", "Iran", "IQ", "agreement", f"{1960 + index}-03-15"]
        )
    rows[11][3] = "Atlantis"  # file row 12: party_b (D)
    rows[29][5] = "1988-13-45"  # file row 30: signed_on (F)
    rows[46][4] = "scroll"  # file row 47: kind (E)
    return rows


# --- The "done when" -------------------------------------------------------------------------


def test_fifty_rows_with_three_faults_dry_run_names_the_cells_then_imports_47_then_matches_all():
    content = csv_bytes(fifty_rows())

    dry = run(content, dry_run=True)
    assert Agreement.objects.count() == 0
    refused = {str(problem.cell) for row in dry.refused for problem in row.problems}
    assert refused == {
        "agreements!D12 (party_b)",
        "agreements!F30 (signed_on)",
        "agreements!E47 (kind)",
    }
    assert dry.count(Action.CREATE) == 47
    assert dry.blocked
    assert not dry.written

    blocked = run(content)
    assert Agreement.objects.count() == 0
    assert not blocked.written

    done = run(content, skip_refused=True)
    assert done.written
    assert done.count(Action.CREATE) == 47
    assert Agreement.objects.count() == 47

    again = run(content, skip_refused=True)
    assert Agreement.objects.count() == 47
    assert again.count(Action.CREATE) == 0
    assert again.count(Action.UNCHANGED) == 47
    assert all(row.matched.startswith("by the duplicate rule") for row in again.rows if row.agreement_id)


def test_the_messages_are_in_an_editors_words():
    plan = run(csv_bytes(fifty_rows()), dry_run=True)
    messages = {str(problem.cell): problem.message for row in plan.refused for problem in row.problems}
    assert "No country is called “Atlantis”" in messages["agreements!D12 (party_b)"]
    assert "does not exist" in messages["agreements!F30 (signed_on)"]
    assert "“scroll” is not a kind of agreement" in messages["agreements!E47 (kind)"]


# --- Every sheet kind, XLSX ----------------------------------------------------------------------------


def full_workbook(**overrides) -> bytes:
    sheets = {
        "agreements": [
            ["id", "title", "party_a", "party_b", "kind", "signed_on", "place_of_signature", "wikidata_qid"],
            [
                "a1",
                "Memorandum on defence cooperation",
                "Iran",
                "Iraq",
                "memorandum",
                datetime.datetime(2017, 7, 23),
                "Tehran",
                "Q111",
            ],
            ["a2", "Border security protocol", "IRN", "IRQ", "Protocol", None, "", ""],
        ],
        "participants": [
            ["agreement", "party", "person", "role", "office", "description"],
            ["a1", "IR", "Hossein Dehghan", "signed", "Minister of Defence", ""],
            ["a1", "Iraq", "Erfan al-Hayali", "signed", "Minister of Defence", ""],
            ["a2", "IQ", "", "attended", "", "Iraqi delegation, not named"],
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
        ],
        "events": [
            ["agreement", "status", "date", "party"],
            ["a2", "signed", "2018-05", ""],
            ["a2", "ratified", 2019, "Iran"],
        ],
    }
    sheets.update(overrides)
    return xlsx_bytes(sheets)


def test_an_xlsx_with_every_sheet_kind_is_written_through_the_services():
    known = PersonFactory(name="Hossein Dehqan")  # the file spells him Dehghan
    plan = run(full_workbook(), "research.xlsx")
    assert plan.written, [str(p) for row in plan.refused for p in row.problems]
    assert [row.action for row in plan.rows] == [Action.CREATE, Action.CREATE]

    first = Agreement.objects.get(title="Memorandum on defence cooperation")
    assert first.parties == ("IQ", "IR")
    assert first.signed_on == datetime.date(2017, 7, 23)
    assert first.wikidata_qid == "Q111"
    assert first.place_of_signature == "Tehran"
    people = {p.person.name: p for p in first.participants.select_related("person")}
    assert people["Hossein Dehqan"].person == known  # linked, not added again
    assert people["Erfan al-Hayali"].party_id == "IQ"
    assert Person.objects.filter(name="Erfan al-Hayali").count() == 1
    clauses = list(first.clauses.order_by("position"))
    assert [c.article for c in clauses] == ["Art. 1", ""]
    assert {c.slug for c in clauses[0].categories.all()} == {"intelligence-sharing", "joint-exercises"}

    second = Agreement.objects.get(title="Border security protocol")
    assert second.kind == "protocol"
    assert second.status == "ratified"
    assert second.signed_on == datetime.date(2018, 5, 1)
    assert second.signed_on_precision == "month"
    ratified = second.events.get(status=EventType.RATIFIED)
    assert (ratified.party_id, ratified.date, ratified.date_precision) == (
        "IR",
        datetime.date(2019, 1, 1),
        "year",
    )
    assert second.participants.get().description == "Iraqi delegation, not named"
    assert second.clauses.get().position == 1


def test_history_is_recorded_once_per_agreement_with_the_interface_import():
    run(full_workbook(), "research.xlsx")
    for agreement in Agreement.objects.all():
        records = agreement.history.all()
        assert [(r.history_type, r.interface) for r in records] == [("+", "import")]
    assert ChangeEvent.objects.count() >= 2


def test_a_cross_walk_id_matches_and_updates_and_empty_cells_keep_what_is_recorded():
    stored = make_agreement(
        title="Old title", wikidata_qid="Q111", place_of_signature="Baghdad", summary="Kept."
    )
    plan = run(full_workbook(), "research.xlsx")
    row = plan.rows[0]
    assert (row.action, row.agreement_id, row.matched) == (Action.UPDATE, stored.pk, "by Wikidata id Q111")
    stored.refresh_from_db()
    assert stored.title == "Memorandum on defence cooperation"
    assert stored.place_of_signature == "Tehran"
    assert stored.summary == "Kept."
    assert Agreement.objects.count() == 2


def test_a_cross_walk_id_of_another_pair_is_refused_at_its_cell():
    make_agreement(title="Elsewhere", parties=("IR", "TR"), wikidata_qid="Q111")
    plan = run(full_workbook(), "research.xlsx", dry_run=True)
    (problem,) = plan.rows[0].problems
    assert str(problem.cell) == "agreements!H2 (wikidata_qid)"
    assert "between other parties" in problem.message


def test_a_row_without_date_or_signatory_matches_by_its_pair_and_title():
    stored = make_agreement(title="Agreement on trade", signed=None)
    plan = run(csv_bytes([["title", "party_a", "party_b"], ["agreement on trade", "Iraq", "Iran"]]))
    assert (plan.rows[0].action, plan.rows[0].agreement_id) == (Action.UPDATE, stored.pk)
    assert plan.rows[0].matched == "by its parties and title"


def test_signed_on_replaces_the_recorded_signature_and_keeps_the_other_events():
    stored = make_agreement(title="Kept events", signed=datetime.date(2017, 7, 23))
    StatusEvent.objects.create(
        agreement=stored, status="ratified", date=datetime.date(2018, 1, 1), party_id="IR"
    )
    run(csv_bytes([["title", "party_a", "party_b", "signed_on"], ["Kept events", "IR", "IQ", "2017-07"]]))
    statuses = set(stored.events.values_list("status", "date_precision"))
    assert statuses == {("signed", "month"), ("ratified", "day")}


# --- Each refusal kind ---------------------------------------------------------------------------------


def problems_of(plan) -> dict[str, str]:
    return {str(problem.cell): problem.message for row in plan.refused for problem in row.problems}


def test_several_possible_duplicates_refuse_the_row_naming_them():
    make_agreement(title="First", signed=datetime.date(2017, 7, 20))
    make_agreement(title="Second", signed=datetime.date(2017, 7, 25))
    plan = run(csv_bytes([["title", "party_a", "party_b", "signed_on"], ["Third", "IR", "IQ", "2017-07-23"]]))
    message = problems_of(plan)["agreements!D2 (signed_on)"]
    assert "“First”" in message
    assert "“Second”" in message
    assert Agreement.objects.count() == 2


def test_refusals_of_the_reader_name_their_cells():
    content = full_workbook(
        clauses=[
            ["agreement", "position", "text", "categories"],
            ["a1", "first", "Text.", "no-such-category"],
            ["zz", 1, "Orphan clause.", ""],
        ],
        events=[["agreement", "status", "date"], ["a2", "blessed", "2018"], ["a2", "signed", ""]],
    )
    plan = run(content, "research.xlsx", dry_run=True)
    problems = problems_of(plan)
    assert "not a whole number" in problems["clauses!B2 (position)"]
    assert "no-such-category" in problems["clauses!D2 (categories)"]
    assert "belongs to no agreement" in problems["clauses!A3 (agreement)"]
    assert "“blessed” is not a status event" in problems["events!B2 (status)"]
    assert "needs its date" in problems["events!C3 (date)"]


def test_refusals_of_the_services_are_put_on_the_cells_of_their_rows():
    content = full_workbook(
        participants=[["agreement", "party", "person", "role"], ["a1", "Turkey", "Someone New", "signed"]],
        events=[["agreement", "status", "date"], ["a2", "ratified", "2017"], ["a2", "signed", "2018"]],
    )
    plan = run(content, "research.xlsx", dry_run=True)
    problems = problems_of(plan)
    assert any(cell.startswith("participants!B2") for cell in problems), problems
    assert any(cell.startswith("events!") for cell in problems), problems


def test_a_party_of_no_letters_is_refused_not_guessed():
    problems = problems_of(run(csv_bytes([["title", "party_a", "party_b"], ["T", "IR", "—"]]), dry_run=True))
    assert "No country is called “—”" in problems["agreements!C2 (party_b)"]


def test_a_new_name_on_several_rows_is_one_new_person():
    content = full_workbook(
        participants=[
            ["agreement", "party", "person"],
            ["a1", "IR", "Parviz Kamrani"],
            ["a2", "IR", "Parviz Kamrani"],
        ]
    )
    plan = run(content, "research.xlsx")
    assert plan.written
    assert Person.objects.filter(name="Parviz Kamrani").count() == 1
    assert Agreement.objects.filter(participants__person__name="Parviz Kamrani").count() == 2


def test_missing_title_party_and_a_repeated_id_are_refused():
    content = csv_bytes([["id", "title", "party_a", "party_b"], ["1", "", "IR", "IQ"], ["1", "T", "IR", ""]])
    problems = problems_of(run(content, dry_run=True))
    assert "needs a title" in problems["agreements!B2 (title)"]
    assert "Give the party" in problems["agreements!D3 (party_b)"]
    assert "same id" in problems["agreements!A3 (id)"]


def test_a_name_that_may_be_several_known_people_is_refused_at_its_cell():
    PersonFactory(name="Ali Shamkhani")
    PersonFactory(name="Ali Shamkhany")
    content = full_workbook(participants=[["agreement", "party", "person"], ["a1", "IR", "Ali Shamkhani"]])
    problems = problems_of(run(content, "research.xlsx", dry_run=True))
    assert "several people" in problems["participants!C2 (person)"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"title,party_a\nT,IR\n", "a.csv", "lacks the column(s) party_b"),
        (b"title,party_a,party_b,colour\nT,IR,IQ,red\n", "a.csv", "column D: “colour” is not a column"),
        (b"title,party_a,party_b\nT,IR,IQ,extra\n", "a.csv", "cell D2: the column has no header"),
        (b"not a workbook", "a.xlsx", "not an Excel workbook"),
        (zip_of({"hello.txt": "no workbook inside"}), "a.xlsx", "not an Excel workbook"),
        (b"title", "a.ods", "neither a CSV file"),
        (b"\xff\xfe\x00t", "a.csv", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(content, name, message):
    with pytest.raises(SpreadsheetError, match=re.escape(message)):
        read_workbook(content, name)


def test_an_unknown_sheet_is_refused():
    with pytest.raises(SpreadsheetError, match="Sheet “notes” is not one"):
        read_workbook(xlsx_bytes({"agreements": [HEADER], "notes": [["x"]]}), "a.xlsx")


# --- One transaction -----------------------------------------------------------------------------------


def test_a_refused_row_late_in_the_file_leaves_the_database_as_it_was():
    make_agreement(title="Already here", signed=datetime.date(2001, 1, 1))
    before = (Agreement.objects.count(), Person.objects.count(), StatusEvent.objects.count())
    history = Agreement.history.count()
    rows = fifty_rows()
    plan = run(csv_bytes(rows))  # 47 rows written inside the transaction, then rolled back
    assert plan.blocked
    assert not plan.written
    assert (Agreement.objects.count(), Person.objects.count(), StatusEvent.objects.count()) == before
    assert Agreement.history.count() == history


def test_a_dry_run_writes_nothing_not_even_history_or_change_events():
    changes = ChangeEvent.objects.count()
    plan = run(full_workbook(), "research.xlsx", dry_run=True)
    assert plan.count(Action.CREATE) == 2
    assert not plan.written
    assert Agreement.objects.count() == 0
    assert Person.objects.count() == 0
    assert ChangeEvent.objects.count() == changes
    assert Agreement.history.count() == 0


# --- The template --------------------------------------------------------------------------------------


def test_the_xlsx_template_has_every_sheet_and_column_and_its_example_imports():
    book = load_workbook(io.BytesIO(template_xlsx()))
    for spec in SHEETS:
        assert [cell.value for cell in book[spec.name][1]] == [column.name for column in spec.columns]
    assert book["columns"].max_row == 1 + sum(len(spec.columns) for spec in SHEETS)
    plan = run(template_xlsx(), "template.xlsx", dry_run=True)
    assert [row.action for row in plan.rows] == [Action.CREATE], problems_of(plan)


def test_the_csv_template_imports():
    plan = run(template_csv(), "template.csv", dry_run=True)
    assert [row.action for row in plan.rows] == [Action.CREATE], problems_of(plan)


def test_the_docs_list_every_column_of_every_sheet():
    text = DOCS.read_text(encoding="utf-8")
    for spec in SHEETS:
        section = text.split(f"#### Sheet `{spec.name}`", 1)[1].split("####", 1)[0]
        for column in spec.columns:
            assert f"| `{column.name}` |" in section, (spec.name, column.name)


# --- The command ---------------------------------------------------------------------------------------


def test_the_command_prints_the_plan_and_fails_when_refused_rows_block(tmp_path):
    path = tmp_path / "fifty.csv"
    path.write_bytes(csv_bytes(fifty_rows()))
    out = io.StringIO()
    with pytest.raises(CommandError, match="--skip-refused"):
        call_command("import_agreements", str(path), "--dry-run", stdout=out)
    assert "agreements!D12 (party_b)" in out.getvalue()
    assert "agreements row 2: create — Agreement number 0" in out.getvalue()
    assert Agreement.objects.count() == 0

    out = io.StringIO()
    call_command("import_agreements", str(path), "--skip-refused", stdout=out)
    assert Agreement.objects.count() == 47
    assert "47 create" in out.getvalue()
    assert "imported (refused rows skipped)" in out.getvalue()


def test_the_command_reports_an_unreadable_file(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"nope")
    with pytest.raises(CommandError, match="not an Excel workbook"):
        call_command("import_agreements", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_agreements", str(tmp_path / "missing.csv"))


# --- The admin -----------------------------------------------------------------------------------------


@pytest.fixture
def viewer_client(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.groups.add(Group.objects.get(name="Viewers"))
    client.force_login(user)
    return client


def upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_only_those_who_may_add_agreements_may_import(viewer_client, client):
    page = reverse("admin:agreements_agreement_import")
    assert viewer_client.get(page).status_code == 403
    assert (
        viewer_client.get(reverse("admin:agreements_agreement_import_template", args=["xlsx"])).status_code
        == 403
    )
    assert viewer_client.post(page, {"file": upload(csv_bytes(fifty_rows()), "a.csv")}).status_code == 403
    client.logout()
    assert client.get(page).status_code == 302
    assert Agreement.objects.count() == 0


def test_the_changelist_links_to_the_import(editor_client):
    page = editor_client.get(reverse("admin:agreements_agreement_changelist"))
    assert reverse("admin:agreements_agreement_import") in page.content.decode()


def test_the_admin_flow_upload_dry_run_confirm_with_skip(editor_client):
    page = reverse("admin:agreements_agreement_import")
    assert editor_client.get(page).status_code == 200

    dry = editor_client.post(page, {"file": upload(csv_bytes(fifty_rows()), "fifty.csv")})
    assert dry.status_code == 200
    html = dry.content.decode()
    for cell in ("agreements!D12 (party_b)", "agreements!F30 (signed_on)", "agreements!E47 (kind)"):
        assert cell in html
    assert "47 create" in html
    assert "Skip refused rows" in html
    assert Agreement.objects.count() == 0
    token = dry.context["confirm_form"].initial["token"]

    refused = editor_client.post(page, {"token": token})
    assert refused.status_code == 200
    assert "Refused rows stop the whole import" in refused.content.decode()
    assert Agreement.objects.count() == 0

    done = editor_client.post(page, {"token": token, "skip_refused": "on"})
    assert done.status_code == 302
    assert Agreement.objects.count() == 47
    assert set(Agreement.history.values_list("interface", flat=True)) == {"import"}

    again = editor_client.post(page, {"token": token, "skip_refused": "on"})
    assert again.status_code == 200
    assert "already been imported" in again.content.decode()
    assert Agreement.objects.count() == 47


def test_the_admin_says_why_a_file_cannot_be_read_and_a_forged_token_is_refused(editor_client):
    page = reverse("admin:agreements_agreement_import")
    bad = editor_client.post(page, {"file": upload(b"title,party_a\nT,IR\n", "a.csv")})
    assert bad.status_code == 200
    assert "lacks the column(s) party_b" in bad.content.decode()
    wrong = editor_client.post(page, {"file": upload(b"x", "a.txt")})
    assert wrong.status_code == 200
    assert "Choose an .xlsx or a .csv file" in wrong.content.decode()
    forged = editor_client.post(page, {"token": "../../etc/passwd"})
    assert forged.status_code == 200
    assert "upload the file again" in forged.content.decode()


def test_the_admin_serves_the_templates(editor_client):
    xlsx = editor_client.get(reverse("admin:agreements_agreement_import_template", args=["xlsx"]))
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"  # a zip: the workbook
    assert 'filename="agreements-template.xlsx"' in xlsx["Content-Disposition"]
    csv_file = editor_client.get(reverse("admin:agreements_agreement_import_template", args=["csv"]))
    assert csv_file.status_code == 200
    assert csv_file.content.decode("utf-8-sig").startswith("id,title,party_a")
    assert (
        editor_client.get(reverse("admin:agreements_agreement_import_template", args=["ods"])).status_code
        == 404
    )


# --- The write path's cost -----------------------------------------------------------------------------

# Queries per agreement the import creates one by one (a row the bulk path hands over: see
# test_spreadsheet_bulk), with two known signatories, two clauses, a signature date and a
# ratification: agreement_create's own (the pinned write path of test_one_write_path) plus the
# import's lookups. A change here is a change of the cost of those rows: see docs/benchmarks.md.
QUERIES_PER_CREATED_ROW = 83
# Once per import: the categories, the countries of the file, the people's first lookups, the
# data version's bump before the import commits (20), and ANALYZE: one statement on SQLite, one
# per table of the app on PostgreSQL.
QUERIES_PER_IMPORT_BESIDES_ANALYZE = 20


def rows_workbook(count: int, offset: int = 0) -> bytes:
    agreements = [["id", "title", "party_a", "party_b", "signed_on"]]
    participants = [["agreement", "party", "person"]]
    clauses = [["agreement", "text", "categories"]]
    events = [["agreement", "status", "date", "party"]]
    for index in range(offset, offset + count):
        agreements.append([f"r{index}", f"Treaty {chr(65 + index)}x{index}", "IR", "IQ", f"{1950 + index}"])
        participants += [[f"r{index}", "IR", "Known Iranian"], [f"r{index}", "IQ", "Known Iraqi"]]
        clauses += [[f"r{index}", "First clause.", "logistics"], [f"r{index}", "Second.", "joint-patrols"]]
        events.append([f"r{index}", "ratified", f"{1951 + index}", "IR"])
    return xlsx_bytes(
        {"agreements": agreements, "participants": participants, "clauses": clauses, "events": events}
    )


def test_the_queries_of_an_import_one_by_one_grow_with_its_rows_and_no_faster(monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements.services.spreadsheet.plan import _Importer

    monkeypatch.setattr(_Importer, "create_in_bulk", lambda self, drafts: drafts)

    PersonFactory(name="Known Iranian")
    PersonFactory(name="Known Iraqi")
    run(rows_workbook(1, offset=40), "warm.xlsx")  # caches and first-time lookups out of the way
    counts = []
    for count, offset in ((2, 0), (4, 10)):
        with CaptureQueriesContext(connection) as queries:
            plan = run(rows_workbook(count, offset), "bench.xlsx")
        assert plan.count(Action.CREATE) == count, problems_of(plan)
        counts.append(len(queries))
    per_row = (counts[1] - counts[0]) / 2
    print(f"queries: {counts}, {per_row} per row, {counts[0] - 2 * per_row} once per import")
    assert per_row == QUERIES_PER_CREATED_ROW
    analyze = 1 if connection.vendor == "sqlite" else len(planner.app_tables())
    assert counts[0] - 2 * per_row <= QUERIES_PER_IMPORT_BESIDES_ANALYZE + analyze
