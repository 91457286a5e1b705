"""Rate limits per client, counted in the cache that every process and instance shares.

One budget per client for everything it asks (the API and the report pages alike), and a
stricter one on top for the expensive requests (the CSV export, the large dyad-year
panels). A client is its user when signed in, otherwise its address as the trusted proxies
tell it (``TRUSTED_PROXIES``, through DRF's ``NUM_PROXIES``: a forged ``X-Forwarded-For``
changes nothing).

Counts live in Django's cache: Redis when ``CACHE_URL`` names it, so that the limits hold
per client whatever the number of processes; otherwise each process counts on its own.
Each count is one atomic increment of a key per client, scope and window (fixed windows:
at most the limit in each, so a burst across a boundary may reach twice the rate). Never
a database query. If the cache cannot be reached the request is let through (and logged):
a limit is a brake, and must not take the site down with the cache.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_PERIODS |= {"d": 86400, "day": 86400}
# Seconds between two warnings that the cache is unreachable (one per request would flood the log).
_WARN_EVERY = 60.0
_last_warning = 0.0


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``600/minute``, ``10/hour``, ``5/second``, ``1000/day`` (DRF's spelling)."""
        count, _, period = text.partition("/")
        try:
            return cls(int(count), _PERIODS[period.strip().lower()])
        except (ValueError, KeyError):
            message = f"“{text}” is not a rate: write it as 600/minute (second, minute, hour, day)."
            raise ValueError(message) from None

    def __str__(self) -> str:
        names = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}
        return f"{self.requests}/{names.get(self.seconds, f'{self.seconds}s')}"


def client_address(request: HttpRequest) -> str:
    """The client's address: the peer's, or as the trusted proxies report it (``TRUSTED_PROXIES``)."""
    return BaseThrottle().get_ident(request)


def client_key(request: HttpRequest) -> tuple[str, bool]:
    """Who is counted, and whether they are signed in."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", True
    # Hashed: an address (or what a proxy wrote as one) is not a key to store as it is.
    address = hashlib.blake2s(client_address(request).encode(), digest_size=12).hexdigest()
    return f"addr:{address}", False


def _count(key: str, rate: Rate, now: float) -> tuple[int, float]:
    """One more request in this window: the count so far, and the seconds left in the window."""
    window = int(now // rate.seconds)
    name = f"throttle:{key}:{rate.seconds}:{window}"
    try:
        count = cache.incr(name)
    except ValueError:  # the window's first request
        count = 1 if cache.add(name, 1, timeout=rate.seconds + 1) else cache.incr(name)
    return count, (window + 1) * rate.seconds - now


def _warn_unreachable(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY:
        _last_warning = now
        logger.warning("Rate limits not counted: the cache cannot be reached (%s)", error)


def wait_seconds(request: HttpRequest, *, expensive: bool = False) -> float | None:
    """Count this request; ``None`` if it may go ahead, else the seconds until it may."""
    if not settings.RATE_LIMITS_ENABLED:
        return None
    key, signed_in = client_key(request)
    rates = settings.RATE_LIMITS
    scopes = ["user" if signed_in else "anon"]
    if expensive:
        scopes.append("expensive_user" if signed_in else "expensive_anon")
    now = time.time()
    waits = []
    try:
        for scope in scopes:
            rate = Rate.parse(rates[scope])
            count, left = _count(f"{scope}:{key}", rate, now)
            if count > rate.requests:
                waits.append(left)
    except Exception as error:  # any failure of the cache: let the request through
        _warn_unreachable(error)
        return None
    return max(waits) if waits else None


def describe_limits() -> list[str]:
    """The limits in force, for the start-up message and the docs."""
    rates = settings.RATE_LIMITS
    return [
        f"{rates['anon']} per address and {rates['user']} per signed-in user, across the API and the pages",
        f"expensive requests (the export, large dyad-year panels): {rates['expensive_anon']} per address, "
        f"{rates['expensive_user']} per user",
    ]
