"""The API's runtime contract (issue 15): conditional requests on every writable resource, read-only
keys ignored, one voice for a missing record, JSON 404s. The bad cases of strict bodies, repeated
parameters and error wording are in test_bad_input.py, under its content-hash check."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from ..database_content import snapshot

pytestmark = pytest.mark.django_db


def test_a_multi_valued_filter_may_be_repeated(api, demo_data):
    response = api.get("/api/agreements/?status=signed&status=in_force&kind=memorandum&kind=agreement")
    assert response.status_code == 200, response.content


def test_read_only_keys_sent_back_are_ignored(editor_api, memorandum):
    created = editor_api.post(LIST, memorandum, format="json")
    document = created.json()
    response = editor_api.put(
        f"{LIST}{document['id']}/",
        {**document, "title": "Renamed", "status": "ended", "version": 99},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    assert response.json()["status"] == document["status"]


LIST = "/api/agreements/"


# --- Conditional requests on every writable resource -------------------------------------------


def created(client, url: str, body: dict):
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    return response


RESOURCES = {
    "person": ("/api/people/", {"name": "Hossein Dehqan"}, {"note": "Minister of Defence"}),
    "body": ("/api/bodies/", {"name": "Ministry of Defence", "country": "IR"}, {"note": "MODAFL"}),
    "source": ("/api/sources/", {"title": "IRNA report"}, {"publisher": "IRNA"}),
    "category": (
        "/api/categories/",
        {"slug": "naval", "name": "Naval cooperation"},
        {"description": "Ships."},
    ),
    "relation": ("/api/relations/", None, {"note": "Article 2"}),
}


@pytest.fixture
def resource(request, admin_api, memorandum):
    """(kind, list URL, the created record's detail URL, its first ETag, a change to PATCH)."""
    kind = request.param
    url, body, change = RESOURCES[kind]
    if body is None:  # a relation needs two agreements
        first = created(admin_api, LIST, memorandum).json()["id"]
        second = created(admin_api, f"{LIST}?allow_duplicate=true", {**memorandum, "title": "Second"}).json()[
            "id"
        ]
        body = {"from_agreement": second, "to_agreement": first, "kind": "amends"}
    response = created(admin_api, url, body)
    record = response.json()
    key = record["slug"] if kind == "category" else record["id"]
    return kind, url, f"{url}{key}/", response["ETag"], change, record


ALL = pytest.mark.parametrize("resource", list(RESOURCES), indirect=True)


@ALL
def test_a_created_record_answers_with_its_etag_and_its_api_location(admin_api, resource):
    kind, _url, detail, tag, _, record = resource
    assert tag == f'"{kind}-{record["id"]}-v1"'
    assert record["version"] == 1
    read = admin_api.get(detail)
    assert read["ETag"] == tag
    assert admin_api.get(detail, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert admin_api.get(detail, HTTP_IF_NONE_MATCH=f'"x", W/{tag}').status_code == 304  # weak is fine here
    assert admin_api.get(detail, HTTP_IF_NONE_MATCH='"x"').status_code == 200


def test_a_new_source_is_located_at_its_api_url_not_its_web_page(editor_api):
    response = created(editor_api, "/api/sources/", {"title": "IRNA", "url": "https://irna.example/1"})
    assert response["Location"] == f"http://testserver/api/sources/{response.json()['id']}/"


@ALL
def test_a_write_needs_the_current_etag_in_if_match(admin_api, resource):
    kind, _url, detail, tag, change, record = resource
    before = snapshot()
    missing = admin_api.patch(detail, change, format="json")
    assert missing.status_code == 428, missing.content
    for header in ["garbage", "W/", '"a" "b"', "\x00", f"{tag[1:-1]}"]:
        malformed = admin_api.patch(detail, change, format="json", HTTP_IF_MATCH=header)
        assert malformed.status_code == 400, (header, malformed.content)
        assert list(malformed.json()["errors"]) == ["If-Match"]
    for header in [f"W/{tag}", f'"{kind}-{record["id"]}-v7"', '"agreement-1-v1"']:
        stale = admin_api.patch(detail, change, format="json", HTTP_IF_MATCH=header)
        assert stale.status_code == 412, (header, stale.content)
        assert stale["ETag"] == tag
    assert admin_api.delete(detail).status_code == 428
    assert admin_api.delete(detail, HTTP_IF_MATCH=f"W/{tag}").status_code == 412
    assert snapshot() == before
    changed = admin_api.patch(detail, change, format="json", HTTP_IF_MATCH=f'"nope", {tag}')
    assert changed.status_code == 200, changed.content
    new_tag = f'"{kind}-{record["id"]}-v2"'
    assert changed["ETag"] == new_tag
    assert changed.json()["version"] == 2
    stale = admin_api.put(detail, {**record, **change}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale["ETag"] == new_tag
    assert admin_api.delete(detail, HTTP_IF_MATCH=tag).status_code == 412
    assert admin_api.delete(detail, HTTP_IF_MATCH=new_tag).status_code == 204


def test_an_agreement_takes_a_list_of_etags_and_refuses_a_weak_one(editor_api, memorandum):
    response = created(editor_api, LIST, memorandum)
    tag, url = response["ETag"], f"{LIST}{response.json()['id']}/"
    weak = editor_api.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH=f"W/{tag}")
    assert weak.status_code == 412
    assert weak["ETag"] == tag
    assert editor_api.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH="agreement").status_code == 400
    listed = editor_api.patch(url, {"title": "Renamed"}, format="json", HTTP_IF_MATCH=f'"a", {tag}, "b"')
    assert listed.status_code == 200, listed.content
    stale = editor_api.patch(url, {"title": "Again"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale["ETag"] == listed["ETag"]


def test_two_clients_changing_a_persons_other_names_cannot_overwrite_each_other(editor_api, admin_api):
    response = created(
        editor_api, "/api/people/", {"name": "Hossein Dehqan", "other_names": [{"name": "Dehghan"}]}
    )
    url, tag = f"/api/people/{response.json()['id']}/", response["ETag"]
    assert tag == f'"person-{response.json()["id"]}-v1"'  # created with its names: one version
    first = editor_api.patch(
        url, {"other_names": [{"name": "Dehghan"}, {"name": "Dehqan"}]}, format="json", HTTP_IF_MATCH=tag
    )
    second = admin_api.patch(
        url, {"other_names": [{"name": "Dehghan"}, {"name": "Dehgan"}]}, format="json", HTTP_IF_MATCH=tag
    )
    assert sorted([first.status_code, second.status_code]) == [200, 412]
    assert second["ETag"] == first["ETag"]
    names = [other["name"] for other in editor_api.get(url).json()["other_names"]]
    assert sorted(names) == ["Dehghan", "Dehqan"]


def test_other_names_added_by_another_write_make_an_old_etag_stale(editor_api):
    from agreements.models import Person
    from agreements.services import OtherNameIn, person_sync_other_names

    response = created(editor_api, "/api/people/", {"name": "Hossein Dehqan"})
    person = Person.objects.get(pk=response.json()["id"])
    person_sync_other_names(person=person, other_names=[OtherNameIn(name="Dehghan")])
    url = f"/api/people/{person.pk}/"
    stale = editor_api.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert stale.status_code == 412
    assert stale["ETag"] == f'"person-{person.pk}-v2"'


# --- One voice for errors -----------------------------------------------------------------------


def test_a_missing_record_is_told_the_same_way_in_a_path(api, demo_data):
    assert api.get("/api/agreements/99999/").json() == {"detail": "No agreement with id 99999."}
    assert api.get("/api/people/99999/").json() == {"detail": "No person with id 99999."}
    assert api.get("/api/sources/99999/").json() == {"detail": "No source with id 99999."}
    assert api.get("/api/agreements/99999/clauses/").json() == {"detail": "No agreement with id 99999."}
    assert api.get("/api/categories/nope/").json() == {
        "detail": "No clause category “nope”; the categories are listed at /api/categories/."
    }


def test_one_thing_still_referring_is_singular(admin_api, demo_data):
    from agreements.models import Participant, Person

    person = Person.objects.filter(participations__isnull=False).first() or Person.objects.first()
    Participant.objects.filter(person=person).exclude(
        pk=Participant.objects.filter(person=person).first().pk
    ).delete()
    response = admin_api.delete(f"/api/people/{person.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 409
    assert response.json() == {"detail": "Cannot delete: 1 participant still refers to it."}


@pytest.mark.parametrize("debug", [True, False])
def test_every_api_path_answers_404_in_json_whatever_debug_says(api, settings, debug):
    settings.DEBUG = debug
    for url in ["/api/agreements/abc/", "/api/nowhere/", "/api/agreements/1/nothing/"]:
        response = api.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
        assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clients_racing_on_other_names_at_the_same_moment_one_wins(editor, admin_user):
    """The same as above with the two PATCHes sent at once from two threads (two connections):
    the version check inside the write's transaction lets exactly one through."""
    first = APIClient()
    first.force_authenticate(editor)
    response = created(
        first, "/api/people/", {"name": "Hossein Dehqan", "other_names": [{"name": "Dehghan"}]}
    )
    url, tag = f"/api/people/{response.json()['id']}/", response["ETag"]
    start, answers = threading.Barrier(2), []

    def patch(user, name: str) -> None:
        client = APIClient()
        client.force_authenticate(user)
        try:
            start.wait(timeout=10)
            body = {"other_names": [{"name": "Dehghan"}, {"name": name}]}
            answers.append(client.patch(url, body, format="json", HTTP_IF_MATCH=tag))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=patch, args=args) for args in ((editor, "Dehqan"), (admin_user, "Dehgan"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    won = next(answer for answer in answers if answer.status_code == 200)
    lost = next(answer for answer in answers if answer.status_code == 412)
    assert lost["ETag"] == won["ETag"] == f'"person-{response.json()["id"]}-v2"'
    names = sorted(other["name"] for other in first.get(url).json()["other_names"])
    assert names == sorted(other["name"] for other in won.json()["other_names"])
