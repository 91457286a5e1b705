"""The rate limit of the pages and the feeds: the client's one budget (``web.throttling``), and
the page that says how long to wait when it is spent."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..web.throttling import wait_seconds


def too_many_requests(request: HttpRequest) -> HttpResponse | None:
    """Count this request; ``None`` if it may go ahead, else the 429 page with ``Retry-After``."""
    wait = wait_seconds(request)
    if wait is None:
        return None
    seconds = max(1, math.ceil(wait))
    context = {
        "title": "Too many requests",
        "errors": {"rate limit": [f"Too many requests from your address; try again in {seconds} s."]},
    }
    response = render(request, "agreements/reports/error.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view counts against the client's rate limit, as its API requests do (429 beyond it)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return too_many_requests(request) or view(request, *args, **kwargs)

    return wrapper
