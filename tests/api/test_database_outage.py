"""While the database cannot be reached, the API answers 503 with Retry-After, in JSON.

A restart of PostgreSQL drops every connection; the next statement fails with
``OperationalError`` (or ``InterfaceError`` on a connection psycopg already knows is
closed). Clients must be told to come back, not that the server is broken, and the
answer must say that a write may have been saved (bench/fault.py measures the rest).
"""

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper

from agreements.api.agreements import AgreementViewSet
from agreements.api.errors import DATABASE_RETRY_AFTER_SECONDS, SAVED_AGREEMENT
from agreements.api.parts import AgreementPartViewSet
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


@pytest.fixture
def database_down_after_commit(monkeypatch):
    """The database goes away right after a write commits, before the view reads it back."""
    original = {cls: cls._document for cls in (AgreementViewSet, AgreementPartViewSet)}

    def patched(cls):
        def document(self, pk):
            if hasattr(self.request, SAVED_AGREEMENT):
                raise OperationalError("terminating connection due to administrator command")
            return original[cls](self, pk)

        return document

    for cls in original:
        monkeypatch.setattr(cls, "_document", patched(cls))


# Real commits, so that the views' on-commit hook runs as it does in production; the rows
# the migrations made (countries, groups) are put back afterwards, as the other such tests do.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_saved_before_the_database_went_away_says_so(
    editor_api, memorandum, database_down_after_commit
):
    created = editor_api.post(LIST, memorandum, format="json")
    assert created.status_code == 503
    agreement = Agreement.objects.get()
    # The client learns that it must not create it again, and where it is.
    assert "was saved" in created.json()["detail"]
    assert created["Location"].endswith(f"{LIST}{agreement.pk}/")
    assert created["ETag"] == f'"agreement-{agreement.pk}-v{agreement.version}"'

    url = f"{LIST}{agreement.pk}/"
    changed = editor_api.patch(url, {"summary": "Saved"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 503
    assert "was saved" in changed.json()["detail"]
    agreement.refresh_from_db()
    assert agreement.summary == "Saved"
    assert changed["ETag"] == f'"agreement-{agreement.pk}-v{agreement.version}"'

    added = editor_api.post(
        f"{url}clauses/", {"position": 9, "text": "Added"}, format="json", HTTP_IF_MATCH=changed["ETag"]
    )
    assert added.status_code == 503
    assert "was saved" in added.json()["detail"]
    assert agreement.clauses.filter(position=9, text="Added").exists()
