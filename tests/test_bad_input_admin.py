"""The bad-input battery (tests/api/test_bad_input.py) for the admin's own GET parameters:
list filters, search, ordering, paging, date drill-down and autocompletes. A bad value is
a 400 or ignored (Django's admin redirects to ``?e=1``), never a 500, and changes nothing.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from agreements.models import Agreement

from .database_content import snapshot

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    "a\x00b",
    "9223372036854775808",
    "-9223372036854775809",
    "abc",
    "2017-02-30",
    "\u202e" + "x" * 2000,
]
# Parameters every change list reads besides its filters.
CHANGE_LIST_PARAMETERS = ["q", "o", "p", "e", "all", "_facets", "_popup", "_to_field"]


def parameters_of(model_admin: admin.ModelAdmin) -> list[str]:
    names = list(CHANGE_LIST_PARAMETERS)
    for entry in model_admin.list_filter:
        if isinstance(entry, str):
            names += [f"{entry}__exact", f"{entry}__in"]
        elif isinstance(entry, tuple):
            names += [f"{entry[0]}__exact", entry[0]]
        else:
            names.append(entry.parameter_name)
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names


def change_lists() -> list[tuple[str, str]]:
    cases = []
    for model, model_admin in admin.site._registry.items():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        cases += [(url, name) for name in parameters_of(model_admin)]
    return cases


@pytest.mark.parametrize(("url", "parameter"), change_lists())
def test_a_bad_value_of_any_change_list_parameter_is_never_a_500(admin_client, url, parameter):
    # No data needed: PostgreSQL refuses a NUL or an out-of-range number whatever the tables hold.
    before = snapshot()
    for value in BAD_VALUES:
        response = admin_client.get(url, {parameter: value})
        assert response.status_code < 500, (url, parameter, value)
        if "\x00" in value:
            assert response.status_code == 400, (url, parameter, value)
            assert "NUL character" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("value", BAD_VALUES)
def test_a_nul_in_a_parameter_name_is_a_400(admin_client, value):
    response = admin_client.get("/admin/agreements/agreement/", {f"party{value}\x00": "IR"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize(
    ("model_name", "field_name"),
    [
        ("agreement", "party_a"),
        ("participant", "person"),
        ("clause", "categories"),
        ("participant", "source"),
    ],
)
def test_autocompletes_take_any_term(admin_client, model_name, field_name, value):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": value, "app_label": "agreements", "model_name": model_name, "field_name": field_name},
    )
    assert response.status_code in (200, 400, 403, 404), response.content
    if "\x00" in value:
        assert response.status_code == 400


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("parameter", ["term", "app_label", "model_name", "field_name", "page"])
def test_autocomplete_parameters_are_checked(admin_client, parameter, value):
    query = {"term": "Ir", "app_label": "agreements", "model_name": "agreement", "field_name": "party_a"}
    response = admin_client.get(reverse("admin:autocomplete"), {**query, parameter: value})
    assert response.status_code < 500, (parameter, value)


@pytest.mark.parametrize("value", BAD_VALUES)
def test_the_history_and_deleted_pages_take_any_parameter(admin_client, demo_data, value):
    agreement = Agreement.objects.order_by("pk").first()
    for url in [
        "/admin/agreements/agreement/deleted/",
        f"/admin/agreements/agreement/{agreement.pk}/history/",
    ]:
        assert admin_client.get(url, {"p": value, "q": value}).status_code < 500
