"""The schema says what the server does: what a client generated from it sends and expects.

The live ``/api/schema/`` is validated with ``openapi-spec-validator``; request bodies carry
no ``default`` (a generated client would send it for every field left out, and a one-field
PATCH would reset the rest); the version check, the headers and anonymous reads are declared
where the server has them. ``test_generated_client.py`` then drives a generated client.
"""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import OpenAPIV30SpecValidator
from rest_framework import serializers, viewsets

from agreements.models import Agreement

from .schema_walk import defaults_in, operations

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def live_schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_live_schema_passes_openapi_spec_validator(live_schema):
    errors = [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in OpenAPIV30SpecValidator(live_schema).iter_errors()
    ]
    assert errors == []


def test_no_request_body_has_a_default_anywhere(live_schema):
    found = [
        where
        for (method, url), operation in operations(live_schema).items()
        for where in defaults_in(live_schema, operation.get("requestBody", {}), f"{method} {url} requestBody")
    ]
    assert found == [], "a generated client would send these defaults for fields the caller left out"


def test_the_schema_says_what_an_absent_field_means_instead(live_schema):
    components = live_schema["components"]["schemas"]
    created = components["AgreementRequest"]["properties"]
    patched = components["PatchedAgreementRequest"]["properties"]
    assert created["summary"]["description"].endswith("Left out: empty.")
    assert 'Left out: `"news_reports"`.' in created["evidence"]["description"]
    assert created["body_a"]["description"].endswith("Left out: null.")
    assert patched["summary"]["description"].endswith("Left out of a PATCH: unchanged.")
    assert "required" not in components["PatchedAgreementRequest"]
    participant = components["ParticipantRequest"]["properties"]
    assert participant["office"]["description"].endswith("Left out: empty.")
    # A field that says what leaving it out means is not told twice.
    assert participant["role"]["description"].count("left out") == 1
    assert components["ClauseRequest"]["properties"]["categories"]["description"].endswith(
        "Left out: an empty list."
    )


def test_a_blank_or_qid_is_one_pattern_not_a_one_of(live_schema):
    for name in ("AgreementRequest", "PatchedAgreementRequest", "PersonRequest", "Agreement", "Person"):
        field = live_schema["components"]["schemas"][name]["properties"]["wikidata_qid"]
        assert "oneOf" not in field, name
        assert field["pattern"] == "(?:^Q[1-9][0-9]*$)|^$", name


def conditional(schema: dict, method: str, url: str) -> tuple[dict, dict]:
    operation = operations(schema)[method, url]
    headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
    return operation, headers


AGREEMENT = "/api/agreements/{id}/"
PART_WRITES = [
    (method, f"/api/agreements/{{agreement_pk}}/{part}/{suffix}")
    for part in ("participants", "clauses", "events", "citations", "commitments")
    for method, suffix in (("POST", ""), ("PUT", "{id}/"), ("PATCH", "{id}/"), ("DELETE", "{id}/"))
]


@pytest.mark.parametrize(
    ("method", "url"),
    [("PUT", AGREEMENT), ("PATCH", AGREEMENT), ("DELETE", AGREEMENT), *PART_WRITES],
)
def test_every_conditional_write_requires_if_match_and_declares_412_and_428(schema, method, url):
    operation, headers = conditional(schema, method, url)
    assert headers["If-Match"]["required"] is True
    assert '"agreement-12-v3"' in headers["If-Match"]["description"], "a part's write checks its agreement"
    assert {"412", "428"} <= set(operation["responses"])
    assert "ETag" in operation["responses"]["412"]["headers"], "a 412 carries the current ETag"
    success = next(code for code in operation["responses"] if code.startswith("2"))
    if url != AGREEMENT or method != "DELETE":  # a deleted agreement has no version left
        assert "ETag" in operation["responses"][success]["headers"]


def test_reads_and_creates_of_agreements_declare_their_etag_and_need_no_if_match(schema):
    for method, url, code in (
        ("GET", AGREEMENT, "200"),
        ("POST", "/api/agreements/", "201"),
        ("GET", "/api/agreements/{agreement_pk}/clauses/", "200"),
        ("GET", "/api/agreements/{agreement_pk}/clauses/{id}/", "200"),
    ):
        operation, headers = conditional(schema, method, url)
        assert "If-Match" not in headers, (method, url)
        assert "ETag" in operation["responses"][code]["headers"], (method, url)
    # A page of many agreements has no one version: its ETag is the data version's (a 304 for If-None-Match).
    listed = operations(schema)["GET", "/api/agreements/"]
    assert "data version" in listed["responses"]["200"]["headers"]["ETag"]["description"]
    assert {"ETag", "Last-Modified", "Cache-Control"} <= set(listed["responses"]["304"]["headers"])
    assert {"If-None-Match", "If-Modified-Since"} <= {
        p["name"] for p in listed["parameters"] if p["in"] == "header"
    }


