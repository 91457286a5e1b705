"""Filters of the API's lists: agreements, people, sources, countries, relations.

Every parameter is validated: an unknown value or a malformed parameter is a 400 that
names it (django-filter's form errors, raised by the backend), never a silently
ignored filter that answers with the whole table. Filters across to-many relations
use ``EXISTS`` subqueries, so each agreement appears once.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from ..choices import (
    LEVEL_OR_SCOPE_CHOICES,
    AgreementKind,
    BodyKind,
    CommitmentState,
    Disclosure,
    Evidence,
    ParticipantRole,
    Status,
)
from ..dates import iso_day_problem
from ..models import Agreement, AgreementRelation, Body, ClauseCategory, Country, Person, Source
from ..pairs import same_parties_problem
from ..parsing import BOOLEAN_HELP, no_such_record, parse_boolean
from ..search import search
from .fields import MAX_ID, UNKNOWN_CATEGORY
from .filterset_base import FilterSet
from .values import invalid_choice


def country_code(value: str, parameter: str) -> str:
    try:
        return Country.objects.lookup(value).code
    except Country.DoesNotExist:
        raise ValidationError({parameter: [f"Unknown country code “{value}”."]}) from None


class StrictBooleanField(forms.CharField):
    """A yes or a no as ``parsing.parse_boolean`` reads it; anything else is an error."""

    def to_python(self, value: object) -> bool | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_boolean(text)
        except ValueError as error:
            raise DjangoValidationError(str(error), code="invalid") from None


@extend_schema_field({"type": "boolean", "description": BOOLEAN_HELP})
class StrictBooleanFilter(filters.Filter):
    """A yes/no filter (django-filter's own BooleanFilter ignores what it cannot read)."""

    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A row's id: a whole number, as the schema says (django-filter's NumberFilter reads decimals)."""

    field_class = forms.IntegerField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time with any offset Python accepts (up to ±24 h), handed on in UTC.

    PostgreSQL reads offsets only up to ±15:59 in SQL text, and the CSV export inlines its
    parameters into a COPY statement: "…T09:26:46-20:22" was a 500 there. In UTC every
    valid time reads the same on both paths; one that falls before year 1 in UTC is a 400.
    """

    def to_python(self, value: object) -> datetime.datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise DjangoValidationError("Give a time from the year 1 on (in UTC).", code="invalid") from None


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class AgreementFilterSet(FilterSet):
    country = filters.CharFilter(method="filter_country", help_text="Either party, by ISO code.")
    pair = filters.CharFilter(
        method="filter_pair", help_text="Both parties, as two ISO codes in any order: `IQ,IR`."
    )
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="Current status; repeat for several."
    )
    kind = filters.MultipleChoiceFilter(choices=AgreementKind.choices)
    evidence = filters.ChoiceFilter(choices=Evidence.choices)
    category = filters.ModelChoiceFilter(
        queryset=ClauseCategory.objects.all(),
        to_field_name="slug",
        method="filter_category",
        help_text="A clause category slug; includes its subcategories.",
    )
    signed_after = filters.DateFilter(
        field_name="signed_on",
        lookup_expr="gte",
        help_text="Signed on or after (a partial date counts from its start).",
    )
    signed_before = filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", help_text="Signed on or before."
    )
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Changed at or after this time (for incremental sync).",
    )
    disclosure = filters.MultipleChoiceFilter(
        choices=Disclosure.choices, help_text="Whether the text is published, withheld or unknown."
    )
    level = filters.ChoiceFilter(
        choices=LEVEL_OR_SCOPE_CHOICES,
        method="filter_level",
        help_text="state, government, sub_national, or state_level (states and governments) or all. "
        "Every level when left out.",
    )
    synthetic = StrictBooleanFilter(
        field_name="is_synthetic", help_text="Only generated (or only real) data."
    )
    person = IdFilter(
        method="filter_person",
        min_value=1,
        max_value=MAX_ID,
        help_text="Took part (in the role given by `role`, or in any role).",
    )
    role = filters.ChoiceFilter(
        choices=ParticipantRole.choices, method="filter_role", help_text="Someone took part in this role."
    )
    body = IdFilter(
        method="filter_body",
        min_value=1,
        max_value=MAX_ID,
        help_text="A body committed for a side, or a participant acted for it.",
    )
    commitment_state = filters.MultipleChoiceFilter(
        choices=CommitmentState.choices,
        method="filter_commitment_state",
        help_text="Has a commitment in this state now; repeat for several.",
    )
    due_after = filters.DateFilter(
        method="filter_due_after", help_text="Has a commitment due (after extensions) on or after this day."
    )
    due_before = filters.DateFilter(
        method="filter_due_before", help_text="Has a commitment due (after extensions) on or before this day."
    )
    q = filters.CharFilter(
        method="filter_q",
        max_length=200,
        help_text="Full-text search: title, summary, clause text, any spelling of a participant's name, "
        "a body's name.",
    )

    class Meta:
        model = Agreement
        fields: list[str] = []

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.involving(country_code(value, "country"))

    def filter_pair(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        codes = [code.strip() for code in value.split(",")]
        if len(codes) != 2 or not all(codes):
            raise ValidationError({"pair": ["Give two ISO codes separated by a comma, e.g. IQ,IR."]})
        first, second = (country_code(code, "pair") for code in codes)
        problem = same_parties_problem(first, second)
        if problem:
            raise ValidationError({"pair": [problem]})
        return queryset.for_pair(first, second)

    def filter_category(self, queryset: QuerySet, name: str, value: ClauseCategory) -> QuerySet:
        return queryset.in_category(value)

    def filter_person(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not Person.objects.filter(pk=value).exists():
            raise ValidationError({"person": [no_such_record("person", int(value))]})
        role = self.form.cleaned_data.get("role")
        return queryset.with_participant(person=int(value), role=role or None)

    def filter_role(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.with_participant(role=value)

    def filter_body(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not Body.objects.filter(pk=value).exists():
            raise ValidationError({"body": [no_such_record("body", int(value))]})
        return queryset.acted_for_by(int(value))

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.at_level(value)

    def filter_commitment_state(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.with_commitment(state__in=value) if value else queryset

    def filter_due_after(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.with_commitment(due_current__gte=value)

    def filter_due_before(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.with_commitment(due_current__lte=value)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        matched, ranked = search(queryset, value)
        # Best matches first, unless the client asks for an ordering (applied after this).
        return matched.order_by(F("search_rank").desc(), "-id") if ranked else matched


class PersonFilterSet(FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=200, help_text="Any of the person's names, in part.")

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.matching(value)


class BodyFilterSet(FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=200, help_text="Any of the body's names, in part.")
    country = filters.CharFilter(method="filter_country", help_text="The country it belongs to (ISO code).")
    kind = filters.ChoiceFilter(choices=BodyKind.choices)

    class Meta:
        model = Body
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Body], name: str, value: str) -> QuerySet[Body]:
        return queryset.matching(value)

    def filter_country(self, queryset: QuerySet[Body], name: str, value: str) -> QuerySet[Body]:
        return queryset.filter(country=country_code(value, "country"))


class SourceFilterSet(FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=200, help_text="Title, publisher or URL, in part.")
    publisher = filters.CharFilter(lookup_expr="iexact", max_length=200)

    class Meta:
        model = Source
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Source], name: str, value: str) -> QuerySet[Source]:
        return queryset.filter(
            Q(title__icontains=value) | Q(publisher__icontains=value) | Q(url__icontains=value)
        )


class CountryFilterSet(FilterSet):
    q = filters.CharFilter(
        method="filter_q",
        max_length=100,
        help_text=(
            "Any name, in part (ISO's, CLDR's and everyday ones: Turkey, UK, Ivory Coast, Persia …), "
            "or an ISO code. Best first: an exact code, then an exact name, then names starting with it."
        ),
    )
    former = StrictBooleanFilter(field_name="is_former", help_text="Only former (or only current) states.")

    class Meta:
        model = Country
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Country], name: str, value: str) -> QuerySet[Country]:
        return queryset.matching(value)


class RelationFilterSet(FilterSet):
    agreement = IdFilter(
        method="filter_agreement", min_value=1, max_value=MAX_ID, help_text="Either side of the relation."
    )
    kind = filters.ChoiceFilter(choices=AgreementRelation._meta.get_field("kind").choices)

    class Meta:
        model = AgreementRelation
        fields: list[str] = []

    def filter_agreement(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(Q(from_agreement=value) | Q(to_agreement=value))


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, minus its cost when a request uses no filter.

    Building and validating a FilterSet's form costs about 0.8 ms; a request that
    names none of its parameters has nothing to filter or to refuse.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not set(request.query_params) & set(filterset_class.base_filters):
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset.form, request.query_params))
        return filterset.qs


