"""Journey 1: an editor enters the 2017 Iran–Iraq memorandum from the Mehr News article.

The article (shared/examples/iran-iraq-military-cooperation-2017.txt) names Hossein Dehqan,
already in the tracker under that spelling and as "Hossein Dehghan", and Erfan Mahmoud
al-Hayali, who is new. Everything is typed into the admin as a person would.
"""

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement, Person, PersonName

from ..factories import PersonFactory
from .admin_ui import add_row, autocomplete, chosen
from .conftest import PASSWORD, make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_editor_enters_the_2017_memorandum_from_the_article(page):
    make_user("editor", "Editors")
    dehqan = PersonFactory(name="Hossein Dehqan")
    PersonName.objects.create(person=dehqan, name="Hossein Dehghan", kind="transliteration")

    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Agreements, people and sources")).to_be_visible()

    page.get_by_role("link", name="Agreements", exact=True).click()
    page.get_by_role("link", name="Add agreement").click()
    page.get_by_label("Title").fill("Memorandum of understanding on military cooperation")
    page.get_by_label("Kind").select_option(label="Memorandum of understanding")
    autocomplete(page, "id_party_a", "Iran", "Iran")
    autocomplete(page, "id_party_b", "Iraq", "Iraq")
    page.get_by_label("Place of signature").fill("Tehran")

    # The minister the tracker knows, found by the spelling the editor happens to type.
    row = add_row(page, "participants")
    autocomplete(page, f"id_participants-{row}-person", "Dehghan", "Hossein Dehqan")
    autocomplete(page, f"id_participants-{row}-party", "Iran", "Iran")
    page.locator(f"#id_participants-{row}-office").fill("Minister of Defence")
    page.locator(f"#id_participants-{row}-rank").fill("Brigadier General")

    # His Iraqi counterpart is new: added in the "+" pop-up, with the article's other spelling.
    row = add_row(page, "participants")
    with page.expect_popup() as opened:
        page.locator(f"#add_id_participants-{row}-person").click()
    popup = opened.value
    popup.locator("#id_name").fill("Erfan Mahmoud al-Hayali")
    popup.locator("#id_other_names-0-name").fill("al-Hiyali")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Save", exact=True).click()
    expect(chosen(page, f"id_participants-{row}-person")).to_contain_text("Erfan Mahmoud al-Hayali")
    autocomplete(page, f"id_participants-{row}-party", "Iraq", "Iraq")
    page.locator(f"#id_participants-{row}-office").fill("Minister of Defence")

    clauses = [
        ("Share their experiences in the fight against terrorism.", [("counter", "Counterterrorism")]),
        ("Cooperate to boost border security.", [("border", "Border security")]),
        (
            "Provide logistical, technical and military support for each other.",
            [("logist", "Logistics"), ("technical", "Technical assistance")],
        ),
    ]
    for position, (text, categories) in enumerate(clauses, start=1):
        row = add_row(page, "clauses")
        page.locator(f"#id_clauses-{row}-position").fill(str(position))
        page.locator(f"#id_clauses-{row}-text").fill(text)
        for typed, name in categories:
            autocomplete(page, f"id_clauses-{row}-categories", typed, name)

    # The signature "on Sunday", in a report of that week: 23 July 2017, to the day, with its source.
    row = add_row(page, "events")
    page.locator(f"#id_events-{row}-status").select_option("signed")
    page.locator(f"#id_events-{row}-date").fill("23/07/2017")
    page.locator(f"#id_events-{row}-date_precision").select_option("day")
    page.locator(f"#id_events-{row}-date_note").fill("“on Sunday” in the report of that week")
    with page.expect_popup() as opened:
        page.locator(f"#add_id_events-{row}-source").click()
    popup = opened.value
    popup.get_by_label("Title").fill("[Iran and Iraq sign initial agreement to boost military cooperation]")
    popup.get_by_label("Publisher").fill("Mehr News Agency")
    popup.get_by_label("Licence").fill("CC BY 4.0")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Save", exact=True).click()
    expect(chosen(page, f"id_events-{row}-source")).to_contain_text("Mehr News Agency")

    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page.locator(".fieldBox.field-status .readonly")).to_have_text("Signed")
    expect(page.locator(".fieldBox.field-signed_display .readonly")).to_have_text("23 July 2017")
    screenshot(page, "1-enter-memorandum")

    agreement = Agreement.objects.get()
    assert (agreement.party_a_id, agreement.party_b_id, agreement.status) == ("IQ", "IR", "signed")
    signatories = {s.person.name: s.party_id for s in agreement.participants.select_related("person")}
    assert signatories == {"Hossein Dehqan": "IR", "Erfan Mahmoud al-Hayali": "IQ"}
    assert Person.objects.get(name="Erfan Mahmoud al-Hayali").other_names.get().name == "al-Hiyali"
    assert [
        sorted(c.categories.values_list("slug", flat=True)) for c in agreement.clauses.order_by("position")
    ] == [["counterterrorism"], ["border-security"], ["logistics", "technical-assistance"]]
    event = agreement.events.get()
    assert (str(event.date), event.date_precision, event.source.publisher) == (
        "2017-07-23",
        "day",
        "Mehr News Agency",
    )
    # The event's source is cited on the agreement without the editor adding it twice.
    assert agreement.citations.get().source == event.source
