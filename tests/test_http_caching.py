"""HTTP caching by data version: ETags and 304s on lists, reports and pages; no stale answer after a write."""

import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agreements import dataversion
from agreements.models import Agreement, Country

from .factories import make_agreement
from .queries import time_limit_queries
from .servers import ROOT, production_environment
from .test_admin import ADD_URL, new_memorandum

LIST = "/api/agreements/"
PAIR = "/api/reports/pairs/IR-IQ/"
CACHED_GETS = [
    LIST,
    "/api/people/",
    "/api/countries/",
    PAIR,
    "/api/reports/pairs/IR-IQ.csv",
    "/api/reports/countries/IR/",
    "/api/reports/network/",
    "/api/reports/commitments/",
    "/api/reports/dyad-years/?country=IR&start_year=2016&end_year=2018",
    "/reports/",
    "/reports/pairs/IR-IQ/",
    "/reports/countries/IR/",
    "/reports/network/",
    "/reports/commitments/",
]


def read(client, url: str, **headers):
    response = client.get(url, **headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.fixture
def agreement(db):
    return make_agreement(title="Memorandum on military cooperation")


@pytest.mark.parametrize("url", CACHED_GETS)
def test_a_cached_get_has_a_strong_etag_and_answers_304_after_one_query(client, agreement, url):
    first = read(client, url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"dv')
    assert not etag.startswith("W/")
    assert first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert {"Accept", "Authorization", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}
    # Only the data version is read: neither the list's nor the report's queries run.
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert [q["sql"] for q in queries if "agreements_dataversion" not in q["sql"]] == []
    assert len(queries) == 1
    assert again["ETag"] == etag
    assert again.content == b""
    assert again["Cache-Control"] == first["Cache-Control"]
    # If-None-Match decides when it is sent; If-Modified-Since alone otherwise.
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200


def test_the_etag_varies_with_everything_that_changes_the_body(client, agreement, editor):
    def etag(url: str, api: APIClient | None = None, **headers) -> str:
        return read(api or client, url, **headers)["ETag"]

    tags = {
        etag(PAIR),
        etag("/api/reports/pairs/IR-IQ.csv"),
        etag(PAIR, HTTP_ACCEPT="text/csv"),
        etag(PAIR + "?as_of=2018-01-01"),
        etag(LIST),
        etag(LIST + "?page=1"),
    }
    assert len(tags) == 6
    assert etag(PAIR) == etag(PAIR)  # and it is stable
    signed_in = APIClient()
    signed_in.force_authenticate(editor)
    mine = read(signed_in, LIST)
    assert mine["ETag"] != etag(LIST)
    assert mine["Cache-Control"] == "private, no-cache"


def test_a_signed_in_304_costs_the_version_and_the_token(agreement, editor):
    token = Token.objects.create(user=editor)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    first = api.get(LIST)
    assert first["Cache-Control"] == "private, no-cache"
    with CaptureQueriesContext(connection) as queries:
        assert api.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert len(queries) == 2, [q["sql"] for q in queries]


def test_agreement_details_keep_their_record_etags(client, agreement, django_assert_num_queries):
    response = client.get(f"{LIST}{agreement.pk}/")
    assert response["ETag"] == f'"agreement-{agreement.pk}-v{agreement.version}"'
    with django_assert_num_queries(1):  # the version alone: a 304 never builds the document
        again = client.get(f"{LIST}{agreement.pk}/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]
    stale = client.get(f"{LIST}{agreement.pk}/", HTTP_IF_NONE_MATCH=f'"agreement-{agreement.pk}-v0"')
    assert stale.status_code == 200
    assert stale.json()["id"] == agreement.pk
    assert client.get(f"{LIST}999999/", HTTP_IF_NONE_MATCH='"x"').status_code == 404


def test_a_repeated_report_is_kept_in_the_shared_cache(client, agreement, django_assert_num_queries):
    client.get(PAIR)
    limit = time_limit_queries()
    with django_assert_num_queries(1 + limit):  # the version; the report is kept
        assert client.get(PAIR).status_code == 200
    with django_assert_num_queries(1 + limit):
        assert client.get("/reports/pairs/IR-IQ/").status_code == 200  # the page shares the API's report


def test_http_caching_settings(client, agreement, settings):
    settings.HTTP_CACHE_MAX_AGE = 0
    assert client.get(LIST)["Cache-Control"] == "public, no-cache"
    settings.HTTP_CACHE_MAX_AGE, settings.HTTP_CACHE_STALE_WHILE_REVALIDATE = 5, 7
    assert client.get(LIST)["Cache-Control"] == "public, max-age=5, stale-while-revalidate=7"


def test_errors_and_redirects_carry_no_etag(client, agreement):
    assert "ETag" not in client.get(PAIR + "?as_of=yesterday")
    assert "ETag" not in client.get("/reports/pairs/IQ-IR/")  # the redirect to the pair's one URL


# --- No stale answer after a write ---------------------------------------------------------------


def _stale_then_fresh(client, url: str, write, expect: str) -> None:
    """After ``write``, the ETag read before it is not current: 200 with the new body."""
    before = read(client, url)
    assert before.status_code == 200
    version = dataversion.current()
    write()
    assert dataversion.current().value > version.value
    after = read(client, url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    body = b"".join(after.streaming_content) if after.streaming else after.content
    assert expect in body.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_through_the_api_is_seen_by_the_next_read(client, admin_user):
    agreement = make_agreement(title="Old title")
    api = APIClient()
    api.force_authenticate(admin_user)

    def retitle():
        current = api.get(f"{LIST}{agreement.pk}/")
        response = api.patch(
            f"{LIST}{agreement.pk}/", {"title": "New title"}, format="json", HTTP_IF_MATCH=current["ETag"]
        )
        assert response.status_code == 200

    _stale_then_fresh(client, PAIR, retitle, "New title")

    def delete():
        current = api.get(f"{LIST}{agreement.pk}/")
        assert api.delete(f"{LIST}{agreement.pk}/", HTTP_IF_MATCH=current["ETag"]).status_code == 204

    _stale_then_fresh(client, LIST, delete, '"count":0')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_in_the_admin_is_seen_by_the_next_read(client, editor, people):
    admin = type(client)()
    admin.force_login(editor)

    def add():
        assert admin.post(ADD_URL, new_memorandum(people)).status_code == 302

    _stale_then_fresh(client, "/reports/pairs/IR-IQ/", add, "military cooperation")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_from_another_process_is_seen_by_the_next_read(client):
    agreement = make_agreement(title="Old title")
    code = (
        "from agreements.models import Agreement; "
        f"Agreement.objects.filter(pk={agreement.pk}).update(title='Renamed elsewhere')"
    )

    def elsewhere():
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=production_environment(),
            check=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    _stale_then_fresh(client, PAIR, elsewhere, "Renamed elsewhere")
    assert Agreement.objects.get().title == "Renamed elsewhere"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_write_leaves_the_version_and_a_refused_one_too(client, editor):
    make_agreement()
    before = dataversion.current()
    api = APIClient()
    api.force_authenticate(editor)
    assert api.post(LIST, {"title": ""}, format="json").status_code == 400
    assert dataversion.current() == before
    read(client, PAIR)  # reads write nothing
    assert dataversion.current() == before
    Country.objects.filter(code="IQ").update(name="Iraq")  # a write outside a transaction
    assert dataversion.current().value == before.value + 1
