"""The API's runtime contract (issue 15): strict bodies and parameters, conditional requests on
every writable resource, and one voice for the same mistake wherever it is made."""

from __future__ import annotations

import pytest

from ..database_content import snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/agreements/?q=a&q=b", "q"),
        ("/api/agreements/?pair=IQ,IR&pair=IQ,IR", "pair"),
        ("/api/agreements/?signed_after=2017-01-01&signed_after=2018-01-01", "signed_after"),
        ("/api/agreements/?category=logistics&category=counterterrorism", "category"),
        ("/api/agreements/export.csv?country=IR&country=IQ", "country"),
        ("/api/people/?q=a&q=b", "q"),
        ("/api/agreements/?page_size=5&page_size=6", "page_size"),
        ("/api/reports/network/?category=logistics&category=logistics", "category"),
        ("/api/reports/pairs/IQ-IR/?as_of=2018-01-01&as_of=2019-01-01", "as_of"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_a_400_naming_it(api, demo_data, url, parameter):
    before = snapshot()
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][parameter] == [
        f"“{parameter}” is given 2 times; give it once (it takes one value)."
    ]
    assert snapshot() == before


def test_a_multi_valued_filter_may_be_repeated(api, demo_data):
    response = api.get("/api/agreements/?status=signed&status=in_force&kind=memorandum&kind=agreement")
    assert response.status_code == 200, response.content
