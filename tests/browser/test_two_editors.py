"""Journey 4: two editors save the same agreement; the second is told, and neither loses work."""

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement

from .conftest import make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_second_save_is_refused_and_keeps_what_was_typed(new_context, log_in, demo_data):
    agreement = Agreement.objects.get(signed_on__year=2017)
    url = f"/admin/agreements/agreement/{agreement.pk}/change/"
    first, second = new_context().new_page(), new_context().new_page()
    log_in(first.context, make_user("shirin", "Editors"))
    log_in(second.context, make_user("omar", "Editors"))
    first.goto(url)
    second.goto(url)

    first.get_by_label("Summary").fill("Shirin's summary: an initial agreement on military cooperation.")
    first.get_by_role("button", name="Save and continue editing").click()
    expect(first.locator(".messagelist .success")).to_contain_text("was changed successfully")

    omar_summary = "Omar's summary, typed on the copy he opened before Shirin saved."
    second.get_by_label("Summary").fill(omar_summary)
    second.get_by_role("button", name="Save and continue editing").click()

    expect(second.locator(".errorlist.nonfield")).to_contain_text(
        "Someone else saved this agreement while you were editing it"
    )
    # Omar's text is still in his form, to copy into the current version.
    expect(second.get_by_label("Summary")).to_have_value(omar_summary)
    screenshot(second, "4-two-editors-conflict")
    agreement.refresh_from_db()
    assert agreement.summary.startswith("Shirin's summary")

    # The message's link opens the current version, where his change saves.
    second.get_by_role("link", name="Open the current version").click()
    expect(second.get_by_label("Summary")).to_have_value(agreement.summary)
    second.get_by_label("Summary").fill(agreement.summary + " " + omar_summary)
    second.get_by_role("button", name="Save and continue editing").click()
    expect(second.locator(".messagelist .success")).to_contain_text("was changed successfully")
    agreement.refresh_from_db()
    assert (
        agreement.summary == f"Shirin's summary: an initial agreement on military cooperation. {omar_summary}"
    )
