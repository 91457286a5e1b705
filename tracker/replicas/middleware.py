"""Read-your-writes: after a client writes, its reads go to the primary for a while.

A request that may write (POST, PUT, PATCH, DELETE) is served by the primary throughout. Once
it has written (or succeeded), its client is marked for ``REPLICA_READ_YOUR_WRITES_SECONDS``:
by a signed cookie, which browsers and cookie-keeping clients send back, and, for a client
that authenticates with an ``Authorization`` header (an API token), by a key in the shared
cache derived from that header. While marked, the client's requests read the primary, so its
next read sees its write even when the replicas are behind.

First among the middleware that read the database (before the sessions'), so that every read
of the request follows the routing it decides.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .routing import request_routing

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
COOKIE = "read_primary"
_SALT = "tracker.replicas.read-your-writes"


def _cache_key(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization")
    if not header:
        return None
    # A digest: the cache never holds a credential.
    return "read-primary:" + hashlib.sha256(header.encode()).hexdigest()


def _marked(request: HttpRequest, key: str | None) -> bool:
    window = settings.REPLICA_READ_YOUR_WRITES_SECONDS
    # Signed with a timestamp: a cookie older than the window (or forged) does not count.
    if request.get_signed_cookie(COOKIE, default=None, salt=_SALT, max_age=window) is not None:
        return True
    if key is None:
        return False
    try:
        return cache.get(key) is not None
    except Exception:  # any failure of the cache: the primary is always right
        logger.warning("The cache did not answer; reading from the primary", exc_info=True)
        return True


def _mark(request: HttpRequest, response: HttpResponse, key: str | None) -> None:
    window = settings.REPLICA_READ_YOUR_WRITES_SECONDS
    response.set_signed_cookie(
        COOKIE,
        "1",
        salt=_SALT,
        max_age=window,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    if key is None:
        return
    try:
        cache.set(key, 1, timeout=window)
    except Exception:  # the cookie still marks clients that keep cookies
        logger.warning("The cache did not answer; read-your-writes rests on the cookie", exc_info=True)


class ReadYourWritesMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        may_write = request.method not in SAFE_METHODS
        key = _cache_key(request)
        with request_routing(primary_only=may_write or _marked(request, key)) as state:
            response = self.get_response(request)
        if may_write and (state.wrote or response.status_code < 400):
            _mark(request, response, key)
        return response
