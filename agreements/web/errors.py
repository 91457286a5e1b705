"""The site-wide 404 and 500 handlers: JSON under /api/, the usual pages elsewhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error

from .paths import is_api_path


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for URLs no route matches."""
    if is_api_path(request.path):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error_handler(request: HttpRequest) -> HttpResponse:
    """A last resort that should never run: even then, API clients get JSON and no traceback."""
    if is_api_path(request.path):
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    return server_error(request)
