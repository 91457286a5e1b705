"""Reusable queries over agreements."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models

from .choices import Status

if TYPE_CHECKING:
    from .models import Country


def country_code(country: Country | str) -> str:
    return country if isinstance(country, str) else country.pk


def canonical_pair(a: Country | str, b: Country | str) -> tuple[str, str]:
    """The two country codes in the order agreements store them (party_a < party_b)."""
    first, second = sorted((country_code(a), country_code(b)))
    return first, second


class AgreementQuerySet(models.QuerySet):
    def for_pair(self, a: Country | str, b: Country | str) -> AgreementQuerySet:
        """Agreements between ``a`` and ``b``, in whichever order they are given."""
        party_a, party_b = canonical_pair(a, b)
        return self.filter(party_a=party_a, party_b=party_b)

    def involving(self, country: Country | str) -> AgreementQuerySet:
        code = country_code(country)
        return self.filter(models.Q(party_a=code) | models.Q(party_b=code))

    def in_status_on(self, statuses: list[str], day: datetime.date) -> AgreementQuerySet:
        """Agreements whose status on ``day`` was one of ``statuses``.

        A partial date counts from the first day of its period.
        """
        from .models import StatusPeriod

        periods = StatusPeriod.objects.filter(
            models.Q(end__isnull=True) | models.Q(end__gt=day),
            agreement=models.OuterRef("pk"),
            status__in=statuses,
            start__lte=day,
        )
        return self.filter(models.Exists(periods))

    def in_force_on(self, day: datetime.date) -> AgreementQuerySet:
        return self.in_status_on([Status.IN_FORCE], day)

    def with_details(self) -> AgreementQuerySet:
        """Everything a list or detail view shows, in a fixed number of queries."""
        from .models import AgreementSource, Clause, ClauseCategory, Signatory, StatusEvent

        return self.select_related("party_a", "party_b").prefetch_related(
            models.Prefetch(
                "signatories",
                queryset=Signatory.objects.select_related("person", "party", "source").prefetch_related(
                    "person__other_names"
                ),
            ),
            models.Prefetch(
                "clauses",
                queryset=Clause.objects.select_related("source").prefetch_related(
                    models.Prefetch("categories", queryset=ClauseCategory.objects.select_related("parent"))
                ),
            ),
            models.Prefetch("events", queryset=StatusEvent.objects.select_related("party", "source")),
            models.Prefetch("citations", queryset=AgreementSource.objects.select_related("source")),
        )
