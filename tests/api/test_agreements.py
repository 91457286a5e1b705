"""Agreements through the API: atomic nested writes, ETag/If-Match, the parts as resources."""

import pytest

from agreements.models import Agreement, Clause, Participant, Person, PersonName, StatusEvent

pytestmark = pytest.mark.django_db

LIST = "/api/agreements/"


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Agreement, Person, PersonName, Participant, Clause, StatusEvent))


def create(client, payload) -> dict:
    response = client.post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    return response


def test_one_post_creates_the_whole_2017_memorandum(editor_api, memorandum):
    response = create(editor_api, memorandum)
    body = response.json()
    assert (body["party_a"], body["party_b"]) == ("IQ", "IR")
    assert (body["status"], body["signed_on"], body["signed_on_precision"]) == ("signed", "2017-07-23", "day")
    assert [c["categories"] for c in body["clauses"]] == [
        ["counterterrorism"],
        ["border-security"],
        ["logistics", "technical-assistance"],
    ]
    assert {s["person"]["name"] for s in body["participants"]} == {
        "Hossein Dehqan",
        "Erfan Mahmoud al-Hayali",
    }
    assert response["ETag"] == f'"agreement-{body["id"]}-v{body["version"]}"'
    assert response["Location"].endswith(f"/api/agreements/{body['id']}/")
    assert set(Person.objects.get(name="Hossein Dehqan").other_names.values_list("name", flat=True)) == {
        "Hossein Dehghan",
        "Hussein Dehqan",
    }


def test_it_is_found_by_pair_in_either_order_and_by_any_spelling(editor_api, api, memorandum):
    created = create(editor_api, memorandum).json()
    for query in ("pair=IQ,IR", "pair=ir,iq", "q=Dehghan", "q=Hiyali", "q=border security"):
        results = api.get(f"{LIST}?{query}").json()["results"]
        assert [r["id"] for r in results] == [created["id"]], query


def test_a_bad_clause_in_a_valid_agreement_writes_nothing(editor_api, memorandum):
    memorandum["clauses"][2]["categories"] = ["logistics", "no-such-category"]
    before = counts()
    response = editor_api.post(LIST, memorandum, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request is invalid; nothing was written.",
        # Issue 15: the message points at the endpoint that lists the categories.
        "errors": {
            "clauses[2].categories[1]": [
                "No clause category “no-such-category”; the categories are listed at /api/categories/."
            ]
        },
    }
    assert counts() == before


def test_rules_of_the_services_come_back_keyed_by_path(editor_api, memorandum):
    memorandum["participants"][1]["party"] = "SY"
    memorandum["events"].append({"status": "ratified", "date": "2017-07-01", "party": "IR"})
    before = counts()
    response = editor_api.post(LIST, memorandum, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["participants[1].party"] == [
        "Syria is not a party to this agreement (Iraq and Iran); a participant acts for one of them."
    ]
    assert counts() == before


def test_the_same_country_twice_is_refused(editor_api, memorandum):
    memorandum["party_b"] = "IRN"
    response = editor_api.post(LIST, memorandum, format="json")
    assert response.status_code == 400
    assert "party_b" in response.json()["errors"]


def test_an_existing_person_is_referred_to_by_id(editor_api, memorandum):
    person = Person.objects.create(name="Hossein Dehqan")
    memorandum["participants"][0]["person"] = person.pk
    body = create(editor_api, memorandum).json()
    assert body["participants"][1]["person"] == {"id": person.pk, "name": "Hossein Dehqan"}
    assert Person.objects.filter(name="Hossein Dehqan").count() == 1


class TestConcurrency:
    def test_a_write_without_if_match_is_refused_with_428(self, editor_api, memorandum):
        body = create(editor_api, memorandum).json()
        response = editor_api.patch(f"{LIST}{body['id']}/", {"title": "New"}, format="json")
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"]

    def test_a_stale_if_match_is_refused_with_412_and_nothing_changes(self, editor_api, memorandum):
        created = create(editor_api, memorandum)
        url, stale = f"{LIST}{created.json()['id']}/", created["ETag"]
        first = editor_api.patch(url, {"summary": "First"}, format="json", HTTP_IF_MATCH=stale)
        assert first.status_code == 200
        second = editor_api.patch(url, {"summary": "Second"}, format="json", HTTP_IF_MATCH=stale)
        assert second.status_code == 412
        assert editor_api.get(url).json()["summary"] == "First"

    def test_the_etag_changes_with_every_change_and_supports_conditional_get(
        self, editor_api, api, memorandum
    ):
        created = create(editor_api, memorandum)
        url = f"{LIST}{created.json()['id']}/"
        assert api.get(url, HTTP_IF_NONE_MATCH=created["ETag"]).status_code == 304
        changed = editor_api.patch(url, {"summary": "x"}, format="json", HTTP_IF_MATCH=created["ETag"])
        assert changed["ETag"] != created["ETag"]
        assert api.get(url, HTTP_IF_NONE_MATCH=created["ETag"]).status_code == 200

    def test_an_etag_of_another_agreement_does_not_match(self, editor_api, memorandum):
        first = create(editor_api, memorandum)
        memorandum["title"] = "Another"
        response = editor_api.post(f"{LIST}?allow_duplicate=true", memorandum, format="json")
        assert response.status_code == 201, response.content
        second = response
        url = f"{LIST}{second.json()['id']}/"
        assert (
            editor_api.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH=first["ETag"]).status_code
            == 412
        )


