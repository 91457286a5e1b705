"""Journey: an analyst keeps up with Iran and Iraq (issue 18).

A viewer watches the pair from its report page; an editor corrects an agreement of the pair
in the admin; the daily ``send_digests`` run e-mails the viewer one digest naming the
correction, and a second run sends nothing; the digest's unsubscribe link works in a browser
that never signed in; the pair's Atom feed, read by a real parser, shows the correction and
answers a reader polling with its ETag with a 304.

The server never sends mail here: the digests go from this process (``call_command``), with
pytest-django's in-memory backend (``mailoutbox``), and their links point at the server
(``SITE_URL``), as a cron job's would point at the site.
"""

import re
from io import StringIO

import feedparser
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agreements.models import Agreement, ChangeEvent, Reader, Watch
from agreements.models.changes import ChangeKind
from agreements.models.watches import DigestPeriod

from .accessibility import assert_accessible
from .conftest import make_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OLD_TITLE = "Border cooperation memorandum"
NEW_TITLE = "Memorandum of understanding on border cooperation"
PAIR_PAGE = "/reports/pairs/IR-IQ/"
PAIR_FEED = "/reports/pairs/IR-IQ/feed/"


def test_a_viewer_watches_iran_and_iraq_and_hears_of_an_editors_correction_once(
    new_context, log_in, site, settings, mailoutbox, demo_data
):
    settings.SITE_URL = site.url
    viewer = make_user("analyst", "Viewers")
    viewer.email = "analyst@example.org"
    viewer.save(update_fields=["email"])

    # The viewer watches the pair from its report page.
    reading = new_context().new_page()
    log_in(reading.context, viewer)
    reading.goto(PAIR_PAGE)
    expect(reading.get_by_role("heading", level=1)).to_have_text("Iran and Iraq")
    alternate = reading.locator('head link[rel="alternate"][type="application/atom+xml"]')
    expect(alternate).to_have_attribute("href", PAIR_FEED)
    reading.get_by_role("button", name="Watch this pair").click()

    expect(reading.locator(".messages")).to_contain_text("You watch Iran and Iraq")
    assert reading.url == site.url + PAIR_PAGE  # back where the button was
    expect(reading.get_by_role("button", name="Stop watching")).to_be_visible()
    assert_accessible(reading, "pair page, watched")
    screenshot(reading, "keep-up-watching")
    watch = Watch.objects.get(user=viewer)
    assert (watch.party_a_id, watch.party_b_id) == ("IQ", "IR")
    reader = Reader.objects.get(user=viewer)
    assert reader.period == DigestPeriod.DAILY
    # What was recorded before the watch (the import) is not news to them.
    assert reader.told_up_to == ChangeEvent.objects.latest("id").id

    # An editor corrects the title of one of the pair's agreements.
    agreement = Agreement.objects.get(title=OLD_TITLE)
    editing = new_context().new_page()
    log_in(editing.context, make_user("editor", "Editors"))
    editing.goto(f"/admin/agreements/agreement/{agreement.pk}/change/")
    editing.get_by_label("Title").fill(NEW_TITLE)
    editing.get_by_role("button", name="Save", exact=True).click()
    expect(editing.locator(".messagelist .success")).to_contain_text("was changed successfully")
    correction = ChangeEvent.objects.filter(agreement_id=agreement.pk).latest("id")
    assert correction.kind == ChangeKind.FACT_CORRECTED
    assert correction.summary == f"Title corrected: “{OLD_TITLE}” → “{NEW_TITLE}”"

    # The daily digests: one e-mail, naming the correction and where to read it.
    told = StringIO()
    call_command("send_digests", "--period", "daily", stdout=told)
    assert told.getvalue().startswith("1 digest(s) sent, 0 failed")
    assert len(mailoutbox) == 1
    digest = mailoutbox[0]
    assert digest.to == ["analyst@example.org"]
    assert digest.subject == "1 change to what you watch: Iran and Iraq"
    assert f"Title corrected: “{OLD_TITLE}” → “{NEW_TITLE}”" in digest.body
    assert f"{site.url}/agreements/{agreement.pk}/" in digest.body
    html, kind = digest.alternatives[0]
    assert kind == "text/html"
    assert NEW_TITLE in html
    # The same changes are never told twice: the next run finds nothing to send.
    call_command("send_digests", "--period", "daily", stdout=StringIO())
    assert len(mailoutbox) == 1

    # The unsubscribe link, opened in a browser that never signed in: it asks, then stops the mail.
    link = re.search(r"Unsubscribe \(one click, no sign-in\): (\S+)", digest.body).group(1)
    assert digest.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert link.startswith(f"{site.url}/watches/unsubscribe/")
    mail_reader = new_context().new_page()
    mail_reader.goto(link)
    asked = "Stop the e-mail digests sent to analyst@example.org?"
    expect(mail_reader.locator("main")).to_contain_text(asked)
    assert_accessible(mail_reader, "unsubscribe, asking")
    assert Reader.objects.get(user=viewer).period == DigestPeriod.DAILY  # opening the link is not enough
    mail_reader.get_by_role("button", name="Unsubscribe").click()
    expect(mail_reader.locator("main")).to_contain_text("No more digests will be sent to analyst@example.org")
    assert_accessible(mail_reader, "unsubscribe, done")
    screenshot(mail_reader, "keep-up-unsubscribed")
    assert Reader.objects.get(user=viewer).period == DigestPeriod.NEVER
    assert Watch.objects.filter(user=viewer).count() == 1  # the watch stays: the feed still has it

    # The pair's feed, as a feed reader fetches it (anonymous), shows the correction first.
    answer = mail_reader.request.get(PAIR_FEED)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.body())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Iran and Iraq · Bilateral agreement tracker"
    newest = feed.entries[0]
    assert newest.title == f"Iran and Iraq: Fact corrected — {NEW_TITLE}"
    assert newest.summary == f"Title corrected: “{OLD_TITLE}” → “{NEW_TITLE}”"
    assert newest.link == f"{site.url}/agreements/{agreement.pk}/"
    # A reader polling again with the ETag it was given is told nothing changed.
    again = mail_reader.request.get(PAIR_FEED, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status == 304
    assert again.body() == b""
