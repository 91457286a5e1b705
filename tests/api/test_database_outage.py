"""While the database cannot be reached, the API answers 503 with Retry-After, in JSON.

A restart of PostgreSQL drops every connection; the next statement fails with
``OperationalError`` (or ``InterfaceError`` on a connection psycopg already knows is
closed). Clients must be told to come back, not that the server is broken, and the
answer must say that a write may have been saved (bench/fault.py measures the rest).
"""

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper

from agreements.api.errors import DATABASE_RETRY_AFTER_SECONDS
from agreements.models import Agreement

pytestmark = pytest.mark.django_db

LIST = "/api/agreements/"


@pytest.fixture
def database_down(monkeypatch):
    """Every SQL statement from now on fails as on a connection the server dropped."""

    def fail(error: Exception):
        def execute(*args, **kwargs):
            raise error

        monkeypatch.setattr(CursorWrapper, "execute", execute)
        monkeypatch.setattr(CursorWrapper, "executemany", execute)

    return fail


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("the connection is closed"),
    ],
    ids=["operational", "interface"],
)
def test_reads_and_writes_get_a_json_503_with_retry_after(
    api, editor_api, memorandum, database_down, error, monkeypatch
):
    created = editor_api.post(LIST, memorandum, format="json")
    url = f"{LIST}{created.json()['id']}/"

    database_down(error)
    answers = [
        api.get(LIST),
        api.get(url),
        editor_api.post(LIST, memorandum, format="json"),
        editor_api.patch(url, {"summary": "During the outage"}, format="json", HTTP_IF_MATCH=created["ETag"]),
    ]
    monkeypatch.undo()

    for answer in answers:
        assert answer.status_code == 503, answer.content
        assert answer["Content-Type"] == "application/json"
        assert answer["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
        assert "may or may not have been saved" in answer.json()["detail"]
    # The database answers again: nothing half-written, and the same If-Match still works.
    assert Agreement.objects.count() == 1
    retried = editor_api.patch(url, {"summary": "After"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert retried.status_code == 200
