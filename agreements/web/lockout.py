"""django-axes' answer to a locked-out login: JSON for the API, a page for the admin."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from .paths import is_api_path

LOCKED_OUT = "Too many failed logins for this username from this address; try again later."


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if is_api_path(request.path):
        response: HttpResponse = JsonResponse({"detail": LOCKED_OUT}, status=429)
    else:
        context = {
            "minutes": seconds // 60,
            "limit": settings.AXES_FAILURE_LIMIT,
            "site_title": "Agreement tracker",
        }
        response = HttpResponse(
            render_to_string("registration/locked_out.html", context, request), status=429
        )
    response["Retry-After"] = str(seconds)
    return response
