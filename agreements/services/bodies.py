"""The bodies that act for a party, with every other name they appear under."""

from __future__ import annotations

from collections.abc import Sequence

import pycountry
from django.db import transaction
from django.db.models import Q

from ..models import Agreement, Body, BodyName
from ..search import build_document
from .base import Errors, ExpectedVersion, assign, check_unique, clean, lock, touched
from .duplicates import refuse_similar_body
from .inputs import BodyIn, OtherNameIn


def subdivision_problem(code: str, country: str) -> str | None:
    """An ISO 3166-2 code must exist (pycountry) and be one of ``country``'s subdivisions."""
    if not code:
        return None
    subdivision = pycountry.subdivisions.get(code=code.upper())
    if subdivision is None:
        return f"“{code}” is not an ISO 3166-2 subdivision code (e.g. IQ-KR, US-TX)."
    if subdivision.country_code != country:
        return (
            f"{subdivision.name} ({subdivision.code}) is a subdivision of {subdivision.country_code}, "
            f"not of {country}."
        )
    return None


def body_create(*, data: BodyIn, allow_duplicate: bool = False) -> Body:
    """A new body; unless ``allow_duplicate``, refused with ``PossibleSameRecordError`` when one
    of its names is another spelling of a known body's of the same country."""
    with transaction.atomic():
        if not allow_duplicate:
            refuse_similar_body(data)
        body = Body()
        _save(body, data)
        body_sync_other_names(body=body, other_names=data.other_names, touch=False)  # a new one is v1
    return body


def body_update(*, body: Body, data: BodyIn, expected_version: ExpectedVersion = None) -> Body:
    """Replace a body's details and names; other names not listed are removed.

    The other names are under the body's version (see ``person_update``).
    """
    with transaction.atomic():
        body = lock(body, expected_version, related=("country",))
        _save(body, data)
        body_sync_other_names(body=body, other_names=data.other_names, remove_missing=True, touch=False)
        _refresh_agreements(body)
    return body


def _save(body: Body, data: BodyIn) -> None:
    errors = Errors()
    was_sub_national = None if body.pk is None else body.is_sub_national
    body.name, body.kind, body.country_id, body.note = data.name, data.kind, data.country, data.note
    body.subdivision = data.subdivision.strip().upper()
    problem = subdivision_problem(body.subdivision, data.country)
    if problem:
        errors.add("subdivision", problem)
    if was_sub_national is not None and was_sub_national != body.is_sub_national:
        # The level of every agreement with this body on a side follows from it.
        sides = Agreement.objects.filter(Q(body_a=body) | Q(body_b=body)).count()
        if sides:
            errors.add(
                "subdivision",
                (
                    "1 agreement names this body as a side, and its level follows from whether it is "
                    "below the state: change that agreement's sides first."
                )
                if sides == 1
                else f"{sides} agreements name this body as a side, and their level follows from "
                "whether it is below the state: change those agreements' sides first.",
            )
    if clean(body, "", errors, exclude=["country"]) and not errors.messages:
        check_unique(body, "", errors)
    errors.raise_if_any()
    body.save()


def body_sync_other_names(
    *, body: Body, other_names: Sequence[OtherNameIn], remove_missing: bool = False, touch: bool = True
) -> None:
    """Add the names ``body`` lacks and update the others; a change moves its version on
    (unless the caller saves the body itself, ``touch=False``)."""
    with transaction.atomic():
        changed = False
        existing = {other.name: other for other in body.other_names.all()}
        errors, keep = Errors(), set()
        for index, other in enumerate(other_names):
            if other.name in keep:
                errors.add(f"other_names[{index}].name", f"“{other.name}” is listed twice.")
                continue
            keep.add(other.name)
            if other.name == body.name:
                continue
            row = existing.get(other.name) or BodyName(body=body, name=other.name)
            changed |= assign(row, kind=other.kind, language=other.language, source=other.source)
            if clean(row, f"other_names[{index}]", errors, exclude=["body"]):
                row.save()
        errors.raise_if_any()
        if remove_missing:
            deleted, _ = body.other_names.exclude(name__in=keep).delete()
            changed |= deleted > 0
        if changed and touch:
            body.version = touched(body).version


def _refresh_agreements(body: Body) -> None:
    """A body's names are part of the search text of the agreements it acted in."""
    agreements = Agreement.objects.filter(Q(participants__body=body) | Q(body_a=body) | Q(body_b=body))
    for agreement in agreements.distinct():
        Agreement.objects.filter(pk=agreement.pk).update(search_document=build_document(agreement))
