"""HTTP caching by data version: strong ETags, Last-Modified, 304s and Cache-Control for reads.

A list, report or page is a function of the data (its version, ``agreements.dataversion``),
the day, and what the request asks: path and query string, ``Accept``, the language, and
who asks (a signed-in user may see more than an anonymous reader). The ETag names all of
that, so a client's ``If-None-Match`` (or ``If-Modified-Since``) is answered with a 304
after one query (the version), before the answer's own queries run. Anonymous answers are
``public`` for ``HTTP_CACHE_MAX_AGE`` seconds (a reverse proxy or CDN may keep them), signed-in
ones ``private, no-cache``; ``Vary`` names the headers the answer depends on.

Agreement details and the other records keep their own ETags (``api/concurrency``: the
record's version, which If-Match checks on writes); this module is for the reads that
have no single record's version.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

from .. import dataversion

VARY = ("Accept", "Accept-Language", "Authorization", "Cookie")
PRIVATE = "private, no-cache"


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: int  # seconds since the epoch
    public: bool
    version: dataversion.Version


def _user(request: Any):
    return getattr(request, "user", None)


def is_anonymous(request: Any) -> bool:
    user = _user(request)
    return user is None or not user.is_authenticated


def validators(request: Any, *, version: dataversion.Version | None = None) -> Validators:
    """The ETag and Last-Modified of the answer to ``request`` at the current data version."""
    version = version or dataversion.current()
    anonymous = is_anonymous(request)
    day = timezone.localdate()
    asked = "\n".join(
        (
            request.path,
            request.META.get("QUERY_STRING", ""),
            request.META.get("HTTP_ACCEPT", ""),
            get_language() or "",
            "anonymous" if anonymous else f"user-{_user(request).pk}",
            day.isoformat(),
        )
    )
    digest = hashlib.sha256(asked.encode()).hexdigest()[:20]
    # A report "now" changes at midnight without any write: the day starts a new modification.
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    changed = max(version.changed_at or midnight, midnight)
    return Validators(f'"dv{version.token}-{digest}"', int(changed.timestamp()), anonymous, version)


def _etags(header: str) -> list[str] | None:
    """The tags of an If-None-Match header, without W/ (a GET compares weakly); None for ``*``."""
    if header.strip() == "*":
        return None
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        if part:
            tags.append(part)
    return tags


def is_fresh(request: Any, found: Validators) -> bool:
    """Whether the client already has this answer (RFC 9110 §13.2.2: If-None-Match decides when sent)."""
    none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if none_match is not None:
        tags = _etags(none_match)
        return tags is None or found.etag in tags
    since = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if since is not None:
        when = parse_http_date_safe(since)
        return when is not None and found.last_modified <= when
    return False


def cache_control(public: bool) -> str:
    if not public:
        return PRIVATE
    max_age = settings.HTTP_CACHE_MAX_AGE
    if max_age <= 0:
        return "public, no-cache"
    return f"public, max-age={max_age}, stale-while-revalidate={settings.HTTP_CACHE_STALE_WHILE_REVALIDATE}"


def mark(response: HttpResponse, found: Validators) -> HttpResponse:
    """Put the validators and the caching rules on ``response`` (a 200 or a 304)."""
    response["ETag"] = found.etag
    response["Last-Modified"] = http_date(found.last_modified)
    response["Cache-Control"] = cache_control(found.public)
    patch_vary_headers(response, VARY)
    return response


def not_modified(request: Any, found: Validators) -> HttpResponse | None:
    """The 304 for a client that already has the answer, else None."""
    if request.method not in ("GET", "HEAD") or not is_fresh(request, found):
        return None
    return mark(HttpResponseNotModified(), found)


def finish(response: HttpResponse, found: Validators) -> HttpResponse:
    """A successful answer gets the validators; an error or a redirect is left as it is."""
    if response.status_code == 200:
        mark(response, found)
    return response


def conditional_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page view answered 304 when the reader has it, with ETag and Cache-Control when not."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        found = validators(request)
        if (unchanged := not_modified(request, found)) is not None:
            return unchanged
        # The view keeps its report under the same version (``reports.keeping.kept``).
        request.data_version = found.version
        return finish(view(request, *args, **kwargs), found)

    return wrapper
