"""ETag and If-Match for agreements: no write silently overwrites another.

An agreement's ETag names its ``version``, which every change bumps (changes to its
parts included). A client sends the ETag it last read as ``If-Match``; the service
compares versions inside the write's transaction, so two racing writers cannot both
pass. A write to an existing agreement without ``If-Match`` is refused with 428.
"""

from __future__ import annotations

import re

from django.utils.http import parse_etags
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request

_ETAG = re.compile(r'^"agreement-(?P<id>\d+)-v(?P<version>\d+)"$')


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The agreement changed since you read it; fetch it again and reapply your change."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send If-Match with the ETag of your last read of this agreement, so that your write "
        "cannot overwrite a change you have not seen."
    )
    default_code = "precondition_required"


def etag(agreement_id: int, version: int) -> str:
    return f'"agreement-{agreement_id}-v{version}"'


def expected_version(request: Request, agreement_id: int) -> int | None:
    """The version the client's ``If-Match`` says it read; ``None`` for ``If-Match: *``."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    tags = parse_etags(header)
    if tags == ["*"]:
        return None
    for tag in tags:
        match = _ETAG.match(tag.removeprefix("W/"))
        if match and int(match["id"]) == agreement_id:
            return int(match["version"])
    raise PreconditionFailed("If-Match does not name a version of this agreement.")


def not_modified(request: Request, current: str) -> bool:
    """Whether a conditional GET (``If-None-Match``) already has the current representation."""
    header = request.headers.get("If-None-Match")
    return bool(header) and (current in parse_etags(header) or parse_etags(header) == ["*"])
