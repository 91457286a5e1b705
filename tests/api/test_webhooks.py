"""/api/webhooks/ (issue 18): editors and above, each their own, the secret shown once,
strict, every refusal a 400 naming the field."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from agreements.models import WebhookAttempt, WebhookSubscription
from agreements.notify.webhooks import Worker
from agreements.services.webhooks import WebhookIn, webhook_create

from ..factories import make_agreement
from ..webhook_receiver import receiver

pytestmark = pytest.mark.django_db

URL = "/api/webhooks/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user("vi", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="Viewers"))
    return user


@pytest.fixture
def other_editor(django_user_model):
    user = django_user_model.objects.create_user("ed2", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_an_editor_subscribes_and_sees_the_secret_once(editor_api):
    answer = editor_api.post(
        URL,
        {"target_url": "https://hooks.example.org/in", "pairs": ["IR-IQ"], "kinds": ["status_changed"]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    made = answer.json()
    assert len(made["secret"]) >= 32
    assert made["pairs"] == ["IQ-IR"]
    assert made["state"] == "active"
    assert WebhookSubscription.objects.get().secret == made["secret"]
    read = editor_api.get(f"{URL}{made['id']}/").json()
    assert "secret" not in read
    assert "secret" not in editor_api.get(URL).json()["results"][0]


def test_a_secret_given_is_kept_and_shown_only_in_that_answer(editor_api):
    made = editor_api.post(
        URL, {"target_url": "https://h.example.org/", "secret": "x" * 20}, format="json"
    ).json()
    assert made["secret"] == "x" * 20
    changed = editor_api.patch(f"{URL}{made['id']}/", {"description": "CI"}, format="json").json()
    assert "secret" not in changed
    assert changed["description"] == "CI"
    rotated = editor_api.patch(f"{URL}{made['id']}/", {"secret": "y" * 24}, format="json").json()
    assert rotated["secret"] == "y" * 24
    assert WebhookSubscription.objects.get().secret == "y" * 24


def test_each_editor_sees_only_their_own_and_an_administrator_too(editor, other_editor, admin_user):
    mine = webhook_create(owner=editor, data=WebhookIn(target_url="https://a.example.org/"))
    webhook_create(owner=other_editor, data=WebhookIn(target_url="https://b.example.org/"))
    listed = client_for(editor).get(URL).json()["results"]
    assert [w["id"] for w in listed] == [mine.pk]
    assert client_for(other_editor).get(f"{URL}{mine.pk}/").status_code == 404
    assert client_for(other_editor).delete(f"{URL}{mine.pk}/").status_code == 404
    assert client_for(admin_user).get(URL).json()["results"] == []
    assert WebhookSubscription.objects.count() == 2


def test_viewers_and_anonymous_clients_cannot_subscribe(viewer, api):
    body = {"target_url": "https://h.example.org/"}
    assert client_for(viewer).post(URL, body, format="json").status_code == 403
    assert client_for(viewer).get(URL).status_code == 403
    assert api.get(URL).status_code == 401
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"target_url": "http://hooks.example.org/"}, "target_url"),
        ({"target_url": "https://h.example.org/", "pairs": ["IQ-IQ"]}, "pairs[0]"),
        ({"target_url": "https://h.example.org/", "pairs": "IQ-IR"}, "pairs"),
        ({"target_url": "https://h.example.org/", "countries": ["IQ", "QQ"]}, "countries[1]"),
        ({"target_url": "https://h.example.org/", "categories": ["nope"]}, "categories[0]"),
        ({"target_url": "https://h.example.org/", "kinds": ["agreement_added", "boom"]}, "kinds[1]"),
        ({"target_url": "https://h.example.org/", "secret": "short"}, "secret"),
        ({"target_url": "https://h.example.org/", "state": "failing"}, "state"),
        ({"target_url": "https://h.example.org/", "colour": "red"}, "colour"),
        ({}, "target_url"),
        ({"target_url": 5}, "target_url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(editor_api, body, path):
    answer = editor_api.post(URL, body, format="json")
    assert answer.status_code == 400
    assert path in answer.json()["errors"], answer.json()
    assert not WebhookSubscription.objects.exists()


def test_a_body_that_is_no_object_is_a_400(editor_api):
    assert editor_api.post(URL, ["x"], format="json").status_code == 400


def test_an_update_refused_changes_nothing(editor_api, editor):
    made = webhook_create(owner=editor, data=WebhookIn(target_url="https://a.example.org/", pairs=["IQ-IR"]))
    answer = editor_api.put(f"{URL}{made.pk}/", {"target_url": "http://a.example.org/"}, format="json")
    assert answer.status_code == 400
    made.refresh_from_db()
    assert made.target_url == "https://a.example.org/"
    assert made.pairs == ["IQ-IR"]


def test_pausing_and_deleting(editor_api, editor):
    made = webhook_create(owner=editor, data=WebhookIn(target_url="https://a.example.org/"))
    assert (
        editor_api.patch(f"{URL}{made.pk}/", {"state": "paused"}, format="json").json()["state"] == "paused"
    )
    assert editor_api.delete(f"{URL}{made.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_says_what_happened(editor_api, editor):
    with receiver(lambda n, body: (502 if n == 0 else 200, 0.0)) as hook:
        made = webhook_create(owner=editor, data=WebhookIn(target_url=hook.url))
        make_agreement()
        Worker().run(once=True)
    [entry] = editor_api.get(f"{URL}{made.pk}/deliveries/").json()
    assert entry["outcome"] == "refused"
    assert entry["response_code"] == 502
    assert entry["number"] == 1
    assert entry["delivery"] == hook.received[0].json["delivery"]
    assert WebhookAttempt.objects.count() == 1
    assert editor_api.get(f"{URL}{made.pk}/deliveries/?since=1").status_code == 400


def test_webhooks_are_in_the_schema(editor_api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert {"/api/webhooks/", "/api/webhooks/{id}/", "/api/webhooks/{id}/deliveries/"} <= set(schema["paths"])
    created = schema["paths"]["/api/webhooks/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/WebhookCreated")
