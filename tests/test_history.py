"""Every change recorded with who, when, through which interface and what; revert and restore."""

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse

from agreements.api.concurrency import etag
from agreements.history import agreement_timeline
from agreements.models import Agreement, ClauseCategory, Person, Source

pytestmark = pytest.mark.django_db


def test_a_command_import_is_recorded_as_a_command():
    call_command("load_agreements", "fixtures/iran-iraq.json")
    agreement = Agreement.objects.get(signed_on__year=2017)
    entries = agreement_timeline(agreement.pk)
    assert {e.interface for e in entries} == {"command"}
    created = [e for e in entries if e.action == "created"]
    assert {e.object_type for e in created} == {
        "agreement",
        "participant",
        "clause",
        "status event",
        "source cited",
    }
    assert Person.history.filter(interface="command").exists()
    assert Source.history.filter(interface="command").exists()


def test_an_api_change_is_recorded_with_user_interface_and_before_after(editor_api, editor, memorandum):
    created = editor_api.post("/api/agreements/", memorandum, format="json")
    agreement = created.json()
    clause = agreement["clauses"][0]
    editor_api.patch(
        f"/api/agreements/{agreement['id']}/clauses/{clause['id']}/",
        {"text": "Exchange experience in fighting terrorism and extremism."},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    entries = agreement_timeline(agreement["id"])
    change = next(e for e in entries if e.object_type == "clause" and e.action == "changed")
    assert (change.user, change.interface) == ("ed", "api")
    assert [(c.field, c.old, c.new) for c in change.changes] == [
        ("text", clause["text"], "Exchange experience in fighting terrorism and extremism.")
    ]


def test_category_changes_of_a_clause_are_part_of_its_history(editor_api, memorandum):
    created = editor_api.post("/api/agreements/", memorandum, format="json")
    agreement = created.json()
    clause = agreement["clauses"][2]
    editor_api.patch(
        f"/api/agreements/{agreement['id']}/clauses/{clause['id']}/",
        {"categories": ["logistics"]},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    changes = [c for e in agreement_timeline(agreement["id"]) if e.object_type == "clause" for c in e.changes]
    assert ("categories", ["logistics", "technical-assistance"], ["logistics"]) in [
        (c.field, c.old, c.new) for c in changes
    ]


def test_an_admin_change_is_recorded_as_admin(admin_client, demo_data):
    person = Person.objects.get(name="Qasem Rezaei")
    url = reverse("admin:agreements_person_change", args=[person.pk])
    data = {
        "name": "Qasem Rezaei",
        "wikidata_qid": "",
        "note": "Border guard commander",
        "other_names-TOTAL_FORMS": "0",
        "other_names-INITIAL_FORMS": "0",
    }
    assert admin_client.post(url, data).status_code == 302
    record = person.history.first()
    assert (record.interface, record.history_user.username, record.note) == (
        "admin",
        "admin",
        "Border guard commander",
    )


class TestApiHistory:
    def test_it_is_paginated_and_needs_a_user_who_may_view(
        self, api, editor_api, demo_data, django_user_model
    ):
        from rest_framework.test import APIClient

        pk = Agreement.objects.get(signed_on__year=2017).pk
        assert api.get(f"/api/agreements/{pk}/history/").status_code == 401
        nobody = APIClient()
        nobody.force_authenticate(django_user_model.objects.create_user("nobody"))
        assert nobody.get(f"/api/agreements/{pk}/history/").status_code == 403
        page = editor_api.get(f"/api/agreements/{pk}/history/?page_size=5").json()
        assert page["count"] > 5
        assert len(page["results"]) == 5
        assert page["results"][0]["object_type"] == "agreement"
        assert editor_api.get("/api/agreements/999999/history/").status_code == 404


class TestRevert:
    def test_the_admin_reverts_an_agreement_with_its_parts(self, admin_client, admin_api, demo_data):
        agreement = Agreement.objects.get(signed_on__year=2017)
        original = agreement.history.order_by("-history_date").first()
        response = admin_api.patch(
            f"/api/agreements/{agreement.pk}/",
            {"title": "Renamed", "clauses": []},
            format="json",
            HTTP_IF_MATCH=etag(agreement.pk, agreement.version),
        )
        assert response.status_code == 200
        agreement.refresh_from_db()

        page = admin_client.get(reverse("admin:agreements_agreement_history", args=[agreement.pk]))
        assert page.status_code == 200
        assert "Renamed" in page.content.decode()
        assert "Revert to this version" in page.content.decode()

        revert_url = reverse("admin:agreements_agreement_revert", args=[agreement.pk, original.history_id])
        response = admin_client.post(revert_url, {"version": agreement.version}, follow=True)
        assert "back as they were" in response.content.decode()
        agreement.refresh_from_db()
        assert agreement.title == "Memorandum of understanding on military cooperation"
        assert agreement.clauses.count() == 4
        assert set(agreement.clauses.get(position=3).categories.values_list("slug", flat=True)) == {
            "logistics",
            "technical-assistance",
            "military-support-and-equipment",
        }

    def test_a_revert_from_a_stale_page_is_refused(self, admin_client, demo_data):
        agreement = Agreement.objects.get(signed_on__year=2017)
        record = agreement.history.order_by("-history_date").first()
        url = reverse("admin:agreements_agreement_revert", args=[agreement.pk, record.history_id])
        response = admin_client.post(url, {"version": agreement.version - 1}, follow=True)
        assert "changed while you were looking at its history" in response.content.decode()

    def test_viewers_see_history_but_cannot_revert(self, client, demo_data, django_user_model):
        from django.contrib.auth.models import Group

        viewer = django_user_model.objects.create_user("viewer", is_staff=True)
        viewer.groups.add(Group.objects.get(name="Viewers"))
        client.force_login(viewer)
        agreement = Agreement.objects.get(signed_on__year=2017)
        page = client.get(reverse("admin:agreements_agreement_history", args=[agreement.pk]))
        assert page.status_code == 200
        assert "Revert to this version" not in page.content.decode()
        record = agreement.history.first()
        url = reverse("admin:agreements_agreement_revert", args=[agreement.pk, record.history_id])
        assert client.post(url, {"version": agreement.version}).status_code == 403


class TestRestore:
    def test_a_deleted_agreement_comes_back_with_its_parts_under_its_id(
        self, admin_client, admin_api, demo_data
    ):
        agreement = Agreement.objects.get(signed_on__year=2017)
        pk, version = agreement.pk, agreement.version
        before = {
            "participants": agreement.participants.count(),
            "clauses": agreement.clauses.count(),
            "events": agreement.events.count(),
            "citations": agreement.citations.count(),
        }
        assert admin_api.delete(f"/api/agreements/{pk}/", HTTP_IF_MATCH=etag(pk, version)).status_code == 204

        listing = admin_client.get(reverse("admin:agreements_agreement_deleted"))
        assert "Memorandum of understanding on military cooperation" in listing.content.decode()
        response = admin_client.post(reverse("admin:agreements_agreement_restore", args=[pk]), follow=True)
        assert "is restored" in response.content.decode()

        restored = Agreement.objects.get(pk=pk)
        assert {
            "participants": restored.participants.count(),
            "clauses": restored.clauses.count(),
            "events": restored.events.count(),
            "citations": restored.citations.count(),
        } == before
        assert restored.status == "signed"
        assert restored.version > version  # no ETag from before the deletion matches again
        assert (
            "Memorandum of understanding on military cooperation"
            not in admin_client.get(reverse("admin:agreements_agreement_deleted")).content.decode()
        )

    def test_restoring_needs_the_permission_to_delete(self, client, admin_api, demo_data, editor):
        """Issue 16: an editor (who may add, not delete, agreements) restored what an
        administrator had deleted; undoing a deletion is the deleter's right."""
        agreement = Agreement.objects.get(signed_on__year=2017)
        pk = agreement.pk
        assert (
            admin_api.delete(f"/api/agreements/{pk}/", HTTP_IF_MATCH=etag(pk, agreement.version)).status_code
            == 204
        )
        client.force_login(editor)
        listing = client.get(reverse("admin:agreements_agreement_deleted"))
        assert listing.status_code == 200
        assert "Restore" not in listing.content.decode()
        assert client.post(reverse("admin:agreements_agreement_restore", args=[pk])).status_code == 403
        assert not Agreement.objects.filter(pk=pk).exists()


class TestProtection:
    def test_a_category_in_use_cannot_be_deleted_anywhere(self, admin_api, admin_client, demo_data):
        category = ClauseCategory.objects.get(slug="logistics")
        with pytest.raises(ProtectedError):
            category.delete()
        response = admin_api.delete("/api/categories/logistics/", HTTP_IF_MATCH="*")
        assert response.status_code == 409
        assert "clause" in response.json()["detail"]
        page = admin_client.get(reverse("admin:agreements_clausecategory_delete", args=[category.pk]))
        assert "would require deleting the following protected related objects" in page.content.decode()
        response = admin_client.post(
            reverse("admin:agreements_clausecategory_changelist"),
            {"action": "delete_selected", "_selected_action": [category.pk], "post": "yes"},
        )
        assert ClauseCategory.objects.filter(slug="logistics").exists()

    def test_an_unused_category_can_be_deleted(self, admin_api):
        assert admin_api.delete("/api/categories/reconstruction/", HTTP_IF_MATCH="*").status_code == 204

    def test_people_and_sources_in_use_are_protected_in_the_admin(self, admin_client, demo_data):
        person = Person.objects.get(name="Hossein Dehqan")
        page = admin_client.get(reverse("admin:agreements_person_delete", args=[person.pk]))
        assert "would require deleting the following protected related objects" in page.content.decode()


def test_the_load_command_records_history_once_per_change(demo_data):
    before = Agreement.history.count()
    call_command("load_agreements", "fixtures/iran-iraq.json")
    assert Agreement.history.count() == before  # nothing changed, nothing recorded


def test_each_write_of_an_agreement_is_one_record_with_its_new_version_and_status(editor_api, memorandum):
    created = editor_api.post("/api/agreements/", memorandum, format="json")
    pk, version = created.json()["id"], created.json()["version"]
    [first] = Agreement.history.filter(id=pk)
    assert (first.history_type, first.version, first.status) == ("+", version, "signed")

    editor_api.patch(
        f"/api/agreements/{pk}/",
        {"title": "MoU on military cooperation"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    records = list(Agreement.history.filter(id=pk).order_by("history_id"))
    assert [(r.history_type, r.version, r.title) for r in records] == [
        ("+", version, memorandum["title"]),
        ("~", version + 1, "MoU on military cooperation"),
    ]
    [change] = [e for e in agreement_timeline(pk) if e.object_type == "agreement" and e.action == "changed"]
    assert (change.version, [(c.field, c.new) for c in change.changes]) == (
        version + 1,
        [("title", "MoU on military cooperation")],
    )


def test_a_change_to_one_field_leaves_the_agreements_parts_unrecorded(editor_api, memorandum):
    from agreements.models import AgreementSource, Clause, Participant, StatusEvent

    created = editor_api.post("/api/agreements/", memorandum, format="json")
    parts = (Participant, Clause, StatusEvent, AgreementSource)
    before = [model.history.count() for model in parts]
    response = editor_api.patch(
        f"/api/agreements/{created.json()['id']}/",
        {"summary": "Shorter."},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert response.status_code == 200
    assert [model.history.count() for model in parts] == before


def test_the_admin_history_is_one_entry_per_save_in_an_editors_words(admin_client, admin_api, demo_data):
    agreement = Agreement.objects.get(signed_on__year=2017)
    response = admin_api.patch(
        f"/api/agreements/{agreement.pk}/",
        {"disclosure": "withheld", "clauses": []},
        format="json",
        HTTP_IF_MATCH=etag(agreement.pk, agreement.version),
    )
    assert response.status_code == 200
    page = admin_client.get(reverse("admin:agreements_agreement_history", args=[agreement.pk]))
    saves = page.context["saves"]
    newest = saves[0]
    assert newest.agreement.version == agreement.version + 1
    assert {entry.sentence.split(" ")[0] for entry in newest.parts} == {"Removed"}
    assert len(newest.parts) == 4  # the four clauses removed, in the same save
    changes = {change.label: (change.old_display, change.new_display) for change in newest.agreement.changes}
    assert changes["Text disclosure"] == (
        "Unknown (not found or not looked for)",
        "Withheld (officially not disclosed)",
    )
    html = page.content.decode()
    assert "Withheld (officially not disclosed)" in html
    assert "through the api" in html


def test_a_revert_shows_what_it_would_change_before_it_changes_anything(admin_client, admin_api, demo_data):
    agreement = Agreement.objects.get(signed_on__year=2017)
    original = agreement.history.order_by("-history_date").first()
    admin_api.patch(
        f"/api/agreements/{agreement.pk}/",
        {"title": "Renamed", "clauses": []},
        format="json",
        HTTP_IF_MATCH=etag(agreement.pk, agreement.version),
    )
    url = reverse("admin:agreements_agreement_revert", args=[agreement.pk, original.history_id])
    page = admin_client.get(url)
    assert page.status_code == 200
    differences = {d.what: d for d in page.context["differences"]}
    assert (differences["Title"].now, differences["Title"].then) == (
        "Renamed",
        "Memorandum of understanding on military cooperation",
    )
    assert differences["Clauses"].now == "—"
    assert "Share" in differences["Clauses"].then
    assert Agreement.objects.get(pk=agreement.pk).title == "Renamed"  # nothing changed yet
