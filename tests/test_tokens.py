"""API tokens can be rotated: a new one at each sign-in, revoked by a password change or a
deactivation, an optional lifetime, and each user's own token in the admin (issue 16)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def analyst(django_user_model):
    return django_user_model.objects.create_user("analyst", password=PASSWORD, is_staff=True)


def sign_in(username: str = "analyst", password: str = PASSWORD) -> dict:
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def using(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/agreements/", {"page_size": 1})


def test_signing_in_again_issues_a_new_token_and_revokes_the_old(analyst):
    first = sign_in()["token"]
    second = sign_in()["token"]
    assert first != second
    assert using(second).status_code == 200
    refused = using(first)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert "POST /api/auth/token/" in refused.json()["detail"]


def test_a_password_change_revokes_the_token(analyst):
    token = sign_in()["token"]
    analyst.set_password("another long passphrase")
    analyst.save()
    assert using(token).status_code == 401
    assert not Token.objects.filter(user=analyst).exists()


def test_a_password_changed_in_the_admin_revokes_the_token(client, analyst):
    token = sign_in()["token"]
    client.force_login(analyst)
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302, response.content
    assert using(token).status_code == 401


def test_deactivating_the_account_revokes_the_token(analyst):
    token = sign_in()["token"]
    analyst.is_active = False
    analyst.save()
    assert not Token.objects.filter(user=analyst).exists()
    assert using(token).status_code == 401


def test_other_saves_of_the_user_keep_the_token(analyst):
    token = sign_in()["token"]
    analyst.first_name = "Ana"
    analyst.save()
    assert using(token).status_code == 200


def test_with_a_lifetime_an_expired_token_is_401_saying_so(analyst, settings):
    settings.API_TOKEN_TTL = 3600
    answer = sign_in()
    assert answer["expires_at"] is not None
    assert using(answer["token"]).status_code == 200
    Token.objects.filter(key=answer["token"]).update(created=timezone.now() - datetime.timedelta(hours=2))
    refused = using(answer["token"])
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert "expired" in refused.json()["detail"]


def test_without_a_lifetime_tokens_do_not_expire(analyst):
    answer = sign_in()
    assert answer["expires_at"] is None
    Token.objects.filter(key=answer["token"]).update(created=timezone.now() - datetime.timedelta(days=3650))
    assert using(answer["token"]).status_code == 200


def test_a_user_lists_and_revokes_their_own_token_in_the_admin(client, analyst, django_user_model):
    other = django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    mine = sign_in()["token"]
    theirs = sign_in("other")["token"]
    client.force_login(analyst)

    listing = client.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert mine[:6] in page
    assert mine not in page, "the key is a password: only its first characters are shown"
    assert theirs[:6] not in page
    assert client.get(f"/admin/authtoken/tokenproxy/{other.pk}/change/").status_code in (302, 404)
    assert client.post(f"/admin/authtoken/tokenproxy/{other.pk}/delete/", {"post": "yes"}).status_code in (
        302,
        404,
    )
    assert Token.objects.filter(user=other).exists()

    response = client.post(f"/admin/authtoken/tokenproxy/{analyst.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=analyst).exists()
    assert using(mine).status_code == 401
    assert using(theirs).status_code == 200
