"""Report results kept in the shared cache (Redis in production), keyed by data version and parameters.

A report is a function of the data, its parameters and the day (``as_of`` defaults to
today). The data version (``agreements.dataversion``) names the data exactly, so a result
kept under (report, version, day, parameters) is the report's answer for as long as the
version stands; the first read after a write misses and computes the new answer. Old
entries are never served again and expire on their own (``REPORT_CACHE_SECONDS``).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from .. import dataversion
from .inputs import today

T = TypeVar("T")


def key(name: str, version: dataversion.Version, parameters: Any) -> str:
    """The cache key of one report's result at one version, day and set of parameters."""
    digest = hashlib.sha256(repr(parameters).encode()).hexdigest()[:32]
    return f"report:{name}:{version.token}:{today().isoformat()}:{digest}"


def kept(
    name: str, compute: Callable[[], T], parameters: Any, *, version: dataversion.Version | None = None
) -> T:
    """``compute()``'s result, from the shared cache if this version already has it.

    ``parameters`` is everything besides the data and the day that the result depends on
    (its ``repr`` is hashed: give plain values, dicts, tuples, dates).
    """
    seconds = settings.REPORT_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    version = version or dataversion.current()
    cache_key = key(name, version, parameters)
    try:
        found = cache.get(cache_key)
    except Exception:  # a cache that fails is a cache that missed: the report is still answered
        found = None
    if found is not None:
        return found
    result = compute()
    with contextlib.suppress(Exception):
        cache.set(cache_key, result, seconds)
    return result
