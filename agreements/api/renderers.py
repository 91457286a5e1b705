"""Renderers: JSON through orjson, and CSV for the views that stream it themselves."""

from decimal import Decimal
from typing import Any

import orjson
from django.http import StreamingHttpResponse
from django.utils.functional import Promise
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):  # lazily translated messages
        return str(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


class JSONRenderer(renderers.JSONRenderer):
    """orjson, which also passes documents built by the database through untouched (``orjson.Fragment``)."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None
    ) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
        return orjson.dumps(data, default=_default, option=option)


class CSVRenderer(renderers.BaseRenderer):
    """Selects CSV (``.csv``, ``?format=csv`` or ``Accept: text/csv``); the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None) -> bytes:
        raise NotImplementedError("CSV views answer with a streamed response.")


def errors_in_json(request: Request, response: Any, renderer: renderers.BaseRenderer | None = None) -> None:
    """Render anything but the streamed CSV body itself (errors, OPTIONS) as JSON.

    Call from ``finalize_response`` of a view whose renderer may be ``CSVRenderer``.
    """
    if not isinstance(response, StreamingHttpResponse):
        renderer = renderer or JSONRenderer()
        request.accepted_renderer = renderer
        request.accepted_media_type = renderer.media_type


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that a ``format`` no renderer here serves is a 400 listing the
    ones served (DRF answers 404, as if the resource were not there), with the view's pointer
    where it has one (the agreement list's CSV is its export)."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None):
        self.view = (getattr(request, "parser_context", None) or {}).get("view")
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers: list, format: str) -> list:
        served = [renderer for renderer in renderers if renderer.format == format]
        if served:
            return served
        formats = ", ".join(sorted({renderer.format for renderer in renderers}))
        message = f"“{format}” is not a format served here; use one of {formats}."
        hint = getattr(getattr(self, "view", None), "format_hints", {}).get(format)
        raise ValidationError({"format": [f"{message} {hint}" if hint else message]})
