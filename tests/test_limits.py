"""Who the client is (trusted proxies), and the rate limits counted per client (issue 16).

Each of the first tests is a finding of the issue: it failed before the fix.
"""

from __future__ import annotations

import time
import types
import uuid

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from agreements.web import throttling
from tracker.settings import REST_FRAMEWORK, trusted_proxy_settings

from .shared_cache import redis_cache, redis_prefix  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.1"
LIMITS = {"anon": "3/minute", "user": "5/minute", "expensive_anon": "2/minute", "expensive_user": "4/minute"}


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """The pages' limits count in fixed windows: a test whose requests straddled a window's end
    (a loaded machine's network report can take seconds) would see its count start again. For
    the counting, the clock stands still in the middle of a minute."""
    frozen = float(int(time.time()) // 86_400 * 86_400 + 30)
    clock = types.SimpleNamespace(time=lambda: frozen, monotonic=time.monotonic)
    monkeypatch.setattr(throttling, "time", clock)


def behind_proxies(count: int, **extra):
    """The settings of ``TRUSTED_PROXIES=count``, with the limits on and small."""
    derived = trusted_proxy_settings(count)
    num_proxies = derived.pop("NUM_PROXIES")
    values = {
        "REST_FRAMEWORK": {**REST_FRAMEWORK, "NUM_PROXIES": num_proxies},
        "RATE_LIMITS_ENABLED": True,
        "RATE_LIMITS": LIMITS,
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": uuid.uuid4().hex,
            }
        },
    }
    return override_settings(**values | derived | extra)


def forged() -> str:
    return f"198.51.100.{uuid.uuid4().int % 250 + 1}"


# --- Trusted proxies: the throttles' identity ----------------------------------------------------


def test_a_forged_x_forwarded_for_changes_nothing_when_no_proxy_is_trusted():
    with behind_proxies(0):
        api = APIClient(REMOTE_ADDR="203.0.113.5")
        answers = [api.get("/api/countries/IR/", HTTP_X_FORWARDED_FOR=forged()).status_code for _ in range(6)]
    assert answers == [200, 200, 200, 429, 429, 429]


def test_behind_one_trusted_proxy_the_clients_own_address_is_counted():
    with behind_proxies(1):
        api = APIClient(REMOTE_ADDR=PROXY)
        # The proxy appends the address it saw; whatever the client wrote stays to its left.
        first = [
            api.get("/api/countries/IR/", HTTP_X_FORWARDED_FOR=f"{forged()}, 203.0.113.5").status_code
            for _ in range(4)
        ]
        other = api.get("/api/countries/IR/", HTTP_X_FORWARDED_FOR=f"{forged()}, 203.0.113.6")
    assert first == [200, 200, 200, 429]
    assert other.status_code == 200, "another client behind the same proxy has its own count"


def test_the_token_endpoint_is_limited_by_address_too():
    with behind_proxies(0):
        api = APIClient()
        answers = [
            api.post(
                "/api/auth/token/",
                {"username": f"u{n}", "password": "x"},
                format="json",
                HTTP_X_FORWARDED_FOR=forged(),
            ).status_code
            for n in range(4)
        ]
    assert answers == [401, 401, 401, 429]


# --- Trusted proxies: the login lockout's address ----------------------------------------------


@pytest.fixture
def analyst(django_user_model):
    return django_user_model.objects.create_user("analyst", password=PASSWORD)


