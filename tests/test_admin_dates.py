"""One date style in the admin: "23 July 2017" shown, YYYY-MM-DD typed (with an example in sight)."""

import re

import pytest
from django.urls import reverse

from agreements.admin.forms import StatusEventForm
from agreements.models import Agreement

pytestmark = pytest.mark.django_db


def test_date_boxes_show_iso_with_an_example_and_read_only_dates_read_as_on_the_pages(
    admin_client, demo_data
):
    agreement = Agreement.objects.get(title="Memorandum of understanding on military cooperation")
    html = admin_client.get(
        reverse("admin:agreements_agreement_change", args=[agreement.pk])
    ).content.decode()
    box = re.search(r'<input[^>]*name="events-0-date"[^>]*>', html).group(0)
    assert 'value="2017-07-23"' in box
    assert 'placeholder="YYYY-MM-DD"' in box
    assert 'class="date-example">e.g. 2017-07-23</small>' in html
    # Read-only: the signature as the pages write it, the last save's time in the same style.
    assert "23 July 2017" in html
    assert re.search(
        r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|"
        r"December) \d{4}, \d{2}:\d{2}\b",
        html,
    )
    assert "a.m." not in html
    assert "p.m." not in html


@pytest.mark.parametrize("typed", ["2017-07-23", "23/07/2017", "23 July 2017"])
def test_a_date_box_reads_iso_and_the_day_first_forms(typed):
    form = StatusEventForm(data={"status": "signed", "date": typed, "date_precision": "day"})
    form.is_valid()
    assert "date" not in form.errors
    assert str(form.cleaned_data["date"]) == "2017-07-23"


def test_the_history_page_writes_dates_as_people_do(admin_client, demo_data):
    agreement = Agreement.objects.get(title="Memorandum of understanding on military cooperation")
    html = admin_client.get(
        reverse("admin:agreements_agreement_history", args=[agreement.pk])
    ).content.decode()
    assert "Signed on 23 July 2017" in html
    assert "2017-07-23" not in html
