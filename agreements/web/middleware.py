"""Middleware of every request: the body-size bound, and the interface the history records."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from ..history import recorded_as
from .errors import not_found
from .paths import interface_of, is_api_path


class RequestSizeLimitMiddleware:
    """Refuse a body larger than ``REQUEST_MAX_BODY_BYTES`` before anything reads it (413).

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE guards ``request.body`` but not the stream that
    REST framework's parsers read, so the limit is enforced here, from Content-Length.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length is not a number."}, status=400)
        if length > settings.REQUEST_MAX_BODY_BYTES:
            return JsonResponse(
                {"detail": f"The request body is larger than {settings.REQUEST_MAX_BODY_BYTES} bytes."},
                status=413,
            )
        return self.get_response(request)


class InterfaceMiddleware:
    """Name the interface of each request (the admin, the API, or the web pages) for the history."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with recorded_as(interface_of(request.path_info)):
            return self.get_response(request)


class ApiNotFoundMiddleware:
    """Every 404 under /api/ is the API's JSON 404, whatever ``DEBUG`` says.

    With ``DEBUG`` on, Django answers a path no route matches (``/api/agreements/abc/``) with
    its HTML debug page instead of ``handler404``; an API client would get HTML it cannot read.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and is_api_path(request.path_info)
            # DRF's own answers (JSON, or the browsable API's page for a browser) are left as they are.
            and not hasattr(response, "accepted_renderer")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return not_found(request)
        return response