def test_conditional_writes_is_what_declares_the_version_check():
    """The contract with the views: ``conditional_writes = True`` is all a new view needs."""

    class ThingSerializer(serializers.Serializer):
        id = serializers.IntegerField(read_only=True)
        name = serializers.CharField()

    class Things(viewsets.ViewSet):
        serializer_class = ThingSerializer
        conditional_writes = True
        conditional_noun = "thing"

        def retrieve(self, request, pk): ...
        def partial_update(self, request, pk): ...
        def create(self, request): ...

    class PlainThings(Things):
        conditional_writes = False

    patterns = [
        path("things/<int:pk>/", Things.as_view({"get": "retrieve", "patch": "partial_update"})),
        path("things/", Things.as_view({"post": "create"})),
        path("plain/<int:pk>/", PlainThings.as_view({"patch": "partial_update"})),
    ]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    patch, headers = conditional(schema, "PATCH", "/things/{id}/")
    assert headers["If-Match"]["required"] is True
    assert headers["If-Match"]["description"].startswith("The ETag of your last read of the thing ")
    assert {"412", "428"} <= set(patch["responses"])
    assert "ETag" in patch["responses"]["200"]["headers"]
    assert "ETag" in operations(schema)["GET", "/things/{id}/"]["responses"]["200"]["headers"]
    create, headers = conditional(schema, "POST", "/things/")
    assert "If-Match" not in headers, "creating a new resource checks no version"
    assert "ETag" in create["responses"]["201"]["headers"]
    plain, headers = conditional(schema, "PATCH", "/plain/{id}/")
    assert "If-Match" not in headers
    assert "412" not in plain["responses"]


def test_every_201_declares_location_and_every_429_and_503_retry_after(schema):
    missing = [
        (method, url, code)
        for (method, url), operation in operations(schema).items()
        for code, header in (("201", "Location"), ("429", "Retry-After"), ("503", "Retry-After"))
        if code in operation["responses"] and header not in operation["responses"][code].get("headers", {})
    ]
    assert missing == []
    assert ("POST", "/api/agreements/{agreement_pk}/clauses/") in {
        key for key, operation in operations(schema).items() if "201" in operation["responses"]
    }


def test_every_read_declares_the_400_a_format_it_does_not_serve_gets(schema, client, demo_data):
    """A format suffix or ``?format=`` reaches every route: a detail answers 400 as a list does
    (the fuzzer's boundary values found ``/api/agreements/0.5/``: id 0, format "5")."""
    undeclared = [
        url
        for (method, url), op in operations(schema).items()
        if method == "GET" and "400" not in op["responses"]
    ]
    assert undeclared == []
    pk = Agreement.objects.values_list("pk", flat=True).first()
    for url in (f"/api/agreements/{pk}.xml/", f"/api/agreements/{pk}/?format=xml", "/api/people/0.5/"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "is not a format served here" in response.json()["errors"]["format"][0]


def test_paginated_lists_declare_the_link_header(schema):
    for url in ("/api/agreements/", "/api/people/", "/api/sources/", "/api/relations/", "/api/countries/"):
        headers = operations(schema)["GET", url]["responses"]["200"]["headers"]
        assert 'rel="next"' in headers["Link"]["description"], url


def anonymous(operation: dict) -> bool:
    return {} in operation.get("security", [])


def test_open_reads_allow_anonymous_access_and_writes_do_not(schema):
    for (method, url), operation in operations(schema).items():
        if url in ("/api/auth/token/",):
            continue
        # An agreement's history and one's webhook subscriptions are not open reads.
        signed_in_reads = url.endswith("/history/") or url.startswith("/api/webhooks/")
        if method == "GET" and not signed_in_reads:
            assert anonymous(operation), (method, url)
        else:
            assert not anonymous(operation), (method, url)


@override_settings(API_REQUIRE_LOGIN_FOR_READS=True)
def test_reads_need_credentials_in_the_schema_when_the_server_requires_login():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    open_ones = [
        key for key, operation in operations(schema).items() if anonymous(operation) and key[0] == "GET"
    ]
    assert open_ones == []


def test_tokens_are_declared_as_token_and_as_bearer(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The same API token as `Bearer <token>`.",
    }
    assert schemes["tokenAuth"]["name"] == "Authorization"
    security = operations(schema)["POST", "/api/agreements/"]["security"]
    assert {"tokenAuth": []} in security
    assert {"bearerAuth": []} in security


def test_parameters_are_typed_as_the_server_reads_them(schema):
    parameters = {p["name"]: p for p in operations(schema)["GET", "/api/agreements/"]["parameters"]}
    for name in ("person", "body"):
        assert parameters[name]["schema"]["type"] == "integer", name
    assert parameters["synthetic"]["schema"] == {"type": "boolean"}
    level = parameters["level"]["schema"]["enum"]
    assert len(level) == len(set(level)), "an enum lists each value once"


def test_examples_make_a_valid_request(schema):
    agreement = schema["components"]["schemas"]["AgreementRequest"]["properties"]
    assert agreement["party_a"]["example"] != agreement["party_b"]["example"]
