"""Bounded work per request (``agreements/web/bounds.py``): time limits on the reports'
queries, stream slots and the streams' time limit, and the anonymous dyad-year cap. The
stalled readers, against a real gunicorn, are in test_stalled_readers.py."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from agreements import reports
from agreements.web.bounds import StreamCutError

from .factories import make_agreement

# A query stopped by its time limit leaves the test's own transaction unusable: these tests
# commit instead of rolling back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def slow_query() -> None:
    """A query that runs until it is stopped."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_sleep(30)")
        else:
            cursor.execute(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"
            )


@pytest.fixture
def slow_pair_report(monkeypatch, settings):
    settings.REPORT_TIME_LIMIT = 0.3

    def pair_summary(*args, **kwargs):
        slow_query()

    monkeypatch.setattr(reports, "pair_summary", pair_summary)


def test_a_report_over_its_time_limit_is_a_503_saying_what_to_narrow(api, slow_pair_report):
    response = api.get("/api/reports/pairs/IR-IQ/")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "0.3 s" in detail
    assert "narrow it" in detail
    # The connection is back to no limit for what follows.
    assert api.get("/api/countries/IR/").status_code == 200
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"


def test_a_report_page_over_its_time_limit_is_a_503_page(client, slow_pair_report):
    response = client.get("/reports/pairs/IR-IQ/")
    assert response.status_code == 503
    assert "took too long" in response.content.decode()


def test_streams_beyond_the_slots_of_a_process_are_503_with_retry_after(api, settings):
    settings.STREAMS_PER_PROCESS = 1
    make_agreement(title="One")
    held = api.get("/api/agreements/export.csv")
    assert held.status_code == 200
    refused = api.get("/api/agreements/export.csv")
    assert refused.status_code == 503
    assert int(refused["Retry-After"]) > 0
    assert "busy" in refused.json()["detail"]
    held.close()  # what the server does when the response is sent
    again = api.get("/api/agreements/export.csv")
    assert again.status_code == 200
    assert b"".join(again.streaming_content).count(b"\n") == 2


def test_a_stream_past_its_time_limit_ends_without_its_end(api, settings):
    settings.STREAM_TIME_LIMIT = 0
    make_agreement(title="One")
    response = api.get("/api/reports/dyad-years.csv", {"start_year": 2000, "end_year": 2001})
    assert response.status_code == 200
    with pytest.raises(StreamCutError):
        b"".join(response.streaming_content)


@pytest.mark.parametrize("extension", ["csv", "json"])
def test_an_anonymous_panel_is_capped_with_the_way_to_the_full_panel(api, settings, editor, extension):
    settings.PANEL_ANONYMOUS_MAX_ROWS = 1000
    url = f"/api/reports/dyad-years.{extension}"
    too_big = {"all_pairs": "true", "country": "IR", "start_year": 2000, "end_year": 2009}
    refused = api.get(url, too_big)
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    message = " ".join(refused.json()["errors"]["non_field_errors"])
    assert "pairs × 10 years" in message
    assert "/api/auth/token/" in message
    assert "/api/agreements/export.csv" in message
    assert api.get(url, {**too_big, "end_year": 2002}).status_code == 200  # 3 years: within the cap

    signed_in = APIClient()
    signed_in.force_authenticate(editor)
    response = signed_in.get(url, too_big)
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content)) > 0
