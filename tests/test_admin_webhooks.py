"""Webhooks in the admin (issue 18): an editor subscribes through the service, sees only
their own, reads the delivery log, and a failing webhook says why."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from agreements.models import WebhookSubscription
from agreements.models.webhooks import SubscriptionState
from agreements.notify.webhooks import Worker
from agreements.services.webhooks import RetryPolicy, WebhookIn, webhook_create

from .factories import make_agreement
from .webhook_receiver import receiver

pytestmark = pytest.mark.django_db

ADD = "/admin/agreements/webhooksubscription/add/"


def change_url(subscription: WebhookSubscription) -> str:
    return f"/admin/agreements/webhooksubscription/{subscription.pk}/change/"


def test_an_editor_adds_a_webhook_and_is_shown_its_secret_once(editor_client, editor):
    answer = editor_client.post(
        ADD,
        {
            "target_url": "https://hooks.example.org/in",
            "description": "Our CI",
            "pairs": "IR-IQ, IQ-TR",
            "countries": "",
            "categories": "logistics",
            "kinds": ["status_changed"],
            "state": "active",
            "new_secret": "",
        },
        follow=True,
    )
    assert answer.status_code == 200
    made = WebhookSubscription.objects.get()
    assert made.owner == editor
    assert made.pairs == ["IQ-IR", "IQ-TR"]
    assert made.categories == ["logistics"]
    assert made.secret in answer.content.decode()  # the message, this once
    assert made.secret not in editor_client.get(change_url(made)).content.decode()


def test_a_refused_webhook_names_the_field_and_writes_nothing(editor_client):
    answer = editor_client.post(
        ADD,
        {"target_url": "http://hooks.example.org/in", "pairs": "IQ-IQ", "state": "active"},
    )
    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert "https" in errors["target_url"][0]
    assert "pairs" in errors
    assert not WebhookSubscription.objects.exists()


def test_an_editor_sees_only_their_own_webhooks(editor_client, django_user_model):
    other = django_user_model.objects.create_user("ed2", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    theirs = webhook_create(owner=other, data=WebhookIn(target_url="https://theirs.example.org/"))
    listing = editor_client.get("/admin/agreements/webhooksubscription/").content.decode()
    assert "theirs.example.org" not in listing
    assert editor_client.get(change_url(theirs)).status_code in (302, 403, 404)


def test_a_viewer_has_no_webhooks_in_the_admin(client, django_user_model):
    viewer = django_user_model.objects.create_user("vi", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Viewers"))
    client.force_login(viewer)
    assert client.get(ADD).status_code == 403


def test_a_failing_webhook_shows_why_with_its_delivery_log(editor_client, editor):
    now = {"t": timezone.now()}

    def clock() -> datetime.datetime:
        return now["t"]

    with receiver(lambda n, body: (500, 0.0)) as hook:
        made = webhook_create(owner=editor, data=WebhookIn(target_url=hook.url))
        make_agreement()
        worker = Worker(clock=clock, policy=RetryPolicy(base=60, cap=3600, window=7200))
        for _ in range(10):
            worker.run(once=True)
            now["t"] += datetime.timedelta(hours=1)
    made.refresh_from_db()
    assert made.state == SubscriptionState.FAILING
    page = editor_client.get(change_url(made)).content.decode()
    assert "Why deliveries stopped" in page
    assert "was not acknowledged" in page
    assert "Answered without a 2xx" in page  # the log's rows
    listing = editor_client.get("/admin/agreements/webhooksubscription/").content.decode()
    assert "Failing" in listing
    log = editor_client.get("/admin/agreements/webhookattempt/")
    assert log.status_code == 200
    assert "500" in log.content.decode()

    # Made active again from the admin: the failure is cleared.
    editor_client.post(
        change_url(made),
        {"target_url": hook.url, "state": "active", "pairs": "", "countries": "", "categories": ""},
    )
    made.refresh_from_db()
    assert made.state == SubscriptionState.ACTIVE
    assert made.failing_reason == ""
