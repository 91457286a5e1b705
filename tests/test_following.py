"""Keeping up with a pair (issue 18): the outbox's categories, the Atom feeds, the commitment
alerts, watches, and the e-mail digests with their unsubscribe link."""

from __future__ import annotations

import dataclasses
import datetime

import feedparser
import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.choices import ImplementationKind
from agreements.dates import PartialDate
from agreements.models import ChangeEvent, Digest, Reader, Watch
from agreements.models.changes import ChangeKind
from agreements.models.watches import DigestPeriod, DigestState
from agreements.notify import digests as notify
from agreements.notify.links import unsubscribe_token
from agreements.services import ClauseIn, CommitmentIn, ImplementationEventIn, agreement_update
from agreements.services.inputs import agreement_to_input
from agreements.services.watches import watch_add

from .factories import category, make_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user(
        "vi", email="vi@example.org", password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Viewers"))
    return user


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def retitle(agreement, title: str):
    data = agreement_to_input(agreement)
    return agreement_update(agreement=agreement, data=dataclasses.replace(data, title=title))


def logistics_agreement(**fields):
    clause = ClauseIn(1, "The parties exchange fuel.", categories=[category("logistics")])
    return make_agreement(clauses=[clause], **fields)


# The outbox ------------------------------------------------------------------------------


def test_every_event_carries_its_categories_as_rows():
    agreement = logistics_agreement()
    retitle(agreement, "Memorandum on fuel")
    events = ChangeEvent.objects.filter(agreement_id=agreement.pk)
    assert [e.kind for e in events] == [ChangeKind.AGREEMENT_ADDED, ChangeKind.FACT_CORRECTED]
    for event in events:
        assert "logistics" in event.categories
        assert set(event.category_tags.values_list("slug", flat=True)) == set(event.categories)
    assert set(ChangeEvent.objects.in_category("logistics")) == set(events)


def test_a_status_change_says_from_what_to_what_and_on_which_day():
    agreement = make_agreement(signed=None)
    data = agreement_to_input(agreement)
    from agreements.choices import EventType
    from agreements.services import EventIn

    signed = EventIn(EventType.SIGNED, PartialDate(datetime.date(2017, 7, 23)))
    agreement_update(agreement=agreement, data=dataclasses.replace(data, events=[signed]))
    event = ChangeEvent.objects.get(agreement_id=agreement.pk, kind=ChangeKind.STATUS_CHANGED)
    assert event.summary.endswith("→ Signed on 23 July 2017")
    assert event.details["date"] == "2017-07-23"


# Feeds -----------------------------------------------------------------------------------


def test_the_pair_feed_is_valid_atom_with_the_changes_newest_first(client):
    agreement = logistics_agreement()
    retitle(agreement, "Memorandum on fuel supplies")
    make_agreement(parties=("TR", "SY"), title="Not this pair")
    response = client.get("/reports/pairs/IQ-IR/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Iran and Iraq · Bilateral agreement tracker"
    titles = [entry.title for entry in feed.entries]
    assert len(titles) == 2
    assert "Fact corrected" in titles[0]
    assert "Memorandum on military cooperation" in feed.entries[0].summary
    assert "Memorandum on fuel supplies" in feed.entries[0].summary
    assert feed.entries[0].link.endswith(f"/agreements/{agreement.pk}/")
    assert {tag.term for tag in feed.entries[0].tags} >= {"fact_corrected", "logistics"}
    # Either order of the pair is the same feed.
    other = feedparser.parse(client.get("/reports/pairs/IR-IQ/feed/").content)
    assert [entry.id for entry in other.entries] == [entry.id for entry in feed.entries]


def test_feeds_answer_a_conditional_get_with_a_304_after_one_query(client, django_assert_num_queries):
    logistics_agreement()
    first = client.get("/reports/pairs/IR-IQ/feed/")
    etag, modified = first["ETag"], first["Last-Modified"]
    with django_assert_num_queries(2):  # the two countries, the newest event
        assert client.get("/reports/pairs/IR-IQ/feed/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/reports/pairs/IR-IQ/feed/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    retitle(make_agreement(title="Another"), "Another, corrected")
    assert client.get("/reports/pairs/IR-IQ/feed/", HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("changes", [2, 12])
def test_a_feed_reads_the_outbox_in_a_pinned_number_of_queries(client, django_assert_num_queries, changes):
    agreement = logistics_agreement()
    for index in range(changes - 1):
        agreement = retitle(agreement, f"Memorandum, version {index}")
    # The countries; the newest event (ETag); the entries; the names of their countries.
    with django_assert_num_queries(4):
        assert client.get("/reports/pairs/IR-IQ/feed/").status_code == 200
    with django_assert_num_queries(4):  # the category instead of the countries
        assert client.get("/reports/categories/logistics/feed/").status_code == 200


def test_every_feed_and_its_alternate_link(client):
    logistics_agreement()
    for url in [
        "/reports/feed/",
        "/reports/countries/IR/feed/",
        "/reports/categories/logistics/feed/",
        "/reports/commitments/due-soon/feed/",
        "/reports/commitments/overdue/feed/",
    ]:
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo, (url, feed.bozo_exception)
    page = client.get("/reports/pairs/IR-IQ/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/reports/pairs/IR-IQ/feed/"' in page  # the page's order: names alphabetical
    changes = client.get("/reports/pairs/IR-IQ/changes/").content.decode()
    assert 'href="/reports/pairs/IR-IQ/feed/"' in changes
    assert 'href="/reports/countries/IR/feed/"' in client.get("/reports/countries/IR/").content.decode()
    commitments = client.get("/reports/commitments/").content.decode()
    assert 'href="/reports/commitments/overdue/feed/"' in commitments


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/reports/pairs/IR-XX/feed/", 404),
        ("/reports/pairs/IR-IR/feed/", 404),
        ("/reports/countries/XX/feed/", 404),
        ("/reports/categories/nothing-like-it/feed/", 404),
        ("/reports/commitments/someday/feed/", 404),
    ],
)
def test_a_feed_of_nothing_known_is_a_404_naming_why(client, url, status):
    response = client.get(url)
    assert response.status_code == status


# Commitment alerts -----------------------------------------------------------------------


def with_commitment(due: datetime.date):
    commitment = CommitmentIn(1, "Iraq opens a liaison office.", party="IQ", due=PartialDate(due))
    return make_agreement(commitments=[commitment])


def test_alerts_are_made_once_per_commitment_and_due_date():
    agreement = with_commitment(datetime.date(2026, 12, 20))
    call_command("emit_commitment_alerts", as_of="2026-12-01", stdout=None)
    soon = ChangeEvent.objects.filter(kind=ChangeKind.COMMITMENT_DUE_SOON)
    assert soon.count() == 1
    assert "falls due 20 December 2026 (in 19 days)" in soon.get().summary
    call_command("emit_commitment_alerts", as_of="2026-12-02", stdout=None)
    assert soon.count() == 1
    # Overdue, once.
    call_command("emit_commitment_alerts", as_of="2027-01-05", stdout=None)
    call_command("emit_commitment_alerts", as_of="2027-01-06", stdout=None)
    overdue = ChangeEvent.objects.filter(kind=ChangeKind.COMMITMENT_OVERDUE)
    assert overdue.count() == 1
    assert overdue.get().once_key.startswith(f"commitment_overdue:{agreement.commitments.get().pk}:")
    # An extension is a new due date: it may fall due (and be missed) again.
    data = agreement_to_input(agreement)
    reported, new_due = PartialDate(datetime.date(2027, 1, 10)), PartialDate(datetime.date(2027, 2, 1))
    extended = ImplementationEventIn(ImplementationKind.EXTENDED, reported, new_due=new_due)
    commitment = dataclasses.replace(data.commitments[0], events=[extended])
    agreement_update(agreement=agreement, data=dataclasses.replace(data, commitments=[commitment]))
    call_command("emit_commitment_alerts", as_of="2027-01-20", stdout=None)
    assert soon.count() == 2


def test_the_alert_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="as-of"):
        call_command("emit_commitment_alerts", as_of="20 Dec")


def test_alerts_reach_the_commitment_feeds(client):
    with_commitment(datetime.date(2026, 12, 20))
    call_command("emit_commitment_alerts", as_of="2026-12-01", stdout=None)
    feed = feedparser.parse(client.get("/reports/commitments/due-soon/feed/").content)
    assert [entry.title for entry in feed.entries] == [
        "Iran and Iraq: Commitment falling due — Memorandum on military cooperation"
    ]
    assert feedparser.parse(client.get("/reports/commitments/overdue/feed/").content).entries == []


# Watches ---------------------------------------------------------------------------------


def test_a_viewer_watches_a_pair_from_its_page_in_either_order(viewer_client, viewer):
    page = viewer_client.get("/reports/pairs/IR-IQ/").content.decode()
    assert "Watch this pair" in page
    response = viewer_client.post(
        "/watches/", {"action": "add", "kind": "pair", "a": "IR", "b": "IQ", "next": "/reports/pairs/IR-IQ/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/reports/pairs/IR-IQ/"
    watch = Watch.objects.get(user=viewer)
    assert (watch.party_a_id, watch.party_b_id) == ("IQ", "IR")
    assert "Stop watching" in viewer_client.get("/reports/pairs/IR-IQ/").content.decode()
    # Twice is once.
    viewer_client.post("/watches/", {"action": "add", "kind": "pair", "a": "IQ", "b": "IR"})
    assert Watch.objects.filter(user=viewer).count() == 1
    # A watch starts the digest from now.
    assert Reader.objects.get(user=viewer).period == DigestPeriod.DAILY


def test_my_watches_links_a_pair_page_and_feed_under_their_one_url(viewer_client, viewer):
    watch_add(user=viewer, pair=("IQ", "IR"))  # stored in the codes' order, IQ–IR
    page = viewer_client.get("/watches/").content.decode()
    # The names' order, as every page links a pair: no redirect on the way to the page.
    assert '<a href="/reports/pairs/IR-IQ/">Iran and Iraq</a>' in page
    assert 'href="/reports/pairs/IR-IQ/feed/"' in page
    assert "/reports/pairs/IQ-IR/" not in page
    assert viewer_client.get("/reports/pairs/IR-IQ/").status_code == 200


def test_the_message_after_watching_is_announced_and_still_a_list(viewer_client):
    # role="status" on the <ul> itself took its list semantics away (axe: "listitem", serious).
    page = viewer_client.post(
        "/watches/",
        {"action": "add", "kind": "pair", "a": "IR", "b": "IQ", "next": "/reports/pairs/IR-IQ/"},
        follow=True,
    ).content.decode()
    assert '<div role="status"><ul class="messages"><li>You watch Iran and Iraq.</li></ul></div>' in page


def test_watch_requests_that_cannot_be_used_are_400s_naming_the_field(viewer_client, viewer):
    same = viewer_client.post("/watches/", {"action": "add", "kind": "pair", "a": "IR", "b": "IR"})
    assert same.status_code == 400
    response = viewer_client.post("/watches/", {"action": "add", "kind": "country", "country": "XX"})
    assert response.status_code == 400
    assert "country" in response.content.decode()
    assert viewer_client.post("/watches/", {"action": "dance"}).status_code == 400
    assert not Watch.objects.exists()


def test_an_open_redirect_is_not_followed(viewer_client):
    response = viewer_client.post(
        "/watches/", {"action": "add", "kind": "country", "country": "IR", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/watches/"


def test_only_ones_own_watches_can_be_removed(viewer_client, viewer, editor):
    theirs = watch_add(user=editor, country="IR")
    assert viewer_client.post("/watches/", {"action": "remove", "watch": theirs.pk}).status_code == 404
    mine = watch_add(user=viewer, country="IR")
    assert viewer_client.post("/watches/", {"action": "remove", "watch": mine.pk}).status_code == 302
    assert list(Watch.objects.all()) == [theirs]


def test_signing_in_is_needed_to_watch(client):
    assert client.get("/watches/").status_code == 302
    assert "Sign in to watch" in client.get("/reports/pairs/IR-IQ/").content.decode()
    assert client.post("/watches/", {"action": "add", "kind": "country", "country": "IR"}).status_code == 302
    assert not Watch.objects.exists()


def test_readers_sign_in_on_the_site_without_staff_rights(client, django_user_model):
    django_user_model.objects.create_user("reader", password="correct horse battery")
    response = client.post("/accounts/login/", {"username": "reader", "password": "correct horse battery"})
    assert response.status_code == 302
    assert response["Location"] == "/watches/"
    assert client.get("/watches/").status_code == 200


def test_a_viewer_watches_in_the_admin_and_sees_only_their_own(viewer_client, viewer, editor):
    watch_add(user=editor, country="TR")
    response = viewer_client.post("/admin/agreements/watch/add/", {"party_a": "IR", "party_b": "IQ"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Watch.objects.get(user=viewer).party_a_id == "IQ"
    listing = viewer_client.get("/admin/agreements/watch/").content.decode()
    assert "Iran and Iraq" in listing
    assert "Türkiye" not in listing
    assert "Turkey" not in listing
    refused = viewer_client.post("/admin/agreements/watch/add/", {"party_a": "IR"})
    assert refused.status_code == 200
    assert "A pair needs both countries." in refused.content.decode()


# Digests ---------------------------------------------------------------------------------


def test_a_digest_tells_the_changes_to_what_one_watches_once(viewer):
    agreement = logistics_agreement()
    watch_add(user=viewer, pair=("IR", "IQ"))
    retitle(agreement, "Memorandum on fuel supplies")
    make_agreement(parties=("TR", "SY"), title="Not watched")
    call_command("send_digests", period="daily", stdout=None)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["vi@example.org"]
    assert message.subject == "1 change to what you watch: Iran and Iraq"
    assert "Memorandum on fuel supplies" in message.body
    assert "Not watched" not in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "Memorandum on fuel supplies" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Digest.objects.get().state == DigestState.SENT
    # Never twice.
    call_command("send_digests", period="daily", stdout=None)
    assert len(mail.outbox) == 1
    # Weekly readers are not served by the daily run.
    watch_add(user=viewer, country="TR")
    Reader.objects.filter(user=viewer).update(period=DigestPeriod.WEEKLY)
    retitle(agreement, "Memorandum on fuel")
    call_command("send_digests", period="daily", stdout=None)
    assert len(mail.outbox) == 1
    call_command("send_digests", period="weekly", stdout=None)
    assert len(mail.outbox) == 2


def readers(django_user_model, count: int) -> list:
    users = [
        django_user_model.objects.create_user(f"r{index}", email=f"r{index}@example.org")
        for index in range(count)
    ]
    for user in users:
        watch_add(user=user, pair=("IR", "IQ"))
    return users


def test_a_run_stopped_halfway_tells_nobody_twice(django_user_model, monkeypatch):
    readers(django_user_model, 4)
    make_agreement()
    sent = []
    real_send = notify.EmailMultiAlternatives.send

    def send_then_die(message, *args, **kwargs):
        real_send(message, *args, **kwargs)
        sent.append(message.to[0])
        if len(sent) == 2:
            raise KeyboardInterrupt  # the process is stopped while telling the second reader

    monkeypatch.setattr(notify.EmailMultiAlternatives, "send", send_then_die)
    with pytest.raises(KeyboardInterrupt):
        call_command("send_digests", period="daily", stdout=None)
    monkeypatch.setattr(notify.EmailMultiAlternatives, "send", real_send)
    call_command("send_digests", period="daily", stdout=None)
    recipients = [message.to[0] for message in mail.outbox]
    assert sorted(recipients) == [f"r{index}@example.org" for index in range(4)]
    # The second reader's digest is left "sending" (the mail went): never sent again.
    assert Digest.objects.filter(state=DigestState.SENDING).count() == 1
    assert Digest.objects.filter(state=DigestState.SENT).count() == 3


def test_a_digest_that_failed_to_send_is_told_by_the_next(django_user_model, monkeypatch):
    readers(django_user_model, 1)
    make_agreement()

    def refuse(message, *args, **kwargs):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(notify.EmailMultiAlternatives, "send", refuse)
    call_command("send_digests", period="daily", stdout=None)
    failed = Digest.objects.get()
    assert failed.state == DigestState.FAILED
    assert "mail server is down" in failed.error
    monkeypatch.undo()
    call_command("send_digests", period="daily", stdout=None)
    assert len(mail.outbox) == 1
    assert Digest.objects.filter(state=DigestState.SENT).get().up_to == failed.up_to


@pytest.mark.parametrize("changes", [1, 15])
def test_a_digest_reads_the_outbox_in_a_pinned_number_of_queries(django_user_model, changes):
    (_user,) = readers(django_user_model, 1)
    agreement = make_agreement()
    for index in range(changes - 1):
        agreement = retitle(agreement, f"Memorandum, version {index}")
    with CaptureQueriesContext(connection) as queries:
        call_command("send_digests", period="daily", stdout=None)
    assert len(mail.outbox) == 1
    # Latest id; readers; per reader: lock, changes, digest, cursor, names, watches, sent
    # (plus the transaction's own statements on SQLite).
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN"))]
    assert len(statements) == 9, "\n".join(statements)


def test_the_unsubscribe_link_works_without_signing_in_and_only_for_its_reader(client, viewer):
    watch_add(user=viewer, country="IR")
    url = f"/watches/unsubscribe/{unsubscribe_token(viewer.pk)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Unsubscribe" in page.content.decode()
    assert Reader.objects.get(user=viewer).period == DigestPeriod.DAILY  # a GET changes nothing
    assert client.post(url).status_code == 200
    assert Reader.objects.get(user=viewer).period == DigestPeriod.NEVER
    assert Watch.objects.filter(user=viewer).exists()
    assert client.post("/watches/unsubscribe/forged:token/").status_code == 400
    make_agreement()
    call_command("send_digests", period="daily", stdout=None)
    assert mail.outbox == []


def test_the_digest_period_is_set_on_my_watches(viewer_client, viewer):
    assert viewer_client.get("/watches/").status_code == 200
    viewer_client.post("/watches/", {"action": "period", "period": "weekly"})
    assert Reader.objects.get(user=viewer).period == DigestPeriod.WEEKLY
    assert viewer_client.post("/watches/", {"action": "period", "period": "hourly"}).status_code == 400


def test_the_admin_names_watches_in_english(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert ">Watches<" in page
    assert "Watchs" not in page
