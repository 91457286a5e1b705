"""One rule for whether a clause needs a category (``services.rules.CLAUSE_NEEDS_CATEGORY``),
the same in the admin and the API (issue 16: the API took an uncategorised clause that the
admin's form then refused, so the agreement could not be saved there)."""

from __future__ import annotations

import pytest

from agreements.models import Agreement
from agreements.services import rules

from .test_one_write_path import ADD_URL, admin_errors, admin_post, api_body, api_errors, cast  # noqa: F401

pytestmark = pytest.mark.django_db


def uncategorised(cast) -> dict:  # noqa: F811
    body = api_body(cast)
    body["clauses"][1]["categories"] = []
    return body


def test_an_uncategorised_clause_is_taken_by_the_admin_as_by_the_api(cast, editor_client, editor_api):  # noqa: F811
    body = uncategorised(cast)
    assert editor_api.post("/api/agreements/", body, format="json").status_code == 201
    # The same agreement twice: the second is entered knowingly ("Save anyway").
    response = editor_client.post(ADD_URL, admin_post(body) | {"allow_duplicate": "on"})
    assert response.status_code == 302, admin_errors(response)
    for agreement in Agreement.objects.all():
        assert [list(c.categories.all()) == [] for c in agreement.clauses.order_by("position")] == [
            False,
            True,
            False,
            False,
        ]


def test_if_the_rule_changes_both_interfaces_refuse_alike(cast, editor_client, editor_api, monkeypatch):  # noqa: F811
    monkeypatch.setattr(rules, "CLAUSE_NEEDS_CATEGORY", True)
    body = uncategorised(cast)
    through_api = api_errors(editor_api.post("/api/agreements/", body, format="json"))
    through_admin = admin_errors(editor_client.post(ADD_URL, admin_post(body)))
    assert (
        through_api
        == through_admin
        == {"clauses[1].categories": ["Put the clause in at least one category."]}
    )
    assert not Agreement.objects.exists()
