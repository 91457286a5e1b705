"""PostgreSQL's health check asks the socket, not the server (tracker/postgresql, issue 17).

A persistent connection is checked at the first query of every request; Django's own check is a
``SELECT 1`` round trip. Ours reads nothing from a healthy idle connection and still sees a
connection the server has closed, so that the request reconnects instead of failing.
"""

from __future__ import annotations

import select
import time
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

from tracker.postgresql import ENGINE

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend is PostgreSQL's"),
    pytest.mark.django_db,
]


@pytest.fixture
def own_connection():
    """A second connection to the test database, as a persistent connection of a server is."""
    wrapper = connections.create_connection("default")
    wrapper.connect()
    yield wrapper
    wrapper.close()


def wait_readable(wrapper, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if select.select([wrapper.connection.fileno()], [], [], 0.05)[0]:
            return
    raise AssertionError("the terminated connection's socket never became readable")


def test_the_project_serves_postgresql_with_its_own_backend():
    assert connection.settings_dict["ENGINE"] == ENGINE
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_idle_connection_is_usable_without_a_query(own_connection):
    with mock.patch.object(django_postgresql.DatabaseWrapper, "is_usable") as select_one:
        assert own_connection.is_usable() is True
    select_one.assert_not_called()


def test_a_connection_the_server_closed_is_not_usable_and_is_replaced(own_connection):
    pid = own_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_readable(own_connection)

    assert own_connection.is_usable() is False

    # What Django does at a request's first query: a failed check closes, the query reconnects.
    own_connection.health_check_done = False
    own_connection.close_if_health_check_failed()
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_closed_connection_is_not_usable(own_connection):
    own_connection.connection.close()
    assert own_connection.is_usable() is False


def test_an_agreements_detail_is_prepared_once_and_still_counted(client, demo_data):
    """The detail's lookup by primary key is prepared on the server (one plan whatever the id),
    and counts as the one query it is."""
    from django.test.utils import CaptureQueriesContext

    from agreements.models import Agreement

    first, second = Agreement.objects.order_by("pk").values_list("pk", flat=True)[:2]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/api/agreements/{first}/").status_code == 200
    assert len(captured.captured_queries) == 1
    assert f'"agreements_agreement"."id" = {first}' in captured.captured_queries[0]["sql"]
    assert client.get(f"/api/agreements/{second}/").json()["id"] == second
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "agreements_agreement" WHERE "agreements_agreement"."id" = $1%'],
        )
        assert cursor.fetchone()[0] == 1
