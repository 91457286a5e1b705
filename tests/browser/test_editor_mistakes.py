"""Journey 2: an editor's mistakes are caught next to the field at fault, and nothing is saved."""

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement

from ..factories import PersonFactory
from .admin_ui import add_row, autocomplete
from .conftest import make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_mistakes_are_shown_on_their_fields_and_correcting_them_saves(page, log_in):
    log_in(page.context, make_user("editor", "Editors"))
    PersonFactory(name="Hossein Dehqan")
    PersonFactory(name="Erfan Mahmoud al-Hayali")
    page.goto("/admin/agreements/agreement/add/")

    page.get_by_label("Title").fill("Memorandum of understanding on military cooperation")
    page.get_by_label("Kind").select_option(label="Memorandum of understanding")
    autocomplete(page, "id_party_a", "Iran", "Iran")
    autocomplete(page, "id_party_b", "Iran", "Iran")  # the same country twice
    signatories = []
    for person, party in [("Dehqan", "Iran"), ("Hayali", "Türkiye")]:  # Iraq's minister, put down for Türkiye
        row = add_row(page, "participants")
        autocomplete(page, f"id_participants-{row}-person", person, person)
        autocomplete(page, f"id_participants-{row}-party", party[:4], party)
        signatories.append(row)
    for status, date in [("signed", "23/07/2017"), ("ratified", "01/07/2017")]:  # ratified before signing
        row = add_row(page, "events")
        page.locator(f"#id_events-{row}-status").select_option(status)
        page.locator(f"#id_events-{row}-date").fill(date)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-party_b .errorlist")).to_have_text(
        "An agreement needs two different parties; both are the same country."
    )
    screenshot(page, "2-editor-mistakes-same-country")
    assert not Agreement.objects.exists()

    # With two different parties, the rows are checked against them.
    autocomplete(page, "id_party_b", "Iraq", "Iraq")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".field-party_b .errorlist")).to_have_count(0)
    expect(page.locator(f"#participants-{signatories[1]} .field-party .errorlist")).to_contain_text(
        "Türkiye is not a party to this agreement"
    )
    expect(page.locator(f"#participants-{signatories[0]} .errorlist")).to_have_count(0)
    expect(page.locator("#events-1 .field-date .errorlist")).to_contain_text(
        "Ratified on 1 July 2017 is before the signature on 23 July 2017."
    )
    screenshot(page, "2-editor-mistakes-rows")
    assert not Agreement.objects.exists()

    autocomplete(page, f"id_participants-{signatories[1]}-party", "Iraq", "Iraq")
    page.locator("#id_events-1-date").fill("01/10/2017")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    agreement = Agreement.objects.get()
    assert (agreement.party_a_id, agreement.party_b_id, agreement.status) == ("IQ", "IR", "ratified")
    assert sorted(agreement.participants.values_list("party_id", flat=True)) == ["IQ", "IR"]
