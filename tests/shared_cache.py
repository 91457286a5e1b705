"""The Redis the shared rate limits count in, for the tests that need one.

Redis on 127.0.0.1:6379 (``TEST_REDIS_URL``) is shared with whatever else runs on the
machine, other test runs included: each test counts under a key prefix of its own and
deletes only its own keys. Never ``cache.clear()`` against it (that empties the database
for everyone). Without a Redis these tests are skipped, unless ``REQUIRE_REDIS=1`` (CI),
which makes that a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _client():
    import redis

    return redis.Redis.from_url(URL, socket_connect_timeout=1, socket_timeout=2)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix no other test or run uses; its keys are deleted afterwards."""
    client = _client()
    try:
        client.ping()
    except Exception as error:
        message = f"no Redis answers at {URL} ({error})"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"{message}; REQUIRE_REDIS=1 is set.", pytrace=False)
        pytest.skip(message)
    prefix = f"tracker-test-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def redis_cache(prefix: str, url: str = URL) -> dict:
    """A CACHES setting counting in the shared Redis under ``prefix``."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
