"""Journey 7: a user in the Viewers group reads agreements but cannot change them."""

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement

from .conftest import make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_viewer_sees_agreements_without_save_buttons_and_a_forced_post_is_refused(page, log_in, demo_data):
    log_in(page.context, make_user("reader", "Viewers"))
    page.goto("/admin/agreements/agreement/")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.get_by_role("link", name="Add agreement")).to_have_count(0)

    page.get_by_role("link", name="Memorandum of understanding on military cooperation").click()
    expect(page.get_by_role("heading", name="View agreement")).to_be_visible()
    expect(page.locator(".submit-row input[type=submit]")).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.locator("#agreement_form input[type=text], #agreement_form textarea")).to_have_count(0)
    screenshot(page, "7-viewer")

    # A POST made by hand, with the session and a valid CSRF token, is still refused.
    agreement = Agreement.objects.get(signed_on__year=2017)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = page.request.post(
        page.url,
        form={"csrfmiddlewaretoken": token, "title": "Changed by a viewer", "kind": "treaty"},
        headers={"Referer": page.url},
    )
    assert response.status == 403
    # Refused for lack of permission, not by the CSRF check that any forged form would meet.
    assert "CSRF" not in response.text()
    agreement.refresh_from_db()
    assert agreement.title == "Memorandum of understanding on military cooperation"
