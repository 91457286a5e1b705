"""The CSV export: every agreement the list's filters select, streamed, the same bytes on both engines.

The expected rows below are exact strings, so the same test passing on PostgreSQL (COPY)
and on SQLite (csv.writer) shows that the two paths write identical files.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.utils import timezone

from agreements.choices import EventType
from agreements.dates import DatePrecision, PartialDate
from agreements.models import Agreement
from agreements.reports import export
from agreements.services import EventIn

from ..factories import make_agreement
from ..queries import time_limit_queries

pytestmark = pytest.mark.django_db
EXPORT = "/api/agreements/export.csv"


def body(response) -> str:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body(response))))


@pytest.fixture
def tricky():
    """An agreement whose text needs quoting, with partial dates, a ratification and no summary."""
    agreement = make_agreement(
        title='Memorandum "on defence", with a comma\nand a second line',
        parties=("IR", "IQ"),
        events=[
            EventIn(EventType.SIGNED, PartialDate.of(datetime.date(2017, 7, 1), DatePrecision.MONTH)),
            EventIn(EventType.IN_FORCE, PartialDate(datetime.date(2018, 1, 15))),
        ],
        place_of_signature="Tehran",
        disclosure="published",
        wikidata_qid="Q123",
    )
    moment = datetime.datetime(2020, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.UTC)
    Agreement.objects.filter(pk=agreement.pk).update(created_at=moment, updated_at=moment)
    return Agreement.objects.get(pk=agreement.pk)


def test_the_header_and_a_row_are_exactly_these_bytes(api, tricky):
    text = body(api.get(EXPORT))
    assert text == (
        export.HEADER + f"{tricky.pk},"
        '"Memorandum ""on defence"", with a comma\nand a second line",'
        "memorandum,IQ,IR,,,state,in_force,2017-07-01,month,2018-01-15,day,,,Tehran,published,news_reports,"
        ",Q123,,,,,0,"
        f"{tricky.version},2020-05-06T07:08:09Z,2020-05-06T07:08:09Z\n"
    )
    assert api.get(EXPORT)["Content-Disposition"] == 'attachment; filename="agreements.csv"'


def test_every_agreement_in_the_lists_order(api, demo_data):
    for n in range(3):
        make_agreement(title=f"Extra {n}", signed=datetime.date(2000 + n, 1, 1))
    exported = [int(row["id"]) for row in rows(api.get(EXPORT))]
    listed = [item["id"] for item in api.get("/api/agreements/?page_size=500").json()["results"]]
    assert exported == listed
    assert len(exported) == Agreement.objects.count() == 6


def test_the_same_address_answers_with_or_without_the_suffix(api, demo_data):
    assert body(api.get(EXPORT)) == body(api.get("/api/agreements/export/"))


def test_the_lists_filters_and_ordering_apply(api, demo_data):
    make_agreement(title="Syria pact", parties=("IR", "SY"))
    assert {row["title"] for row in rows(api.get(f"{EXPORT}?pair=SY,IR"))} == {"Syria pact"}
    assert len(rows(api.get(f"{EXPORT}?country=IQ"))) == 3
    by_title = [row["title"] for row in rows(api.get(f"{EXPORT}?ordering=title"))]
    assert by_title == sorted(by_title)
    found = rows(api.get(f"{EXPORT}?q=Dehghan"))
    assert found
    assert all(set(row) == set(export.COLUMNS) for row in found), "a search adds no column"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("page=2", "page"), ("cursor=", "cursor"), ("colour=red", "colour"), ("kind=bogus", "kind")],
)
def test_unknown_or_malformed_parameters_are_a_400_in_json(api, demo_data, query, parameter):
    response = api.get(f"{EXPORT}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert parameter in response.json()["errors"]


def test_only_csv_is_offered_and_refusals_are_json(api, admin_api, demo_data):
    # Issue 15: a format not served is a 400 listing the ones served (it was a 404).
    refused = api.get("/api/agreements/export.json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["format"] == ["“json” is not a format served here; use one of csv."]
    refused = api.get("/api/agreements/export/", HTTP_ACCEPT="application/json")
    assert (refused.status_code, refused["Content-Type"]) == (406, "application/json")
    for method in ("post", "delete", "trace"):
        response = getattr(admin_api, method)("/api/agreements/export/")
        assert (response.status_code, response["Content-Type"]) == (405, "application/json")
    assert api.options("/api/agreements/export/").status_code == 200


def test_one_query_for_2_or_50_agreements(api, django_assert_num_queries):
    """COPY on PostgreSQL, one chunked cursor on SQLite: the count must not grow with the rows."""
    make_agreement(title="First")
    make_agreement(title="Second")
    # + the export's time limit (STREAM_TIME_LIMIT)
    with django_assert_num_queries(1 + time_limit_queries()):
        assert len(rows(api.get(EXPORT))) == 2
    for n in range(48):
        make_agreement(title=f"More {n}")
    with django_assert_num_queries(1 + time_limit_queries()):
        assert len(rows(api.get(EXPORT))) == 50


def test_large_exports_come_in_several_chunks(api, demo_data, monkeypatch):
    for n in range(30):
        make_agreement(title=f"Agreement number {n} " + "x" * 200)
    whole = body(api.get(EXPORT))
    monkeypatch.setattr(export, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 4)
    chunks = list(api.get(EXPORT).streaming_content)
    assert len(chunks) > 4
    assert b"".join(chunks).decode() == whole


# Outside a test transaction, as a server runs: an abandoned COPY is cancelled, which would
# abort an enclosing transaction but leaves an autocommit connection ready for the next request.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_that_stops_reading_leaves_the_connection_usable(api, demo_data, monkeypatch):
    for n in range(30):
        make_agreement(title=f"Agreement number {n} " + "x" * 200)
    monkeypatch.setattr(export, "CHUNK_BYTES", 512)
    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 2)
    response = api.get(EXPORT)
    stream = iter(response.streaming_content)
    next(stream)
    next(stream)
    response.close()  # what the server does when the client goes away
    assert Agreement.objects.count() == 33


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_on_postgresql_the_database_writes_the_rows_with_copy(api, demo_data, django_assert_num_queries):
    with django_assert_num_queries(2) as captured:  # the time limit, then the COPY
        body(api.get(EXPORT))
    assert "statement_timeout" in captured.captured_queries[0]["sql"]
    assert captured.captured_queries[1]["sql"].startswith("COPY (SELECT")
    assert captured.captured_queries[1]["sql"].endswith("TO STDOUT WITH (FORMAT csv)")


def test_timestamps_are_utc_whatever_the_time_zone(api, settings):
    settings.TIME_ZONE = "Asia/Tehran"
    agreement = make_agreement(title="Zoned")
    moment = timezone.make_aware(datetime.datetime(2020, 1, 1, 3, 30), timezone.get_fixed_timezone(210))
    Agreement.objects.filter(pk=agreement.pk).update(created_at=moment)
    assert rows(api.get(EXPORT))[0]["created_at"] == "2020-01-01T00:00:00Z"
