"""A page's count: exact up to API_EXACT_COUNT_LIMIT, PostgreSQL's estimate beyond, and paging
that does not trust an estimate."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement
from agreements.reports.counting import count_rows

from ..factories import AgreementFactory, country

pytestmark = pytest.mark.django_db
LIST = "/api/agreements/"
ROWS = 7


@pytest.fixture
def agreements():
    rows = AgreementFactory.create_batch(ROWS)
    with connection.cursor() as cursor:
        # The estimate comes from the planner's statistics, as after any bulk write.
        cursor.execute("ANALYZE agreements_agreement" if connection.vendor == "postgresql" else "ANALYZE")
    return rows


def every_title(api, url: str) -> list[str]:
    titles = []
    while url:
        body = api.get(url).json()
        titles += [row["title"] for row in body["results"]]
        url = body["next"]
    return titles


def test_within_the_limit_the_count_is_exact(api, agreements, settings):
    settings.API_EXACT_COUNT_LIMIT = ROWS
    body = api.get(f"{LIST}?page_size=2").json()
    assert (body["count"], body["count_is_exact"]) == (ROWS, True)
    assert list(body)[:2] == ["count", "count_is_exact"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner estimate")
def test_beyond_the_limit_postgresql_estimates_and_paging_still_reaches_every_row(api, agreements, settings):
    settings.API_EXACT_COUNT_LIMIT = 3
    with CaptureQueriesContext(connection) as captured:
        body = api.get(f"{LIST}?page_size=2").json()
    assert body["count_is_exact"] is False
    assert body["count"] >= 4  # the bounded count proved more than the limit
    sql = [query["sql"] for query in captured.captured_queries]
    assert any(statement.startswith("EXPLAIN (FORMAT JSON)") for statement in sql)
    assert not any("COUNT(*)" in statement and "LIMIT" not in statement for statement in sql)
    # next links come from the rows, not from the estimate: every row once, then no next.
    assert sorted(every_title(api, f"{LIST}?page_size=2")) == sorted(a.title for a in agreements)
    last = api.get(f"{LIST}?page_size=2&page=4").json()
    assert (len(last["results"]), last["next"]) == (1, None)
    assert api.get(f"{LIST}?page_size=2&page=5").status_code == 404


def test_sqlite_counts_exactly_whatever_the_limit(api, agreements, settings):
    settings.API_EXACT_COUNT_LIMIT = 3
    body = api.get(f"{LIST}?page_size=2").json()
    if connection.vendor == "postgresql":
        assert body["count_is_exact"] is False
    else:
        assert (body["count"], body["count_is_exact"]) == (ROWS, True)


def test_a_filtered_list_under_the_limit_is_exact_although_the_table_is_not(api, agreements, settings):
    settings.API_EXACT_COUNT_LIMIT = 3
    AgreementFactory(party_a=country("AF"), party_b=country("IR"))
    body = api.get(LIST, {"pair": "AF,IR"}).json()
    assert (body["count"], body["count_is_exact"], len(body["results"])) == (1, True, 1)


def test_a_list_that_is_no_queryset_is_counted_by_length():
    assert count_rows([1, 2, 3], limit=1).exact is True
    assert count_rows(Agreement.objects.none(), limit=1).value == 0


def test_cursor_mode_has_no_count(api, agreements):
    body = api.get(f"{LIST}?cursor=").json()
    assert "count" not in body
    assert "count_is_exact" not in body