def filter_errors(form: forms.Form, given) -> dict[str, list[str]]:
    """The form's errors in the API's voice: a choice names the value sent and the valid ones
    (or the endpoint that lists them); a date says what is wrong with it and the form to use."""
    errors: dict[str, list[str]] = {}
    for name, problems in form.errors.as_data().items():
        field = form.fields.get(name)
        for problem in problems:
            message = " ".join(problem.messages)
            if problem.code == "invalid_choice" and isinstance(field, forms.ModelChoiceField):
                if field.queryset.model is ClauseCategory:
                    message = UNKNOWN_CATEGORY.format(value=given.get(name, ""))
            elif problem.code == "invalid_choice" and isinstance(field, forms.ChoiceField):
                value = (problem.params or {}).get("value", given.get(name, ""))
                message = invalid_choice(value, [key for key, _ in field.choices])
            elif problem.code == "invalid" and isinstance(field, forms.DateField):
                message = iso_day_problem(given.get(name, ""))
            errors.setdefault(name, []).append(message)
    return errors


class StrictOrderingFilter(OrderingFilter):
    """Ordering by the whitelisted fields only; an unknown field is a 400, not ignored."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            fields = [term.strip() for term in raw.split(",")]
            allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
            unknown = [term for term in fields if term.lstrip("-") not in allowed]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {', '.join(unknown)}; use one of {', '.join(sorted(allowed))}."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        # Nulls last whichever the database, and a unique tie-breaker so pages are stable.
        terms = [
            F(term[1:]).desc(nulls_last=True) if term.startswith("-") else F(term).asc(nulls_last=True)
            for term in ordering
        ]
        return queryset.order_by(*terms, "id")
