"""Journey 3: an editor finds agreements by any spelling of a signatory's name."""

import pytest
from playwright.sync_api import expect

from .conftest import make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def search(page, words: str):
    page.locator("#searchbar").fill(words)
    page.locator("#searchbar").press("Enter")
    return page.locator("#result_list tbody tr")


def test_admin_search_finds_agreements_by_other_spellings(page, log_in, demo_data):
    log_in(page.context, make_user("editor", "Editors"))
    page.goto("/admin/agreements/agreement/")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)

    # "Dehghan" is how the 2017 article's minister is spelt in some reports; he signed in 2014 and 2017.
    rows = search(page, "Dehghan")
    expect(rows).to_have_count(2)
    expect(rows.locator("th")).to_have_text(
        [
            "Memorandum of understanding on military cooperation",
            "Memorandum of understanding on defence cooperation",
        ]
    )
    screenshot(page, "3-find-dehghan")

    # "al-Hiyali" is the Mehr article's spelling of the Iraqi minister, who signed only in 2017.
    rows = search(page, "Hiyali")
    expect(rows).to_have_count(1)
    expect(rows.locator("th")).to_have_text("Memorandum of understanding on military cooperation")
    expect(page.locator("#changelist-search")).to_contain_text("1 result")
    screenshot(page, "3-find-hiyali")
