from decimal import Decimal
from typing import Any

import orjson
from django.utils.functional import Promise
from rest_framework import renderers


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
