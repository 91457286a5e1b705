"""Steps in Django's admin as a person takes them: select2 autocompletes, "add another" rows."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def autocomplete(page: Page, field_id: str, typed: str, choice: str) -> None:
    """Open the autocomplete of ``<select id=field_id>``, type, and pick the option shown as ``choice``."""
    # select2 hides the <select> and draws its own box right after it.
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    # Type into the dropdown's own search box once it is there: keys sent to whatever has the
    # focus were lost when select2 had not yet moved it there (a CI run failed that way).
    page.locator(".select2-container--open .select2-search__field").press_sequentially(typed)
    # Only the open dropdown has results; "Searching…" is not an option with aria-selected.
    option = page.locator(".select2-container--open .select2-results__option[aria-selected]", has_text=choice)
    expect(option.first).to_be_visible()
    option.first.click()
    expect(page.locator(".select2-container--open")).to_have_count(0)


def chosen(page: Page, field_id: str) -> Locator:
    """What the autocomplete of ``field_id`` shows as chosen."""
    return page.locator(f"#{field_id} + .select2 .select2-selection")


def add_row(page: Page, prefix: str) -> int:
    """Click the inline's "Add another …" link; returns the new row's index."""
    rows = page.locator(f"#{prefix}-group .dynamic-{prefix}")
    index = rows.count()
    page.locator(f"#{prefix}-group .add-row a").click()
    expect(rows).to_have_count(index + 1)
    return index
