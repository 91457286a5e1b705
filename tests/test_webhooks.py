"""Signed webhooks from the outbox (issue 18): the subscriptions' rules, and delivery end to
end to a receiver on loopback started by the test — in order, signed, retried after a 500 or
a timeout, given up after the retry window (a clock the test moves), nothing sent twice."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from agreements.models import ChangeEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from agreements.models.webhooks import AttemptOutcome, DeliveryState, SubscriptionState
from agreements.notify.webhooks import Sender, Worker, signature
from agreements.services import agreement_update
from agreements.services.inputs import agreement_to_input
from agreements.services.webhooks import (
    RetryPolicy,
    WebhookIn,
    target_problem,
    webhook_create,
    webhook_update,
)

from .factories import make_agreement
from .servers import free_port
from .webhook_receiver import receiver

pytestmark = pytest.mark.django_db

SECRET = "a-secret-of-thirty-two-characters"


class Clock:
    """The worker's time, moved by the test."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


def no_jitter(low: float, high: float) -> float:
    return high


def policy(**values) -> RetryPolicy:
    return RetryPolicy(**{"base": 10.0, "cap": 3600.0, "window": 86400.0, "jitter": no_jitter, **values})


def subscribe(owner, url: str, **values) -> WebhookSubscription:
    return webhook_create(owner=owner, data=WebhookIn(target_url=url, secret=SECRET, **values))


def retitle(agreement, title: str):
    data = agreement_to_input(agreement)
    return agreement_update(agreement=agreement, data=dataclasses.replace(data, title=title))


