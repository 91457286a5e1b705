"""ETag, If-Match and If-None-Match for every writable resource: no write silently overwrites another.

A record's ETag names its kind, id and ``version``, which every change bumps (an
agreement's parts and a person's or a body's other names included): ``"person-12-v3"``.
A client sends the ETag it last read as ``If-Match``; the service compares versions
inside the write's transaction (``services.base.lock``), so two racing writers cannot
both pass. As RFC 9110 says:

* If-Match uses the strong comparison: a weak tag (``W/"…"``) never matches;
* it may list several tags (``"a", "b"``): the write goes ahead if any of them is current;
* a write without If-Match is refused with 428, a header that is not a list of quoted
  tags with 400, a tag that is not current with 412, which carries the current ETag;
* If-None-Match on a read uses the weak comparison and answers 304 when it matches.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request

from ..models import Agreement, AgreementRelation, Body, ClauseCategory, Person, Source
from ..services import ExpectedVersion

# How each versioned record's ETag names it.
KINDS: dict[type[models.Model], str] = {
    Agreement: "agreement",
    Person: "person",
    Body: "body",
    Source: "source",
    ClauseCategory: "category",
    AgreementRelation: "relation",
}
# One element of an entity-tag list (RFC 9110 §8.8.3 and §5.6.1): optional whitespace, a
# tag (or nothing: empty list elements are allowed), optional whitespace, a comma or the end.
_ELEMENT = re.compile(r'[ \t]*(?:(?P<weak>W/)?"(?P<opaque>[^"\x00-\x20\x7f]*)")?[ \t]*(?P<end>,|\Z)')
_OPAQUE = re.compile(r"^(?P<kind>[a-z]+)-(?P<id>\d+)-v(?P<version>\d+)$")
MALFORMED = (
    'Give one or more ETags in double quotes, separated by commas (e.g. “"person-12-v3"”), or *; '
    "an ETag is sent back exactly as it was read."
)


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it; fetch it again and reapply your change."
    default_code = "precondition_failed"

    def __init__(self, detail: str | None = None, *, current: str | None = None) -> None:
        super().__init__(detail)
        self.current = current  # the current ETag, sent back in the answer's ETag header


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send If-Match with the ETag of your last read of this record, so that your write "
        "cannot overwrite a change you have not seen."
    )
    default_code = "precondition_required"


def kind_of(model: type[models.Model]) -> str:
    return KINDS[model]


def etag(pk: int, version: int, kind: str = "agreement") -> str:
    return f'"{kind}-{pk}-v{version}"'


def etag_of(row: models.Model) -> str:
    return etag(row.pk, row.version, kind_of(type(row)))


def parse_entity_tags(header: str) -> list[tuple[bool, str]] | None:
    """``header`` as ``[(weak, opaque tag), …]``; ``None`` for ``*``; ``ValueError`` if malformed."""
    if header.strip() == "*":
        return None
    tags: list[tuple[bool, str]] = []
    position = 0
    while True:
        element = _ELEMENT.match(header, position)
        if element is None:
            raise ValueError(MALFORMED)
        if element["opaque"] is not None:
            tags.append((bool(element["weak"]), element["opaque"]))
        if element["end"] != ",":
            break
        position = element.end()
    if not tags:
        raise ValueError(MALFORMED)
    return tags


def expected_version(request: Request, row: models.Model) -> ExpectedVersion:
    """The versions of ``row`` that the client's ``If-Match`` says it read; ``None`` for ``*``.

    One version when the tags name one, else the set of the versions they name.
    """
    header = request.headers.get("If-Match", "")
    if not header.strip():
        raise PreconditionRequired()
    try:
        tags = parse_entity_tags(header)
    except ValueError as error:
        raise ValidationError({"If-Match": [str(error)]}) from None
    if tags is None:
        return None
    kind = kind_of(type(row))
    versions = set()
    for weak, opaque in tags:
        match = _OPAQUE.match(opaque)
        if not weak and match and match["kind"] == kind and int(match["id"]) == row.pk:
            versions.add(int(match["version"]))
    if not versions:
        raise PreconditionFailed(
            f"If-Match names no version of this {kind} (a weak W/ tag never matches); "
            "send the ETag of your last read.",
            current=etag_of(row),
        )
    return versions.pop() if len(versions) == 1 else frozenset(versions)


def not_modified(request: Request, current: str) -> bool:
    """Whether a conditional GET (``If-None-Match``, weak comparison) already has ``current``.

    An unreadable If-None-Match is ignored (the full answer is always a correct answer to a read).
    """
    header = request.headers.get("If-None-Match", "")
    if not header.strip():
        return False
    try:
        tags = parse_entity_tags(header)
    except ValueError:
        return False
    return tags is None or any(f'"{opaque}"' == current for _, opaque in tags)


def stale_message(kind: str, current: int) -> str:
    return (
        f"The {kind} changed since you read it (it is now at version {current}); "
        "fetch it again and reapply your change."
    )


def precondition_failed_from(error: Any) -> PreconditionFailed:
    """The 412 for a ``services.StaleVersionError``, with the record's current ETag."""
    kind = KINDS.get(error.model, "agreement")
    current = etag(error.pk, error.current, kind) if error.pk is not None else None
    return PreconditionFailed(stale_message(kind, error.current), current=current)
