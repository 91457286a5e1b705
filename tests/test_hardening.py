"""Authentication hardening, headers, limits and production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


@pytest.fixture
def account(django_user_model):
    return django_user_model.objects.create_user("analyst", password=PASSWORD, is_staff=True)


def test_five_failed_token_requests_lock_the_account_from_that_address(account):
    api = APIClient()
    for _ in range(4):
        assert (
            api.post(
                "/api/auth/token/", {"username": "analyst", "password": "wrong"}, format="json"
            ).status_code
            == 401
        )
    locked = api.post("/api/auth/token/", {"username": "analyst", "password": "wrong"}, format="json")
    assert locked.status_code == 429
    again = api.post("/api/auth/token/", {"username": "analyst", "password": PASSWORD}, format="json")
    assert again.status_code == 429, "the right password does not lift a lockout before the cool-off"
    assert "try again later" in again.json()["detail"]
    assert int(again["Retry-After"]) > 0
    other_address = APIClient(REMOTE_ADDR="10.0.0.9")
    response = other_address.post(
        "/api/auth/token/", {"username": "analyst", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, "a lockout is per username and address"


def test_five_failed_admin_logins_lock_the_admin_login(client, account):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "analyst", "password": "wrong"})
    response = client.post(url, {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_are_counted_in_the_database(account):
    from axes.models import AccessAttempt

    APIClient().post("/api/auth/token/", {"username": "analyst", "password": "wrong"}, format="json")
    assert AccessAttempt.objects.get(username="analyst").failures_since_start == 1


def test_passwords_need_twelve_characters():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Short1!pass")
    validate_password("a long enough passphrase")


def test_every_response_carries_the_security_headers(client):
    response = client.get("/api/agreements/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_body_over_the_limit_is_413_before_it_is_read(editor_api, settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    response = editor_api.post("/api/people/", {"name": "x" * 2000}, format="json")
    assert response.status_code == 413


def test_throttling_is_configured_in_production():
    """The limits themselves are tested in test_limits.py (the suite turns them off elsewhere)."""
    from tracker import settings as production

    assert production.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "agreements.api.throttling.ClientThrottle"
    ]
    assert production.RATE_LIMITS_ENABLED
    assert production.REST_FRAMEWORK["NUM_PROXIES"] == production.TRUSTED_PROXIES == 0


def test_an_idle_session_expires_and_is_renewed_by_each_request(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


@override_settings(DEBUG=False, ROOT_URLCONF="tests.boom_urls")
@pytest.mark.parametrize("url", ["/boom/", "/api/boom/"])
def test_a_server_error_leaks_no_traceback(client, url):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 500
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x7#kq!L2v$9pR@w4zN&m8tY^b3cH*f6jD+e1sG%a5uJ(o0iV)rK-lQ_nT=yWzX",
        "ALLOWED_HOSTS": "tracker.example.org",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
