"""Reusable queries over agreements: the one definition of each question the interfaces ask."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import models

from .choices import Status, levels_of
from .pairs import canonical_pair, country_code

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from .models import ClauseCategory, Country


def status_on(day: datetime.date, statuses: Sequence[str]) -> models.Exists:
    """The agreement (``OuterRef('pk')``) had one of ``statuses`` on ``day``.

    Asked of the status periods; a partial date counts from the first day of its period.
    Usable as a filter and inside an aggregate (``Count(..., filter=Q(status_on(...)))``).
    """
    from .models import StatusPeriod

    return models.Exists(
        StatusPeriod.objects.filter(
            models.Q(end__isnull=True) | models.Q(end__gt=day),
            agreement=models.OuterRef("pk"),
            status__in=list(statuses),
            start__lte=day,
        )
    )


def in_force_on(day: datetime.date) -> models.Exists:
    return status_on(day, [Status.IN_FORCE])


class AgreementQuerySet(models.QuerySet):
    def for_pair(self, a: Country | str, b: Country | str) -> AgreementQuerySet:
        """Agreements between ``a`` and ``b``, in whichever order they are given."""
        party_a, party_b = canonical_pair(a, b)
        return self.filter(party_a=party_a, party_b=party_b)

    def involving(self, country: Country | str) -> AgreementQuerySet:
        code = country_code(country)
        return self.filter(models.Q(party_a=code) | models.Q(party_b=code))

    def in_category(self, category: ClauseCategory | str) -> AgreementQuerySet:
        """Agreements with a clause in ``category`` (an instance or a slug) or any of its subcategories.

        A semi-join on the tag table: one pass, however many agreements there are, and each
        agreement once however many of its clauses match.
        """
        from .models import Clause, ClauseCategory

        key = models.Q(slug=category) if isinstance(category, str) else models.Q(pk=category.pk)
        parent = (
            models.Q(parent__slug=category) if isinstance(category, str) else models.Q(parent=category.pk)
        )
        tree = ClauseCategory.objects.filter(key | parent)
        tagged = Clause.categories.through.objects.filter(clausecategory__in=tree.values("pk"))
        return self.filter(pk__in=tagged.values("clause__agreement_id"))

    def with_participant(self, *, person: int | None = None, role: str | None = None) -> AgreementQuerySet:
        """Agreements in which ``person`` took part (in ``role``, or in any role), or anyone in ``role``."""
        from .models import Participant

        conditions = {"agreement": models.OuterRef("pk")}
        if person is not None:
            conditions["person"] = person
        if role is not None:
            conditions["role"] = role
        return self.filter(models.Exists(Participant.objects.filter(**conditions)))

    def acted_for_by(self, body: int) -> AgreementQuerySet:
        """Agreements where ``body`` committed for a side or a participant acted for it."""
        from .models import Participant

        participants = Participant.objects.filter(agreement=models.OuterRef("pk"), body=body)
        return self.filter(models.Q(body_a=body) | models.Q(body_b=body) | models.Exists(participants))

    def with_commitment(self, **conditions) -> AgreementQuerySet:
        """Agreements with a commitment meeting ``conditions`` (field lookups of ``Commitment``)."""
        from .models import Commitment

        return self.filter(
            models.Exists(Commitment.objects.filter(agreement=models.OuterRef("pk"), **conditions))
        )

    def at_level(self, scope: str) -> AgreementQuerySet:
        """Agreements of one ``Level``, or of a ``LevelScope`` (``state_level``: states and
        governments; ``all``: every level)."""
        levels = levels_of(scope)
        return self if levels is None else self.filter(level__in=levels)

    def in_status_on(self, statuses: list[str], day: datetime.date) -> AgreementQuerySet:
        """Agreements whose status on ``day`` was one of ``statuses``."""
        return self.filter(status_on(day, statuses))

    def in_force_on(self, day: datetime.date) -> AgreementQuerySet:
        return self.filter(in_force_on(day))

    def with_details(self) -> AgreementQuerySet:
        """Everything a list or detail view shows, in a fixed number of queries."""
        from .models import (
            AgreementSource,
            Clause,
            ClauseCategory,
            Commitment,
            ImplementationEvent,
            Participant,
            StatusEvent,
        )

        return self.select_related("party_a", "party_b", "body_a", "body_b").prefetch_related(
            models.Prefetch(
                "participants",
                queryset=Participant.objects.select_related(
                    "person", "party", "source", "body"
                ).prefetch_related("person__other_names"),
            ),
            models.Prefetch(
                "commitments",
                queryset=Commitment.objects.select_related("party", "source").prefetch_related(
                    "clauses",
                    models.Prefetch("events", queryset=ImplementationEvent.objects.select_related("source")),
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


class ChangeEventQuerySet(models.QuerySet):
    """The questions feeds, digests and webhooks ask of the outbox; each is one query."""

    def for_pair(self, a: Country | str, b: Country | str) -> ChangeEventQuerySet:
        party_a, party_b = canonical_pair(a, b)
        return self.filter(party_a=party_a, party_b=party_b)

    def involving(self, country: Country | str) -> ChangeEventQuerySet:
        code = country_code(country)
        return self.filter(models.Q(party_a=code) | models.Q(party_b=code))

    def in_category(self, slug: str) -> ChangeEventQuerySet:
        """Events of agreements with a clause in the category or one of its subcategories
        (the events carry the parents of their categories)."""
        from .models import ChangeEventCategory

        return self.filter(
            models.Exists(ChangeEventCategory.objects.filter(event=models.OuterRef("pk"), slug=slug))
        )

    def watched_by(self, user: AbstractBaseUser | int) -> ChangeEventQuerySet:
        """Events of the pairs, countries and categories ``user`` watches, however many."""
        from .models import ChangeEventCategory, Watch

        watches = Watch.objects.filter(user=user)
        ref = models.OuterRef
        pair = models.Exists(watches.filter(party_a=ref("party_a"), party_b=ref("party_b")))
        country = models.Exists(watches.filter(country=ref("party_a"))) | models.Exists(
            watches.filter(country=ref("party_b"))
        )
        category = models.Exists(
            ChangeEventCategory.objects.filter(
                event=ref("pk"), slug__in=watches.filter(category__isnull=False).values("category__slug")
            )
        )
        return self.filter(pair | country | category)