class TestUpdates:
    def test_patch_changes_only_what_it_sends(self, editor_api, memorandum):
        created = create(editor_api, memorandum)
        url = f"{LIST}{created.json()['id']}/"
        body = editor_api.patch(
            url, {"disclosure": "published"}, format="json", HTTP_IF_MATCH=created["ETag"]
        ).json()
        assert body["disclosure"] == "published"
        assert len(body["clauses"]) == 3
        assert body["version"] == created.json()["version"] + 1

    def test_put_replaces_fields_and_keeps_collections_it_leaves_out(self, editor_api, memorandum):
        created = create(editor_api, memorandum)
        url = f"{LIST}{created.json()['id']}/"
        replacement = {"title": "Renamed", "party_a": "IQ", "party_b": "IR", "clauses": []}
        body = editor_api.put(url, replacement, format="json", HTTP_IF_MATCH=created["ETag"]).json()
        assert (body["title"], body["place_of_signature"], body["kind"]) == ("Renamed", "", "agreement")
        assert body["clauses"] == []
        assert len(body["participants"]) == 2
        assert body["status"] == "signed"

    def test_read_only_fields_in_a_request_change_nothing(self, editor_api, memorandum):
        created = create(editor_api, memorandum)
        url = f"{LIST}{created.json()['id']}/"
        sneaky = {
            "status": "in_force",
            "version": 99,
            "id": 12345,
            "signed_on": "1990-01-01",
            "is_synthetic": True,
        }
        body = editor_api.patch(url, sneaky, format="json", HTTP_IF_MATCH=created["ETag"]).json()
        assert (body["status"], body["version"], body["signed_on"], body["is_synthetic"]) == (
            "signed",
            created.json()["version"],
            "2017-07-23",
            False,
        )
        assert body["id"] == created.json()["id"]

    def test_delete_needs_administrators_and_if_match(self, editor_api, admin_api, memorandum):
        created = create(editor_api, memorandum)
        url = f"{LIST}{created.json()['id']}/"
        assert editor_api.delete(url, HTTP_IF_MATCH=created["ETag"]).status_code == 403
        assert admin_api.delete(url).status_code == 428
        assert admin_api.delete(url, HTTP_IF_MATCH=created["ETag"]).status_code == 204
        assert not Agreement.objects.exists()
        assert Person.objects.count() == 2  # people outlive the agreements they signed


class TestParts:
    def test_a_clause_is_updated_with_a_correct_if_match_and_refused_with_a_stale_one(
        self, editor_api, memorandum
    ):
        created = create(editor_api, memorandum)
        agreement = created.json()
        clause = agreement["clauses"][1]
        url = f"{LIST}{agreement['id']}/clauses/{clause['id']}/"
        response = editor_api.patch(
            url,
            {"text": "Cooperate on border security and joint patrols."},
            format="json",
            HTTP_IF_MATCH=created["ETag"],
        )
        assert response.status_code == 200, response.content
        assert response.json() | {"text": None} == clause | {"text": None}  # same clause, same id
        assert response.json()["text"].endswith("joint patrols.")
        assert response["ETag"] != created["ETag"]
        stale = editor_api.patch(url, {"text": "Lost update"}, format="json", HTTP_IF_MATCH=created["ETag"])
        assert stale.status_code == 412
        assert Clause.objects.get(pk=clause["id"]).text.endswith("joint patrols.")

    def test_add_and_remove_an_event_through_its_own_endpoint(self, editor_api, memorandum):
        created = create(editor_api, memorandum)
        agreement_id = created.json()["id"]
        url = f"{LIST}{agreement_id}/events/"
        added = editor_api.post(
            url,
            {"status": "in_force", "date": "2018-03-09", "date_precision": "month"},
            format="json",
            HTTP_IF_MATCH=created["ETag"],
        )
        assert added.status_code == 201, added.content
        assert (added.json()["date"], added.json()["date_precision"]) == ("2018-03-01", "month")
        assert Agreement.objects.get(pk=agreement_id).status == "in_force"
        removed = editor_api.delete(f"{url}{added.json()['id']}/", HTTP_IF_MATCH=added["ETag"])
        assert removed.status_code == 204
        assert Agreement.objects.get(pk=agreement_id).status == "signed"

    def test_an_impossible_event_is_refused_with_its_path(self, editor_api, memorandum):
        created = create(editor_api, memorandum)
        url = f"{LIST}{created.json()['id']}/events/"
        response = editor_api.post(
            url,
            {"status": "ratified", "date": "2016-01-01", "party": "SY"},
            format="json",
            HTTP_IF_MATCH=created["ETag"],
        )
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"events[1].party", "events[1].date"}

    def test_sources_cited_are_named_by_source_id(self, editor_api, api, memorandum, mehr):
        created = create(editor_api, memorandum).json()
        response = api.get(f"{LIST}{created['id']}/citations/{mehr.pk}/")
        assert response.json() == {"source": mehr.pk, "supports": "Signing and content"}

    def test_parts_of_a_missing_agreement_or_missing_parts_are_404(self, api, editor_api, memorandum):
        created = create(editor_api, memorandum).json()
        assert api.get(f"{LIST}999999/clauses/").status_code == 404
        assert api.get(f"{LIST}{created['id']}/clauses/999999/").status_code == 404
        assert api.get(f"{LIST}{created['id']}/clauses/{2**64}/").status_code == 404
