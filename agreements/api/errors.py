"""One error format for the whole API.

Every 4xx body has a ``detail`` sentence; validation errors add ``errors``, a flat map
from field path to messages, with the same paths the services use
(``clauses[2].categories[0]``), so a client can point at the exact place in its request.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

INVALID = "The request is invalid; nothing was written."


def flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as ``{"a.b[2].c": ["message", ...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            key = "non_field_errors" if key in ("__all__", "non_field_errors") and not prefix else key
            path = f"{prefix}.{key}" if prefix and key != "non_field_errors" else (prefix or key)
            flat |= flatten(value, path)
    elif isinstance(errors, list) and errors and all(isinstance(e, (dict, list)) for e in errors):
        for index, value in enumerate(errors):
            if value:
                flat |= flatten(value, f"{prefix}[{index}]")
    elif isinstance(errors, list):
        flat.setdefault(prefix or "non_field_errors", []).extend(str(e) for e in errors)
    else:
        flat.setdefault(prefix or "non_field_errors", []).append(str(errors))
    return flat


def validation_response(errors: Any) -> Response:
    return Response({"detail": INVALID, "errors": flatten(errors)}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # Raised by the services: already keyed by field path.
        return validation_response(exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages})
    if isinstance(exc, exceptions.ValidationError):
        return validation_response(exc.detail)
    if isinstance(exc, IntegrityError):
        # The validation ahead of every write should make this unreachable; when two
        # writers race for the same unique value, say so instead of failing with a 500.
        return Response(
            {"detail": "The change conflicts with data written at the same time; nothing was written."},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data)}
    return response