def verify(secret: str, body: bytes, header: str) -> bool:
    """The receiver's check, as docs/api.md shows it."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


# Subscriptions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fine"),
    [
        ("https://hooks.example.org/in", True),
        ("http://127.0.0.1:8631/hook", True),
        ("http://localhost/hook", True),
        ("http://[::1]:8000/", True),
        ("http://hooks.example.org/in", False),
        ("http://10.0.0.1/in", False),
        ("ftp://hooks.example.org/", False),
        ("https://user:pw@hooks.example.org/", False),
        ("https:///no-host", False),
        ("https://hooks.example.org:99999/", False),
    ],
)
def test_https_is_required_unless_the_target_is_loopback(url, fine):
    assert (target_problem(url) is None) is fine


def test_bad_filter_values_are_refused_at_their_path_and_nothing_is_written(editor):
    data = WebhookIn(
        target_url="http://example.org/in",
        pairs=["IQ-IR", "IR-IR", "IRIQ", "IQ-XX"],
        countries=["IQ", "ZZ"],
        categories=["logistics", "no-such"],
        kinds=["status_changed", "exploded"],
        secret="short",
        state="failing",
    )
    with pytest.raises(ValidationError) as refusal:
        webhook_create(owner=editor, data=data)
    errors = refusal.value.message_dict
    assert set(errors) == {
        "target_url",
        "pairs[1]",
        "pairs[2]",
        "pairs[3]",
        "countries[1]",
        "categories[1]",
        "kinds[1]",
        "secret",
        "state",
    }
    assert "https" in errors["target_url"][0]
    assert "XX" in errors["pairs[3]"][0]
    assert not WebhookSubscription.objects.exists()


def test_a_subscription_stores_its_filter_in_one_spelling_and_gets_a_secret(editor):
    made = webhook_create(
        owner=editor,
        data=WebhookIn(target_url="https://h.example.org/", pairs=["ir-iq", "IQ-IR"], countries=["tr"]),
    )
    assert made.pairs == ["IQ-IR"]
    assert made.countries == ["TR"]
    assert len(made.secret) >= 32


# Delivery --------------------------------------------------------------------------------


def test_signed_events_arrive_in_order_with_the_agreements_url(editor):
    with receiver() as hook:
        subscription = subscribe(editor, hook.url)
        agreement = make_agreement()
        retitle(agreement, "Memorandum on military cooperation (amended)")
        events = list(ChangeEvent.objects.filter(id__gt=0).order_by("id").values_list("id", "kind"))
        done = Worker(clock=Clock(), policy=policy()).run(once=True)

    assert done.delivered == len(events) == len(hook.received) >= 2
    told = [(r.json["event"]["id"], r.json["event"]["kind"]) for r in hook.received]
    assert told == events
    for request in hook.received:
        assert verify(SECRET, request.body, request.headers["X-Signature-256"])
        assert request.headers["X-Webhook-Delivery"] == request.json["delivery"]
        assert request.headers["X-Webhook-Attempt"] == "1"
        assert request.json["webhook"] == subscription.pk
        assert request.json["agreement"]["url"].endswith(f"/agreements/{agreement.pk}/")
    assert not verify(
        "another-secret-of-some-length", hook.received[0].body, hook.received[0].headers["X-Signature-256"]
    )
    assert WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).count() == len(events)
    assert WebhookAttempt.objects.filter(outcome=AttemptOutcome.DELIVERED, response_code=200).count() == len(
        events
    )


def test_a_subscription_hears_only_of_what_its_filter_lets_through(editor):
    with receiver() as hook:
        subscribe(editor, hook.url, pairs=["IQ-IR"], kinds=["agreement_added"])
        make_agreement(title="Iraq and Iran agree")
        make_agreement(title="Iraq and Turkey agree", parties=("IQ", "TR"))
        retitle(make_agreement(title="Iran and Iraq again"), "Renamed")
        Worker(clock=Clock(), policy=policy()).run(once=True)
    told = [(r.json["agreement"]["title"], r.json["event"]["kind"]) for r in hook.received]
    assert told == [("Iraq and Iran agree", "agreement_added"), ("Iran and Iraq again", "agreement_added")]


def test_a_subscription_starts_with_the_changes_after_it_was_made(editor):
    make_agreement(title="Before")
    with receiver() as hook:
        subscribe(editor, hook.url)
        make_agreement(title="After")
        Worker(clock=Clock(), policy=policy()).run(once=True)
    assert [r.json["agreement"]["title"] for r in hook.received] == ["After"]


def test_a_500_is_tried_again_after_the_back_off_and_the_next_events_wait(editor):
    answers = iter([500, 200, 200, 200, 200, 200])
    clock = Clock()
    with receiver(lambda n, body: (next(answers), 0.0)) as hook:
        subscribe(editor, hook.url)
        make_agreement(title="First")
        make_agreement(title="Second")
        worker = Worker(clock=clock, policy=policy())
        worker.run(once=True)
        assert len(hook.received) == 1  # the second waits behind the first
        clock.advance(9)
        worker.run(once=True)
        assert len(hook.received) == 1  # not due yet (10 s back-off)
        clock.advance(2)
        worker.run(once=True)

    titles = [r.json["agreement"]["title"] for r in hook.received]
    assert titles == ["First", "First", "Second"]
    first, again = hook.received[0], hook.received[1]
    assert first.headers["X-Webhook-Delivery"] == again.headers["X-Webhook-Delivery"]  # idempotency key
    assert again.headers["X-Webhook-Attempt"] == "2"
    assert first.body == again.body
    log = list(WebhookAttempt.objects.order_by("id").values_list("number", "outcome", "response_code"))
    assert log == [(1, "refused", 500), (2, "delivered", 200), (1, "delivered", 200)]
    assert WebhookAttempt.objects.first().error == ""
    assert WebhookAttempt.objects.order_by("id").first().error == "receiver says no"


def test_back_off_doubles_with_jitter_and_is_capped():
    fixed = RetryPolicy(base=10, cap=100, window=1000, jitter=no_jitter)
    assert [fixed.delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 100]
    spread = RetryPolicy(base=10, cap=100, window=1000)
    waits = {spread.delay(3).total_seconds() for _ in range(50)}
    assert all(20 <= wait <= 40 for wait in waits)
    assert len(waits) > 1


def test_a_receiver_that_times_out_is_tried_again(editor):
    clock = Clock()
    with receiver(lambda n, body: (200, 1.0 if n == 0 else 0.0)) as hook:
        subscribe(editor, hook.url)
        make_agreement(title="Slow")
        worker = Worker(clock=clock, policy=policy(), sender=Sender(connect_timeout=1, read_timeout=0.3))
        worker.run(once=True)
        [attempt] = WebhookAttempt.objects.all()
        assert attempt.outcome == AttemptOutcome.TIMEOUT
        assert attempt.response_code is None
        clock.advance(11)
        worker.run(once=True)
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED
    assert WebhookAttempt.objects.order_by("id").last().outcome == AttemptOutcome.DELIVERED


def test_an_unreachable_receiver_is_logged_as_such(editor):
    subscribe(editor, f"http://127.0.0.1:{free_port()}/nobody-listens")
    make_agreement()
    Worker(clock=Clock(), policy=policy()).run(once=True)
    attempt = WebhookAttempt.objects.get()
    assert attempt.outcome == AttemptOutcome.UNREACHABLE
    assert attempt.error


def test_after_the_retry_window_the_subscription_is_failing_and_says_why(editor):
    clock = Clock()
    answers = {"status": 503}
    with receiver(lambda n, body: (answers["status"], 0.0)) as hook:
        subscription = subscribe(editor, hook.url)
        make_agreement(title="Never acknowledged")
        make_agreement(title="Behind it")
        worker = Worker(clock=clock, policy=policy(base=60, cap=3600, window=86400))
        for _ in range(40):
            worker.run(once=True)
            clock.advance(3600)
        subscription.refresh_from_db()
        assert subscription.state == SubscriptionState.FAILING
        assert "503" in subscription.failing_reason
        assert "not acknowledged" in subscription.failing_reason
        tries = len(hook.received)
        assert 5 < tries < 40  # about a day of doubling waits, then no more
        assert {r.json["agreement"]["title"] for r in hook.received} == {"Never acknowledged"}
        clock.advance(86400)
        worker.run(once=True)
        assert len(hook.received) == tries  # a failing subscription is left alone

        # Its owner fixes the receiver and makes it active again: nothing was lost.
        answers["status"] = 200
        data = WebhookIn(target_url=hook.url, state="active")
        webhook_update(subscription=subscription, data=data)
        assert not WebhookDelivery.objects.filter(first_failed_at__isnull=False).exists()  # a new window
        worker.run(once=True)
    titles = [r.json["agreement"]["title"] for r in hook.acknowledged()]
    assert titles == ["Never acknowledged", "Behind it"]
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.ACTIVE
    assert subscription.failing_reason == ""


def test_a_paused_subscription_queues_nothing_and_resumes_where_it_was(editor):
    with receiver() as hook:
        subscription = subscribe(editor, hook.url)
        webhook_update(subscription=subscription, data=WebhookIn(target_url=hook.url, state="paused"))
        make_agreement(title="While paused")
        Worker(clock=Clock(), policy=policy()).run(once=True)
        assert hook.received == []
        webhook_update(subscription=subscription, data=WebhookIn(target_url=hook.url, state="active"))
        Worker(clock=Clock(), policy=policy()).run(once=True)
    assert [r.json["agreement"]["title"] for r in hook.received] == ["While paused"]


def _event(pk: int, title: str, *, age: float = 0) -> ChangeEvent:
    event = ChangeEvent.objects.create(
        id=pk,
        kind="agreement_added",
        agreement_id=1,
        title=title,
        party_a="IQ",
        party_b="IR",
        summary="Added.",
    )
    if age:
        ChangeEvent.objects.filter(pk=pk).update(created_at=timezone.now() - datetime.timedelta(seconds=age))
    return event


def test_an_event_committed_late_with_a_lower_id_is_still_told_once(editor):
    """Two writes at once: the one with the higher outbox id commits first. Its event goes at
    once; the other's goes when it commits (ids are taken before commit); none is skipped,
    none told twice; the cursor passes a missing id once it has settled (a rollback)."""
    clock = Clock()
    with receiver() as hook:
        subscription = subscribe(editor, hook.url)
        start = subscription.cursor
        worker = Worker(clock=clock, policy=policy(gap_settle=30))
        _event(start + 2, "Committed first")
        worker.run(once=True)
        _event(start + 1, "Committed second")
        worker.run(once=True)
        _event(start + 4, "After a rolled-back write")  # start + 3 never comes
        worker.run(once=True)
        subscription.refresh_from_db()
        assert subscription.cursor == start + 2
        clock.advance(31)
        worker.run(once=True)
    titles = [r.json["agreement"]["title"] for r in hook.received]
    assert titles == ["Committed first", "Committed second", "After a rolled-back write"]
    subscription.refresh_from_db()
    assert subscription.cursor == start + 4


def test_the_command_sends_what_is_due_once_and_exits(editor, capsys):
    with receiver() as hook:
        subscribe(editor, hook.url)
        make_agreement()
        call_command("deliver_webhooks", "--once")
    assert len(hook.received) == 1
    assert "1 delivered" in capsys.readouterr().out


def test_the_delivery_id_is_a_uuid_and_unique_per_event(editor):
    with receiver() as hook:
        subscribe(editor, hook.url)
        make_agreement()
        make_agreement(title="Another")
        Worker(clock=Clock(), policy=policy()).run(once=True)
    ids = [uuid.UUID(r.headers["X-Webhook-Delivery"]) for r in hook.received]
    assert len(set(ids)) == 2


def test_the_signature_is_the_hmac_of_the_body():
    body = b'{"a":1}'
    assert signature("k" * 16, body) == "sha256=" + hmac.new(b"k" * 16, body, hashlib.sha256).hexdigest()
