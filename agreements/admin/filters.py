"""Change-list filters. Each runs one query for its choices, whatever the page size."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear

from ..models import Agreement, ClauseCategory, Country
from ..parsing import is_whole_number


class PartyFilter(admin.SimpleListFilter):
    """Agreements in which a country is either party; lists only countries that have any."""

    title = "party"
    parameter_name = "party"

    def lookups(self, request, model_admin):
        # One indexed probe per country, rather than scanning every agreement.
        involved = Exists(Agreement.objects.filter(party_a=OuterRef("pk"))) | Exists(
            Agreement.objects.filter(party_b=OuterRef("pk"))
        )
        return list(Country.objects.filter(involved).values_list("code", "name"))

    def queryset(self, request, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
        if self.value():
            return queryset.involving(self.value())
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    """Agreements with a clause in a category or any of its subcategories."""

    title = "clause category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        categories = ClauseCategory.objects.select_related("parent").order_by("parent__name", "name")
        tree = sorted(categories, key=lambda c: (c.root.name, c.parent_id is not None, c.name))
        return [(c.slug, f"— {c.name}" if c.parent_id else c.name) for c in tree]

    def queryset(self, request, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
        if self.value():
            in_tree = Q(clauses__categories__slug=self.value()) | Q(
                clauses__categories__parent__slug=self.value()
            )
            return queryset.filter(pk__in=Agreement.objects.filter(in_tree).values("pk"))
        return queryset


class SignatureYearFilter(admin.SimpleListFilter):
    title = "signature year"
    parameter_name = "signed_year"

    def lookups(self, request, model_admin):
        years = (
            Agreement.objects.exclude(signed_on=None)
            .annotate(year=ExtractYear("signed_on"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
        if self.value() and is_whole_number(self.value()):
            return queryset.filter(signed_on__year=int(self.value()))
        return queryset
