"""The API's throttle: the shared per-client limits of ``web.throttling``, as DRF asks for them.

A view whose requests can be expensive says so with ``is_expensive(request)``; those count
against the stricter limit too.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from ..web.throttling import wait_seconds


class ClientThrottle(BaseThrottle):
    def allow_request(self, request: Request, view) -> bool:
        is_expensive = getattr(view, "is_expensive", None)
        expensive = bool(is_expensive and is_expensive(request))
        self._wait = wait_seconds(request, expensive=expensive)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
