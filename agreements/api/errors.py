"""One error format for the whole API.

Every 4xx body has a ``detail`` sentence; validation errors add ``errors``, a flat map
from field path to messages, with the same paths the services use
(``clauses[2].categories[0]``), so a client can point at the exact place in its request.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..reports.sql import is_timeout
from ..services import PossibleDuplicateError, PossibleSameRecordError, StaleVersionError
from ..web.bounds import BUSY_RETRY_SECONDS, BusyError, timeout_detail
from .concurrency import PreconditionFailed, etag, precondition_failed_from

INVALID_WRITE = "The request is invalid; nothing was written."
INVALID_READ = "The request has invalid parameters."
# Seconds a client is asked to wait when the database cannot be reached: a PostgreSQL
# restart or fail-over takes a few, and every request that finds the database back
# reconnects by itself (CONN_HEALTH_CHECKS), so a short wait is enough.
DATABASE_RETRY_AFTER_SECONDS = 2
# Set on a request once its write to an agreement has committed: (id, version) (views._saving).
SAVED_AGREEMENT = "saved_agreement"
DATABASE_UNAVAILABLE = (
    "The database cannot be reached for the moment; try again in a few seconds. "
    "A write may or may not have been saved: read it again before repeating it "
    "(a change sent with If-Match is safe to repeat, it gets 412 if it was saved)."
)


class MergedError(Exception):
    """The record was merged into another (``merged_into``); the error handler answers with a pointer."""

    def __init__(self, kind: str, old_id: int, into_id: int, request: Request) -> None:
        super().__init__(f"{kind.capitalize()} {old_id} was merged into {kind} {into_id}.")
        self.kind, self.old_id, self.into_id = kind, old_id, into_id
        self.location = request.build_absolute_uri(request.path.replace(f"/{old_id}/", f"/{into_id}/"))
        self.read = request.method in ("GET", "HEAD")


def flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as ``{"clauses[2].categories[0]": ["message", ...]}``."""
    flat: dict[str, list[str]] = {}

    def add(path: str, value: Any) -> None:
        for key, messages in flatten(value, path).items():
            flat.setdefault(key, []).extend(messages)

    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # a ListField's errors are keyed by index
                add(f"{prefix}[{key}]", value)
            elif key in ("__all__", "non_field_errors"):
                add(prefix or "non_field_errors", value)
            else:
                add(f"{prefix}.{key}" if prefix else str(key), value)
    elif isinstance(errors, list) and any(isinstance(item, (dict, list)) for item in errors):
        for index, value in enumerate(errors):
            if value:
                add(f"{prefix}[{index}]", value)
    else:
        messages = errors if isinstance(errors, list) else [errors]
        flat.setdefault(prefix or "non_field_errors", []).extend(str(message) for message in messages)
    return flat


def validation_response(errors: Any, context: dict) -> Response:
    request = context.get("request")
    detail = INVALID_READ if request is not None and request.method in ("GET", "HEAD") else INVALID_WRITE
    return Response({"detail": detail, "errors": flatten(errors)}, status=status.HTTP_400_BAD_REQUEST)


def protected_message(error: ProtectedError) -> str:
    """“Cannot delete: 2 signatories and 1 status event still refer to it.” (“1 signatory still refers”)"""
    counts = Counter(obj._meta for obj in error.protected_objects)
    parts = sorted(
        f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
        for meta, count in counts.items()
    )
    verb = "refers" if sum(counts.values()) == 1 else "refer"
    return f"Cannot delete: {' and '.join(parts)} still {verb} to it."


def database_unavailable(context: dict) -> Response:
    """A lost or refused connection (a restart, a fail-over) is not a bug of ours: a 503 with
    Retry-After tells clients to come back, where a 500 says "give up".

    Unless the write is known to have committed, the message cannot promise that nothing
    was written: the connection may have dropped just after the COMMIT went through.
    """
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
    request = context.get("request")
    saved = getattr(request, SAVED_AGREEMENT, None)
    if saved is None:
        detail = DATABASE_UNAVAILABLE
    else:
        agreement_id, version = saved
        detail = (
            f"Your change was saved (agreement {agreement_id}, version {version}), but the database "
            "could not be reached to send it back; do not send it again. Read it in a few seconds."
        )
        headers["ETag"] = etag(agreement_id, version)
        headers["Location"] = request.build_absolute_uri(f"/api/agreements/{agreement_id}/")
    return Response({"detail": detail}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # Raised by the services: already keyed by field path.
        return validation_response(exc.message_dict if hasattr(exc, "error_dict") else exc.messages, context)
    if isinstance(exc, exceptions.ValidationError):
        return validation_response(exc.detail, context)
    if isinstance(exc, exceptions.ParseError):
        # Same shape as every other 400, so that clients need one way to read errors.
        return Response(
            {
                "detail": "The body is not valid JSON; nothing was written.",
                "errors": {"body": [str(exc.detail)]},
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, StaleVersionError):
        exc = precondition_failed_from(exc)
    if isinstance(exc, MergedError):
        body = {"detail": str(exc), "merged_into": exc.into_id}
        if exc.read:
            return Response(
                body, status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": exc.location}
            )
        return Response(body, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PossibleDuplicateError):
        return Response(
            {
                "detail": "This agreement may already be recorded; nothing was written. Send it again with "
                "allow_duplicate=true if it is another one.",
                "possible_duplicates": [candidate.as_dict() for candidate in exc.candidates],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, PossibleSameRecordError):
        return Response(
            {
                "detail": f"“{exc.name}” may be a {exc.what} already recorded; nothing was written. Use the "
                f"one listed, or send it again with allow_duplicate=true if this is another {exc.what}.",
                "possible_duplicates": exc.as_dicts(),
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ProtectedError):
        return Response({"detail": protected_message(exc)}, status=status.HTTP_409_CONFLICT)
    if is_timeout(exc):
        # Asking again will not help: asking for less will.
        hint = getattr(context.get("view"), "narrow_hint", "ask for less.")
        return Response({"detail": timeout_detail(hint)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, BusyError):
        return Response(
            {"detail": str(exc)},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
        )
    if isinstance(exc, (OperationalError, InterfaceError)):
        return database_unavailable(context)
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
    if response is not None and isinstance(exc, PreconditionFailed) and exc.current:
        response["ETag"] = exc.current  # what the client should read again (RFC 9110 allows it on a 412)
    return response
