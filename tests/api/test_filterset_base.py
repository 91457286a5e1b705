"""The FilterSet base builds its form class once and copies filters shallowly: each request's
filters must still call their own FilterSet, and one request's form must not leak into another's."""

import pytest
from django.http import QueryDict

from agreements.api.filters import AgreementFilterSet, PersonFilterSet
from agreements.choices import ParticipantRole
from agreements.models import Agreement, Person
from agreements.services import ParticipantIn

from ..factories import make_agreement

pytestmark = pytest.mark.django_db


def filterset(query: str) -> AgreementFilterSet:
    return AgreementFilterSet(QueryDict(query), Agreement.objects.all())


def test_each_filterset_has_filters_of_its_own_that_call_it():
    first, second = filterset("q=water"), filterset("q=oil")
    assert first.filters["q"] is not second.filters["q"]
    assert first.filters["q"].parent is first
    assert second.filters["q"].parent is second
    assert first.filters["q"].filter.f is first.filters["q"]
    declared = AgreementFilterSet.base_filters["q"]
    assert not hasattr(declared, "parent")
    assert declared.filter.f is declared


def test_form_class_is_built_once_per_class_and_fields_are_per_form():
    first, second = filterset("q=water"), filterset("status=in_force")
    assert type(first.form) is type(second.form)
    assert first.form.fields["q"] is not second.form.fields["q"]
    assert type(PersonFilterSet(QueryDict("q=a"), Person.objects.all()).form) is not type(first.form)
    assert set(first.form.fields) == set(AgreementFilterSet.base_filters)


def test_a_form_error_stays_with_its_request():
    bad, good = filterset("status=nope"), filterset("status=in_force")
    assert not bad.is_valid()
    assert "status" in bad.form.errors
    assert good.is_valid()
    assert good.form.cleaned_data["status"] == ["in_force"]


def test_method_filters_read_their_own_requests_values(api):
    """``person`` reads ``role`` from its own FilterSet's form: two requests in a row must not
    see each other's values (a filter method bound to a shared filter would)."""
    person = Person.objects.create(name="Hossein Dehqan")
    make_agreement(title="Signed by him", participants=[ParticipantIn(person, "IR", ParticipantRole.SIGNED)])
    make_agreement(
        title="Witnessed by him", participants=[ParticipantIn(person, "IR", ParticipantRole.WITNESSED)]
    )
    make_agreement(title="Without him")

    def titles(query: str) -> list[str]:
        response = api.get(f"/api/agreements/?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["title"] for row in response.json()["results"])

    assert titles(f"person={person.pk}&role=witnessed") == ["Witnessed by him"]
    assert titles(f"person={person.pk}") == ["Signed by him", "Witnessed by him"]
    assert titles(f"person={person.pk}&role=signed") == ["Signed by him"]
