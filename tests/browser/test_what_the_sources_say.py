"""Journey 8: an editor records what a border memorandum's sources say, and an analyst reads it back.

The Iranian commander signed; his Iraqi counterpart is not named in the sources; the
security council's secretary was present; Iraq undertook to move armed groups from the
border within six months. Nothing of it may be misstated, and the pair page must show it.
"""

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement

from ..factories import PersonFactory
from .admin_ui import add_row, autocomplete
from .conftest import PASSWORD, make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_witness_an_unnamed_signatory_and_a_deadline_reach_the_pair_page(page):
    make_user("editor", "Editors")
    PersonFactory(name="Qasem Rezaei")
    PersonFactory(name="Ali Shamkhani")

    page.goto("/admin/agreements/agreement/add/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("Title").fill("Border security memorandum")
    page.get_by_label("Kind").select_option(label="Memorandum of understanding")
    autocomplete(page, "id_party_a", "Iran", "Iran")
    autocomplete(page, "id_party_b", "Iraq", "Iraq")

    row = add_row(page, "participants")  # signed, for Iran
    autocomplete(page, f"id_participants-{row}-person", "Rezaei", "Qasem Rezaei")
    autocomplete(page, f"id_participants-{row}-party", "Iran", "Iran")
    row = add_row(page, "participants")  # signed, not named
    page.locator(f"#id_participants-{row}-description").fill("Iraqi counterpart, not named in the sources")
    autocomplete(page, f"id_participants-{row}-party", "Iraq", "Iraq")
    row = add_row(page, "participants")  # in whose presence it was signed
    page.locator(f"#id_participants-{row}-role").select_option("witnessed")
    autocomplete(page, f"id_participants-{row}-person", "Shamkhani", "Ali Shamkhani")
    autocomplete(page, f"id_participants-{row}-party", "Iran", "Iran")

    row = add_row(page, "clauses")
    page.locator(f"#id_clauses-{row}-position").fill("1")
    page.locator(f"#id_clauses-{row}-text").fill("Armed groups are disarmed and moved away from the border.")
    autocomplete(page, f"id_clauses-{row}-categories", "border", "Border security")

    row = add_row(page, "events")
    page.locator(f"#id_events-{row}-status").select_option("signed")
    page.locator(f"#id_events-{row}-date").fill("19/03/2023")

    row = add_row(page, "commitments")
    page.locator(f"#id_commitments-{row}-position").fill("1")
    autocomplete(page, f"id_commitments-{row}-party", "Iraq", "Iraq")
    page.locator(f"#id_commitments-{row}-text").fill("Move the armed groups away from the border.")
    page.locator(f"#id_commitments-{row}-clause_positions").fill("1")
    page.locator(f"#id_commitments-{row}-due_on").fill("19/09/2023")
    page.locator(f"#id_commitments-{row}-due_note").fill("“within six months” of signature")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    agreement = Agreement.objects.get()
    assert sorted(agreement.participants.values_list("role", flat=True)) == ["signed", "signed", "witnessed"]
    assert agreement.participants.filter(person=None).count() == 1
    assert str(agreement.commitments.get().due_on) == "2023-09-19"

    page.goto("/reports/pairs/IR-IQ/?as_of=2024-01-01")
    lead = page.locator(".lead")
    expect(lead).to_contain_text("1 commitment")
    expect(lead).to_contain_text("1 overdue")
    expect(lead).to_contain_text("1 signatory is not named")
    row = page.locator("table.agreements tbody tr").first
    expect(row).to_contain_text("Qasem Rezaei")
    expect(row).to_contain_text("not named (Iraqi counterpart, not named in the sources)")
    expect(row).to_contain_text("Ali Shamkhani (Iran) — witnessed (in the presence of)")
    commitments = page.locator("table.commitments tbody tr")
    expect(commitments).to_have_count(1)
    expect(commitments.first).to_contain_text("Move the armed groups away from the border.")
    expect(commitments.first).to_contain_text("19 September 2023")
    expect(commitments.first).to_contain_text("overdue")
    screenshot(page, "8-what-the-sources-say")
