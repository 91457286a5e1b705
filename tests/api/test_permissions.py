"""Who may do what: every operation for anonymous, a user without a role, an editor and an admin."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agreements.api.concurrency import etag
from agreements.models import Agreement, AgreementRelation, ClauseCategory, Person, Source

from ..factories import make_agreement

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "nobody", "viewer", "editor", "admin"]


@pytest.fixture
def clients(editor, admin_user):
    from django.contrib.auth.models import Group

    nobody = get_user_model().objects.create_user("nobody", password="a long enough password")
    viewer = get_user_model().objects.create_user("viewer", password="a long enough password")
    viewer.groups.add(Group.objects.get(name="Viewers"))
    result = {"anonymous": APIClient()}
    for role, user in (("nobody", nobody), ("viewer", viewer), ("editor", editor), ("admin", admin_user)):
        client = APIClient()
        client.force_authenticate(user)
        result[role] = client
    return result


@pytest.fixture
def objects():
    first = make_agreement(title="First")
    second = make_agreement(title="Second", parties=("IR", "SY"))
    source = Source.objects.create(title="A report")
    person = Person.objects.create(name="Someone")
    relation = AgreementRelation.objects.create(from_agreement=second, to_agreement=first, kind="implements")
    return {"agreement": first, "source": source, "person": person, "relation": relation, "other": second}


def if_match(agreement: Agreement) -> dict:
    agreement.refresh_from_db()
    return {"HTTP_IF_MATCH": etag(agreement.pk, agreement.version)}


# (method, url, body, expected status for anonymous, nobody, viewer, editor, admin)
def operations(o):
    a = o["agreement"]
    new_agreement = {"title": "New", "party_a": "IR", "party_b": "TR"}
    return [
        ("get", "/api/agreements/", None, (200, 200, 200, 200, 200)),
        ("get", f"/api/agreements/{a.pk}/", None, (200, 200, 200, 200, 200)),
        ("get", f"/api/agreements/{a.pk}/history/", None, (401, 403, 200, 200, 200)),
        ("post", "/api/agreements/", new_agreement, (401, 403, 403, 201, 201)),
        ("patch", f"/api/agreements/{a.pk}/", {"summary": "s"}, (401, 403, 403, 200, 200)),
        (
            "put",
            f"/api/agreements/{a.pk}/",
            {"title": "T", "party_a": "IQ", "party_b": "IR"},
            (401, 403, 403, 200, 200),
        ),
        ("get", f"/api/agreements/{a.pk}/clauses/", None, (200, 200, 200, 200, 200)),
        ("post", f"/api/agreements/{a.pk}/clauses/", {"position": 9, "text": "t"}, (401, 403, 403, 201, 201)),
        ("get", "/api/people/", None, (200, 200, 200, 200, 200)),
        ("post", "/api/people/", {"name": "New person"}, (401, 403, 403, 201, 201)),
        ("patch", f"/api/people/{o['person'].pk}/", {"note": "n"}, (401, 403, 403, 200, 200)),
        ("delete", f"/api/people/{o['person'].pk}/", None, (401, 403, 403, 403, 204)),
        ("get", "/api/sources/", None, (200, 200, 200, 200, 200)),
        ("post", "/api/sources/", {"title": "New source"}, (401, 403, 403, 201, 201)),
        ("patch", f"/api/sources/{o['source'].pk}/", {"licence": "CC BY 4.0"}, (401, 403, 403, 200, 200)),
        ("delete", f"/api/sources/{o['source'].pk}/", None, (401, 403, 403, 403, 204)),
        ("get", "/api/categories/", None, (200, 200, 200, 200, 200)),
        ("get", "/api/categories/logistics/", None, (200, 200, 200, 200, 200)),
        ("post", "/api/categories/", {"slug": "space", "name": "Space"}, (401, 403, 403, 403, 201)),
        ("patch", "/api/categories/logistics/", {"description": "d"}, (401, 403, 403, 403, 200)),
        ("get", "/api/countries/", None, (200, 200, 200, 200, 200)),
        ("get", "/api/countries/IR/", None, (200, 200, 200, 200, 200)),
        ("post", "/api/countries/", {"code": "XX"}, (401, 403, 403, 403, 405)),
        ("get", "/api/relations/", None, (200, 200, 200, 200, 200)),
        ("patch", f"/api/relations/{o['relation'].pk}/", {"note": "n"}, (401, 403, 403, 200, 200)),
        ("delete", f"/api/relations/{o['relation'].pk}/", None, (401, 403, 403, 204, 204)),
        ("delete", f"/api/agreements/{o['other'].pk}/", None, (401, 403, 403, 403, 204)),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_the_permission_matrix(clients, objects, role):
    client = clients[role]
    failures = []
    for method, url, body, expected in operations(objects):
        headers = if_match(
            objects["agreement" if "/agreements/" + str(objects["agreement"].pk) in url else "other"]
        )
        if not url.startswith("/api/agreements/"):
            headers = {"HTTP_IF_MATCH": "*"}  # people, sources …: their own ETags (test_contract.py)
        response = getattr(client, method)(url, body, format="json", **headers)
        want = expected[ROLES.index(role)]
        if response.status_code != want:
            failures.append(f"{method.upper()} {url}: {response.status_code}, expected {want}")
    assert not failures, "\n".join(failures)


def test_anonymous_answers_carry_a_token_challenge(api):
    response = api.post("/api/agreements/", {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_reads_can_require_login(api, editor_api, settings, objects):
    settings.API_REQUIRE_LOGIN_FOR_READS = True
    assert api.get("/api/agreements/").status_code == 401
    assert editor_api.get("/api/agreements/").status_code == 200


class TestTokens:
    def test_a_user_creates_uses_and_revokes_a_token(self, api, editor):
        editor.set_password("correct horse battery staple")
        editor.save()
        response = api.post(
            "/api/auth/token/", {"username": "ed", "password": "correct horse battery staple"}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.post("/api/people/", {"name": "Via token"}, format="json").status_code == 201
        assert client.delete("/api/auth/token/").status_code == 204
        assert not Token.objects.exists()
        assert client.post("/api/people/", {"name": "Again"}, format="json").status_code == 401

    def test_wrong_credentials_are_401(self, api, editor):
        response = api.post("/api/auth/token/", {"username": "ed", "password": "wrong"}, format="json")
        assert response.status_code == 401
        assert response.json() == {"detail": "Wrong username or password."}

    def test_revoking_needs_authentication(self, api):
        assert api.delete("/api/auth/token/").status_code == 401


def test_a_referenced_person_or_source_cannot_be_deleted(admin_api, demo_data):
    person = Person.objects.get(name="Hossein Dehqan")
    response = admin_api.delete(f"/api/people/{person.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 409
    assert response.json() == {"detail": "Cannot delete: 2 participants still refer to it."}
    source = Source.objects.get(publisher="Mehr News Agency")
    response = admin_api.delete(f"/api/sources/{source.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 409
    assert "still refer to it" in response.json()["detail"]
    assert ClauseCategory.objects.filter(slug="logistics").exists()