def token_request(api: APIClient, password: str, forwarded: str):
    body = {"username": "analyst", "password": password}
    return api.post("/api/auth/token/", body, format="json", HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_a_proxy_one_client_cannot_lock_out_another(analyst):
    """Before: the lockout was keyed on the proxy's address, shared by every client."""
    with behind_proxies(1, RATE_LIMITS_ENABLED=False):
        api = APIClient(REMOTE_ADDR=PROXY)
        for _ in range(5):
            # The attacker even writes the victim's address; the proxy appends the real one.
            token_request(api, "wrong", "203.0.113.7, 198.51.100.66")
        assert token_request(api, "wrong", "198.51.100.66").status_code == 429
        victim = token_request(api, PASSWORD, "203.0.113.7")
    assert victim.status_code == 200, victim.content


def test_without_trusted_proxies_a_forged_address_does_not_escape_the_lockout(analyst):
    with behind_proxies(0, RATE_LIMITS_ENABLED=False):
        api = APIClient(REMOTE_ADDR="203.0.113.9")
        for _ in range(5):
            token_request(api, "wrong", forged())
        assert token_request(api, PASSWORD, forged()).status_code == 429


# --- What is limited ----------------------------------------------------------------------------


def test_report_pages_count_against_the_same_limit(client):
    with behind_proxies(0):
        answers = [client.get("/reports/network/").status_code for _ in range(4)]
        refused = client.get("/reports/")
    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.content.decode()


def test_a_feed_reader_polling_counts_against_the_same_limit_and_a_304_costs_no_more(
    client, django_assert_num_queries
):
    from .factories import make_agreement

    make_agreement()
    with behind_proxies(0):
        first = client.get("/reports/pairs/IR-IQ/feed/")
        # A conditional GET is counted (a cache increment) and answered without reading the feed.
        with django_assert_num_queries(2):  # the two countries, the newest event: as without a limit
            unchanged = client.get("/reports/pairs/IR-IQ/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
        page = client.get("/reports/")
        with django_assert_num_queries(0):  # refused before the database is asked anything
            refused = client.get("/reports/pairs/IR-IQ/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert [first.status_code, unchanged.status_code, page.status_code] == [200, 304, 200]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.content.decode()


def test_expensive_requests_have_a_stricter_limit_of_their_own(api):
    with behind_proxies(0, RATE_LIMITS={**LIMITS, "anon": "100/minute"}):
        exports = [api.get("/api/agreements/export.csv").status_code for _ in range(3)]
        panels = api.get(
            "/api/reports/dyad-years/", {"all_pairs": "true", "start_year": 2000, "end_year": 2000}
        )
        long_panel = api.get("/api/reports/dyad-years/", {"start_year": 1945, "end_year": 2000})
        short_panel = api.get("/api/reports/dyad-years/", {"start_year": 1990, "end_year": 2000})
        ordinary = api.get("/api/countries/IR/")
    assert exports == [200, 200, 429]
    assert panels.status_code == long_panel.status_code == 429
    assert int(panels["Retry-After"]) > 0
    assert short_panel.status_code == ordinary.status_code == 200


def test_signed_in_users_are_counted_by_user_not_address(django_user_model):
    user = django_user_model.objects.create_user("reader", password=PASSWORD)
    with behind_proxies(0):
        api = APIClient()
        api.force_authenticate(user)
        answers = [api.get("/api/countries/IR/").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_counting_costs_no_database_query(rf, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from agreements.web.throttling import wait_seconds

    request = rf.get("/api/countries/IR/")
    request.user = AnonymousUser()
    with behind_proxies(0), django_assert_num_queries(0):
        assert wait_seconds(request) is None


def test_an_unreachable_cache_lets_requests_through(api):
    closed = redis_cache("unused", url="redis://127.0.0.1:1/0")
    with behind_proxies(0, CACHES=closed):
        answers = [api.get("/api/countries/IR/").status_code for _ in range(5)]
    assert answers == [200] * 5


def test_limits_count_in_redis_when_it_is_configured(api, redis_prefix):  # noqa: F811
    with behind_proxies(0, CACHES=redis_cache(redis_prefix)):
        answers = [api.get("/api/countries/IR/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_a_rate_is_read_as_drf_writes_it():
    from agreements.web.throttling import Rate

    assert Rate.parse("600/minute") == Rate(600, 60)
    assert Rate.parse("10/hour") == Rate(10, 3600)
    assert str(Rate.parse("5/s")) == "5/second"
    with pytest.raises(ValueError, match="not a rate"):
        Rate.parse("many")
