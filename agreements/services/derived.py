"""What is derived from an agreement's status events and text, written in one place.

``derived_values`` and ``period_values`` turn a ``Lifecycle`` into column values; the
services write them row by row (``agreement_sync_derived``) and the synthetic-data
generator in bulk, so both store the same thing for the same events.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..dates import PartialDate
from ..lifecycle import EventFact, Lifecycle, derive_lifecycle, validate_events
from ..models import Agreement, StatusEvent, StatusPeriod
from ..search import build_document
from .rules import country_names

DERIVED_DATES = ("signed_on", "in_force_from", "ended_on")
# The agreement's columns ``derived_values`` fills, and a period's (the agreement aside).
DERIVED_COLUMNS = ("status", *(column for name in DERIVED_DATES for column in (name, f"{name}_precision")))
PERIOD_COLUMNS = ("status", "start", "start_precision", "end", "end_precision")
# The version an agreement has once created.
CREATED_VERSION = 1


def event_fact(event: StatusEvent) -> EventFact:
    return EventFact(event.status, event.partial_date, event.party_id)


def _date_values(name: str, value: PartialDate | None) -> dict[str, Any]:
    return {name: value.value if value else None, f"{name}_precision": value.precision if value else ""}


def derived_values(lifecycle: Lifecycle) -> dict[str, Any]:
    """The agreement's cached status and dates (with their precisions) for ``lifecycle``."""
    values: dict[str, Any] = {"status": lifecycle.status or ""}
    for name in DERIVED_DATES:
        values |= _date_values(name, getattr(lifecycle, name))
    return values


def period_values(lifecycle: Lifecycle) -> list[dict[str, Any]]:
    """The ``StatusPeriod`` columns of each period of ``lifecycle`` (the agreement aside)."""
    return [
        {"status": period.status, **_date_values("start", period.start), **_date_values("end", period.end)}
        for period in lifecycle.periods
    ]


def agreement_sync_derived(*, agreement: Agreement) -> Lifecycle:
    """Validate the agreement's events and rewrite everything derived from them.

    Every write to an agreement or its parts ends here: it recomputes the status, the
    cached dates, the status periods and the search text, and bumps ``version`` (a new
    agreement stays at version 1).
    """
    with transaction.atomic():
        facts = [event_fact(event) for event in agreement.events.order_by("date", "id")]
        names = {agreement.party_a_id: agreement.party_a.name, agreement.party_b_id: agreement.party_b.name}
        problems = validate_events(facts, agreement.parties, names | country_names([f.party for f in facts]))
        if problems:
            raise ValidationError({f"events[{p.index}].{p.field}": [p.message] for p in problems})

        lifecycle = derive_lifecycle(facts)
        values = derived_values(lifecycle)
        for name, value in values.items():
            setattr(agreement, name, value)
        agreement.search_document = build_document(agreement)
        if not getattr(agreement, "record_as_created", False):
            agreement.version += 1  # a new agreement is version 1 after its first write
        agreement.save(update_fields=[*values, "search_document", "version", "updated_at"])
        agreement.periods.all().delete()
        StatusPeriod.objects.bulk_create(
            StatusPeriod(agreement=agreement, **values) for values in period_values(lifecycle)
        )
    return lifecycle
