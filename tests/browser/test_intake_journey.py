"""Journey: from the pasted Mehr report to a saved agreement in at most twelve interactions.

The editor opens “Add from a news report”, pastes the shared seed report, gives the source's
URL, publisher, date and language (the licence is in the report), reads the proposal and saves
it as it is: no fact of the report is typed again. The tracker knows Hossein Dehqan (also
“Hossein Dehghan”); Erfan Mahmoud al-Hayali is new, and the report also spells him al-Hiyali.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement, Person, PersonName

from ..factories import PersonFactory
from .conftest import make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEED = (
    Path(__file__).resolve().parents[2] / "fixtures" / "reports" / "iran-iraq-military-cooperation-2017.txt"
)
MOST = 12


class Counted:
    """Counts what the editor does: each page opened, field filled, option chosen or button clicked."""

    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def goto(self, url: str) -> None:
        self.count += 1
        self.page.goto(url)

    def fill(self, label: str, value: str) -> None:
        self.count += 1
        self.page.get_by_label(label, exact=True).fill(value)

    def click(self, name: str) -> None:
        self.count += 1
        self.page.get_by_role("button", name=name).click()


def test_the_seed_report_becomes_a_saved_agreement_in_at_most_twelve_interactions(page, log_in):
    editor = make_user("editor", "Editors")
    dehqan = PersonFactory(name="Hossein Dehqan")
    PersonName.objects.create(person=dehqan, name="Hossein Dehghan", kind="transliteration")
    log_in(page.context, editor)
    editor_ = Counted(page)

    editor_.goto("/admin/agreements/agreement/intake/")
    editor_.fill("Report:", SEED.read_text(encoding="utf-8"))
    editor_.fill("URL:", "https://en.mehrnews.com/news/126484/")
    editor_.fill("Publisher:", "Mehr News Agency")
    editor_.fill("Published on:", "23/07/2017")
    editor_.fill("Language:", "en")
    editor_.click("Read the report")

    # The proposal, with the words each value came from; nothing saved yet.
    expect(page.locator("#id_date_note")).to_have_value(
        "“on Sunday” in a report published 23 July 2017: the latest Sunday on or before it, 23 July 2017"
    )
    expect(page.locator("#participant-0")).to_contain_text("“Hossein Dehqan”")
    expect(page.locator("#participant-1")).to_contain_text("“al-Hiyali”")
    assert Agreement.objects.count() == 0
    screenshot(page, "intake-proposal")
    editor_.click("Save agreement")

    expect(page.locator(".messagelist")).to_contain_text("was added from the report")
    assert editor_.count <= MOST, f"{editor_.count} interactions"
    agreement = Agreement.objects.with_details().get()
    assert page.url.endswith(f"/admin/agreements/agreement/{agreement.pk}/change/")
    assert (agreement.party_a_id, agreement.party_b_id, agreement.status) == ("IQ", "IR", "signed")
    assert (str(agreement.signed_on_display), agreement.place_of_signature) == ("23 July 2017", "Tehran")
    signatories = {p.person.name: p for p in agreement.participants.all()}
    assert set(signatories) == {"Hossein Dehqan", "Erfan Mahmoud al-Hayali"}
    assert signatories["Hossein Dehqan"].person == dehqan  # the known one, not a second Dehqan
    spellings = {
        name: {name, *Person.objects.get(name=name).other_names.values_list("name", flat=True)}
        for name in signatories
    }
    assert spellings == {
        "Hossein Dehqan": {"Hossein Dehqan", "Hossein Dehghan"},
        "Erfan Mahmoud al-Hayali": {"Erfan Mahmoud al-Hayali", "al-Hiyali"},
    }
    assert [c.text for c in agreement.clauses.all()] == [
        "Share their experiences in the fight against terrorism.",
        "Cooperate to boost border security.",
        "Provide logistical, technical and military support for each other.",
    ]
    source = agreement.citations.get().source
    assert (source.publisher, source.licence, str(source.published_on)) == (
        "Mehr News Agency",
        "CC BY 4.0",
        "2017-07-23",
    )
    assert all(part.source == source for part in [*agreement.participants.all(), *agreement.clauses.all()])
    screenshot(page, "intake-saved")
