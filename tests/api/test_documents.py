"""The read path: documents built by the database, in a fixed number of queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.api.serializers import AgreementSerializer
from agreements.models import Agreement
from agreements.reports.documents import with_documents

from ..factories import make_agreement

pytestmark = pytest.mark.django_db


def test_the_database_document_is_exactly_what_the_serializer_describes(demo_data):
    """The schema documents AgreementSerializer; the API serves the SQL document. They must agree."""
    for agreement in Agreement.objects.with_details():
        document = json.loads(with_documents(Agreement.objects.filter(pk=agreement.pk)).get()["document"])
        expected = json.loads(json.dumps(AgreementSerializer(agreement).data))
        assert document == expected


def test_documents_of_agreements_without_parts_have_empty_arrays():
    agreement = make_agreement(signed=None)
    document = json.loads(with_documents(Agreement.objects.filter(pk=agreement.pk)).get()["document"])
    assert (document["participants"], document["clauses"], document["events"]) == ([], [], [])
    assert (document["status"], document["signed_on"]) == ("", None)
    assert document == json.loads(json.dumps(AgreementSerializer(agreement).data))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "url",
    [
        "/api/agreements/",
        "/api/agreements/?cursor=",
        "/api/agreements/?q=memorandum",
        "/api/agreements/?category=logistics",
    ],
)
def test_a_list_costs_the_same_queries_for_2_or_50_agreements(api, demo_data, url):
    with_three = queries_for(api, url)
    for n in range(47):
        make_agreement(title=f"Memorandum {n}", parties=("IR", "IQ"))
    assert queries_for(api, url) == with_three


def test_a_page_is_a_count_its_keys_and_their_documents(api, demo_data, django_assert_num_queries):
    # Each list reads the data version first (its ETag: a 304 stops there).
    # The version, the count, then on PostgreSQL the first page's rows with their documents (it
    # builds them after its LIMIT), on SQLite the page's keys and their documents.
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 4):
        api.get("/api/agreements/")
    with django_assert_num_queries(4):  # a later page: its keys first (an offset skips rows)
        api.get("/api/agreements/?page=2&page_size=1")
    with django_assert_num_queries(2):  # cursor mode: no count
        api.get("/api/agreements/?cursor=")


def test_a_detail_is_one_query(api, demo_data, django_assert_num_queries):
    pk = Agreement.objects.first().pk
    with django_assert_num_queries(1):
        assert api.get(f"/api/agreements/{pk}/").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite reads agreement_signed_on backwards")
def test_the_first_page_reads_the_list_order_index_instead_of_sorting_the_table(api, demo_data):
    """At 250,000 agreements, sorting the table for the first page cost 150 ms (issue 6)."""
    with CaptureQueriesContext(connection) as captured:
        api.get("/api/agreements/")
    # The page's query (its rows and their documents on PostgreSQL), the last with a LIMIT.
    page = next(q["sql"] for q in reversed(captured.captured_queries) if "LIMIT" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # three rows would be read whole otherwise
        cursor.execute(f"EXPLAIN {page}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "agreement_list_order" in plan
    assert "Sort Key: agreements_agreement.signed_on" not in plan


def test_a_numbered_page_builds_documents_for_its_own_rows_only(api, demo_data):
    """Page 2 of 1-row pages: the documents' query names the page's one agreement, and no
    query both skips rows (OFFSET) and builds documents."""
    with CaptureQueriesContext(connection) as captured:
        body = api.get("/api/agreements/?page_size=1&page=2").json()
    (shown,) = body["results"]
    builds = [q["sql"] for q in captured.captured_queries if "json" in q["sql"].lower()]
    assert builds
    assert all("OFFSET" not in sql.upper() for sql in builds)
    everything = api.get("/api/agreements/?page_size=3").json()["results"]
    assert shown == everything[1]
