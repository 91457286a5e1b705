"""The OpenAPI schema: generated without warnings, served offline, complete.

Whether the API is true to it (generated requests, valid and invalid, against every
operation, checking that no answer is a server error and every answer matches the
schema) is ``make fuzz``'s work: schemathesis against gunicorn, bounded in ``.ci/run``.
"""

import pytest
from django.core.management import call_command


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
