"""The OpenAPI schema: generated without warnings, served offline, and true to the API.

The last test is a bounded schemathesis run: generated requests (valid and invalid,
NUL bytes included) against every operation, anonymously and as an administrator,
checking that no answer is a server error and every answer matches the schema.
"""

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tracker.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_schema_generates_and_validates_without_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (an operation it had to guess) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/agreements/{agreement_pk}/clauses/{id}/" in (tmp_path / "schema.yaml").read_text()


def test_every_reference_in_the_schema_resolves():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = set(schema["components"]["schemas"])

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"].rsplit("/", 1)[-1]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    assert set(refs(schema["paths"])) | set(refs(schema["components"])) <= components


def test_every_operation_has_a_summary_and_documents_the_outage_and_the_server_bounds():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert [key for key, operation in operations.items() if not operation.get("summary")] == []
    for code in ("503", "414", "431"):  # 414 and 431: tests/test_gunicorn_worker.py
        missing = [key for key, operation in operations.items() if code not in operation["responses"]]
        assert missing == [], code
    assert operations["DELETE", "/api/agreements/{agreement_pk}/clauses/{id}/"]["summary"] == (
        "Remove a clause from an agreement"
    )


@pytest.mark.django_db
def test_the_docs_are_served_from_the_installed_sidecar_not_a_cdn(client):
    import re

    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), (
        "the docs page must not load anything from elsewhere"
    )
    assert "<script>" not in page, "no inline script: the Content-Security-Policy forbids it"
    start = client.get("/api/docs/?script=")
    assert start.status_code == 200
    assert "SwaggerUIBundle" in start.content.decode()
    assert client.get("/api/schema/").status_code == 200


# Generating the schema reads no data, so it can be loaded when the module is collected.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# The dyad-year panel answers up to millions of rows per request (every pair of states,
# every year since 1945): it gets a handful of examples of its own, not fifty.
PANEL = "^/api/reports/dyad-years"
everything_but_the_panel = schema.exclude(path_regex=PANEL)
the_panel = schema.include(path_regex=PANEL)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calling the WSGI app directly fires request_started/finished, whose handler closes a
    connection that is inside a transaction; Django's own test client disconnects it too."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def admin_token(admin_user) -> str:
    return Token.objects.create(user=admin_user).key


FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@everything_but_the_panel.parametrize()
@FUZZ
@pytest.mark.django_db
def test_generated_requests_as_an_administrator(case, demo_data, admin_token):
    if case.headers and "If-Match" in case.headers:
        case.headers["If-Match"] = "*"  # reach the write itself, not only the precondition check
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=CHECKS)


@everything_but_the_panel.parametrize()
@FUZZ
@pytest.mark.django_db
def test_generated_requests_anonymously(case, demo_data):
    case.call_and_validate(checks=CHECKS)


@the_panel.parametrize()
@settings(FUZZ, max_examples=10)
@pytest.mark.django_db
def test_generated_requests_for_the_panel(case, demo_data):
    if str((case.query or {}).get("all_pairs", "")).lower() in ("true", "1", "on", "yes"):
        # Every pair since 1945 is 3.2 million rows (15 s on SQLite); one year of it proves as much.
        case.query["start_year"] = case.query["end_year"] = 2020
    case.call_and_validate(checks=CHECKS)
