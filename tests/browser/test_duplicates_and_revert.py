"""Journey: the guards against duplicates, a merge, and a revert (issue 14's second journey).

The tracker holds the three Iran–Iraq demo agreements, and a second record of Qasem Rezaei
("Qassem Rezaee", entered by an old import before the guards) who signed one more agreement.
An editor

1. enters a memorandum signed a week after the recorded border memorandum: warned that it
   may already be recorded, they open the one listed, see it is another agreement, and save
   anyway;
2. enters a new person, "Ghasem Rezaei": warned that he may be the recorded Qasem Rezaei,
   they save nothing;
3. merges the two records of Qasem Rezaei (the admin action), keeping the demo's;
4. changes the 2017 memorandum by mistake (its title, and one clause deleted), reads the
   history, sees what a revert would change, and reverts: the title and the clause are back.

At each step the test checks what the editor sees and what the database holds.
"""

import datetime

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement, MergedRecord, Participant, Person
from agreements.services import ParticipantIn

from ..factories import PersonFactory, make_agreement
from .admin_ui import autocomplete
from .conftest import make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEMORANDUM_2017 = "Memorandum of understanding on military cooperation"


def test_an_editor_is_warned_of_duplicates_merges_two_people_and_reverts_after_seeing_the_diff(
    page, log_in, demo_data
):
    twin = PersonFactory(name="Qassem Rezaee")
    patrols = make_agreement(
        title="Agreement on joint border patrols",
        signed=datetime.date(2020, 2, 10),
        participants=[ParticipantIn(twin, "IR")],
    )
    rezaei = Person.objects.get(name="Qasem Rezaei")
    border = Agreement.objects.get(title="Border cooperation memorandum")
    log_in(page.context, make_user("editor", "Editors"))

    # 1. A possible duplicate agreement: the same pair, signed within 30 days of a recorded one.
    page.goto("/admin/agreements/agreement/add/")
    page.get_by_label("Title").fill("Memorandum of understanding on the security of pilgrims")
    page.get_by_label("Kind").select_option(label="Memorandum of understanding")
    autocomplete(page, "id_party_a", "Iran", "Iran")
    autocomplete(page, "id_party_b", "Iraq", "Iraq")
    page.get_by_label("Signed on").fill("25/09/2019")
    page.get_by_role("button", name="Save", exact=True).click()

    warning = page.locator(".errorlist.nonfield")
    expect(warning).to_contain_text("This agreement may already be recorded:")
    expect(warning).to_contain_text("Nothing was saved.")
    candidate = warning.get_by_role("link", name="Border cooperation memorandum")
    expect(candidate).to_have_attribute("href", f"/admin/agreements/agreement/{border.pk}/change/")
    expect(page.get_by_label("Save anyway")).not_to_be_checked()
    screenshot(page, "duplicates-agreement-warning")
    assert Agreement.objects.count() == 4  # the three of the demo, the patrols, nothing new

    # The editor looks at the one listed (it opens beside the form, which keeps what was typed).
    with page.context.expect_page() as opened:
        candidate.click()
    existing = opened.value
    expect(existing.get_by_label("Title")).to_have_value("Border cooperation memorandum")
    existing.close()
    # Another agreement: saved anyway, as typed.
    page.get_by_label("Save anyway").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    pilgrims = Agreement.objects.get(title="Memorandum of understanding on the security of pilgrims")
    assert (pilgrims.party_a_id, pilgrims.party_b_id, str(pilgrims.signed_on)) == ("IQ", "IR", "2019-09-25")
    assert Agreement.objects.count() == 5

    # 2. A possible duplicate person: another spelling of a recorded name.
    people_before = Person.objects.count()
    page.goto("/admin/agreements/person/add/")
    page.get_by_label("Name:", exact=True).fill("Ghasem Rezaei")
    page.get_by_role("button", name="Save", exact=True).click()

    warning = page.locator(".errorlist.nonfield")
    expect(warning).to_contain_text("“Ghasem Rezaei” may already be recorded:")
    known = warning.get_by_role("link", name="Qasem Rezaei", exact=True)
    expect(known).to_have_attribute("href", f"/admin/agreements/person/{rezaei.pk}/change/")
    expect(page.get_by_label("Save anyway")).to_be_visible()
    screenshot(page, "duplicates-person-warning")
    assert Person.objects.count() == people_before  # nothing saved

    # 3. The editor finds the two records of Qasem Rezaei and merges them, keeping the demo's.
    page.goto("/admin/agreements/person/?q=Reza")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    for name in ("Qasem Rezaei", "Qassem Rezaee"):
        row = rows.filter(has=page.get_by_role("link", name=name, exact=True))
        row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Merge the two selected people")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="Merge two people")).to_be_visible()
    page.get_by_label(f"Keep Qasem Rezaei (id {rezaei.pk})").check()
    screenshot(page, "duplicates-merge-choice")
    page.get_by_role("button", name="Merge the two people").click()

    expect(page.locator(".messagelist .success")).to_contain_text(
        "“Qassem Rezaee” is merged into “Qasem Rezaei”"
    )
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    assert not Person.objects.filter(pk=twin.pk).exists()
    assert "Qassem Rezaee" in rezaei.other_names.values_list("name", flat=True)
    assert Participant.objects.get(agreement=patrols).person_id == rezaei.pk
    assert MergedRecord.objects.get().into_id == rezaei.pk
    # The old record's address points to the one kept (the API answers 301).
    moved = page.request.get(f"/api/people/{twin.pk}/", max_redirects=0)
    assert moved.status == 301
    assert moved.headers["location"].endswith(f"/api/people/{rezaei.pk}/")

    # 4. A mistaken save of the 2017 memorandum: a wrong title, and its first clause deleted.
    memorandum = Agreement.objects.get(title=MEMORANDUM_2017)
    clauses = list(memorandum.clauses.values_list("text", flat=True))
    version = memorandum.version
    page.goto(f"/admin/agreements/agreement/{memorandum.pk}/change/")
    page.get_by_label("Title").fill("Memorandum of understanding on naval cooperation")
    page.locator("#id_clauses-0-DELETE").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    memorandum.refresh_from_db()
    assert memorandum.title == "Memorandum of understanding on naval cooperation"
    assert memorandum.clauses.count() == len(clauses) - 1

    # The history says what the save did, in an editor's words.
    page.get_by_role("link", name="History").click()
    newest = page.locator(".history-save").first
    expect(newest).to_contain_text("editor")
    title_change = newest.locator("dt", has_text="Title").locator("xpath=following-sibling::dd[1]")
    expect(title_change.locator("del")).to_have_text(MEMORANDUM_2017)
    expect(title_change.locator("ins")).to_have_text("Memorandum of understanding on naval cooperation")
    expect(newest).to_contain_text("Removed clause 1")
    page.locator(".history-save").nth(1).get_by_role("link", name="Revert to this version…").click()

    # What the revert would change, before it changes anything.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revert")
    differences = page.locator("table.revert-differences tbody tr")
    title_row = differences.filter(has=page.get_by_role("rowheader", name="Title"))
    expect(title_row.locator("del")).to_have_text("Memorandum of understanding on naval cooperation")
    expect(title_row.locator("ins")).to_have_text(MEMORANDUM_2017)
    clause_row = differences.filter(has=page.get_by_role("rowheader", name="Clauses"))
    expect(clause_row.locator("ins")).to_contain_text(clauses[0][:40])
    screenshot(page, "duplicates-revert-diff")
    assert Agreement.objects.get(pk=memorandum.pk).title != MEMORANDUM_2017  # nothing changed yet
    page.get_by_role("button", name="Revert to this version").click()

    expect(page.locator(".messagelist .success")).to_contain_text(
        "The agreement and its parts are back as they were"
    )
    expect(page.get_by_label("Title")).to_have_value(MEMORANDUM_2017)
    memorandum = Agreement.objects.with_details().get(pk=memorandum.pk)
    assert memorandum.title == MEMORANDUM_2017
    assert sorted(clause.text for clause in memorandum.clauses.all()) == sorted(clauses)
    assert {p.person.name for p in memorandum.participants.all()} == {
        "Hossein Dehqan",
        "Erfan Mahmoud al-Hayali",
    }
    assert memorandum.version == version + 2  # the mistake, then the revert: both in the history
