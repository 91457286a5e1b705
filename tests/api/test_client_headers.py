"""What the schema declares, the server does: Bearer tokens, Link headers, Location, a 412's ETag."""

from __future__ import annotations

import re

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agreements.api.concurrency import etag

from ..database_content import snapshot
from ..factories import SourceFactory

pytestmark = pytest.mark.django_db


def links(response) -> dict[str, str]:
    """An RFC 8288 ``Link`` header as ``{rel: url}``."""
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', response.get("Link", ""))}


class TestBearer:
    @pytest.mark.parametrize("scheme", ["Bearer", "bearer", "Token"])
    def test_a_token_is_accepted_as_bearer_as_well_as_token(self, editor, scheme):
        token = Token.objects.create(user=editor)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token.key}")
        response = client.post("/api/people/", {"name": "Via bearer"}, format="json")
        assert response.status_code == 201, response.json()

    def test_a_wrong_bearer_token_is_refused_with_what_to_do(self, db):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
        response = client.get("/api/agreements/")
        assert response.status_code == 401
        assert "POST /api/auth/token/" in response.json()["detail"]

    def test_a_bearer_header_without_one_token_is_a_401_naming_the_form(self, db):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer a b")
        response = client.get("/api/agreements/")
        assert response.status_code == 401
        assert "Authorization: Bearer <token>" in response.json()["detail"]

    def test_another_scheme_is_left_to_the_other_authenticators(self, db):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Basic ZWQ6cGFzcw==")
        assert client.get("/api/agreements/").status_code == 200  # reads are open; no token taken


class TestLinkHeaders:
    def test_pages_link_to_the_next_and_previous_page(self, api):
        SourceFactory.create_batch(5)
        first = api.get("/api/sources/?page_size=2")
        assert set(links(first)) == {"next"}
        assert links(first)["next"] == first.json()["next"]
        middle = api.get(links(first)["next"])
        assert links(middle) == {"next": middle.json()["next"], "prev": middle.json()["previous"]}
        last = api.get("/api/sources/?page_size=2&page=3")
        assert set(links(last)) == {"prev"}

    def test_a_cursor_walk_follows_the_link_header_alone(self, api):
        created = SourceFactory.create_batch(5)
        seen, url = [], "/api/sources/?cursor=&page_size=2"
        while url:
            response = api.get(url)
            assert response.status_code == 200
            seen += [row["id"] for row in response.json()["results"]]
            url = links(response).get("next")
        assert seen == sorted(source.pk for source in created)

    def test_a_single_page_has_no_link_header(self, api):
        SourceFactory.create_batch(1)
        assert "Link" not in api.get("/api/sources/")


class TestLocation:
    def test_every_create_names_the_new_resource_in_the_api(self, editor_api, admin_api, memorandum):
        agreement = editor_api.post("/api/agreements/", memorandum, format="json")
        assert agreement["Location"].endswith(f"/api/agreements/{agreement.json()['id']}/")
        source = editor_api.post(
            "/api/sources/", {"title": "A report", "url": "https://example.org/report"}, format="json"
        )
        assert source.status_code == 201, source.json()
        assert source["Location"].endswith(f"/api/sources/{source.json()['id']}/"), "not the source's own URL"
        person = editor_api.post("/api/people/", {"name": "Someone New"}, format="json")
        assert person["Location"].endswith(f"/api/people/{person.json()['id']}/")
        fisheries = {"slug": "fisheries", "name": "Fisheries"}
        category = admin_api.post("/api/categories/", fisheries, format="json")
        assert category.status_code == 201, category.json()
        assert category["Location"].endswith("/api/categories/fisheries/")
        url = f"/api/agreements/{agreement.json()['id']}/clauses/"
        clause = editor_api.post(
            url, {"position": 9, "text": "Added."}, format="json", HTTP_IF_MATCH=agreement["ETag"]
        )
        assert clause.status_code == 201
        assert clause["Location"].endswith(f"{url}{clause.json()['id']}/")
        for response in (agreement, source, person, category, clause):
            assert editor_api.get(response["Location"]).status_code == 200


class TestStaleWrites:
    def test_a_stale_etag_gets_412_with_the_current_etag(self, editor_api, memorandum):
        created = editor_api.post("/api/agreements/", memorandum, format="json")
        url = f"/api/agreements/{created.json()['id']}/"
        changed = editor_api.patch(url, {"summary": "First"}, format="json", HTTP_IF_MATCH=created["ETag"])
        stale = editor_api.patch(url, {"summary": "Second"}, format="json", HTTP_IF_MATCH=created["ETag"])
        assert stale.status_code == 412
        assert stale["ETag"] == changed["ETag"] == etag(created.json()["id"], changed.json()["version"])
        part = editor_api.patch(
            f"{url}clauses/{created.json()['clauses'][0]['id']}/",
            {"text": "Late."},
            format="json",
            HTTP_IF_MATCH=created["ETag"],
        )
        assert part.status_code == 412
        assert part["ETag"] == changed["ETag"]


class TestBadInput:
    @pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer not-a-token", "Bearer \u00e9t\u00e9"])
    def test_a_bad_bearer_header_on_a_write_is_a_401_and_writes_nothing(self, db, header):
        before = snapshot()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.post("/api/people/", {"name": "Not written"}, format="json")
        assert response.status_code == 401
        assert response.json()["detail"]
        assert snapshot() == before

    @pytest.mark.parametrize("value", ["1.5", "abc", "0", str(2**63)])
    def test_the_person_and_body_filters_take_a_whole_number_id(self, api, value):
        for name in ("person", "body"):
            response = api.get("/api/agreements/", {name: value})
            assert response.status_code == 400
            assert list(response.json()["errors"]) == [name]
