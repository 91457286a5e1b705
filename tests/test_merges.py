"""Two records of one person or body made one: everything moves, the old id points on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements.models import Agreement, Body, MergedRecord, Participant, Person
from agreements.services import ParticipantIn, body_merge, person_merge

from .factories import PersonFactory, make_agreement

pytestmark = pytest.mark.django_db


def test_a_person_entered_twice_is_merged_with_names_and_participations(people):
    dehqan = people["dehqan"]
    twin = PersonFactory(name="Hussein Dehghan", wikidata_qid="Q5952941")
    first = make_agreement(title="First", participants=[ParticipantIn(dehqan, "IR")])
    second = make_agreement(
        title="Second", participants=[ParticipantIn(twin, "IR"), ParticipantIn(twin, "IR", role="witnessed")]
    )
    both = make_agreement(title="Both", participants=[ParticipantIn(dehqan, "IR"), ParticipantIn(twin, "IR")])
    version, old = second.version, twin.pk

    person_merge(keep=dehqan, merge=twin)

    assert not Person.objects.filter(pk=old).exists()
    dehqan.refresh_from_db()
    assert dehqan.wikidata_qid == "Q5952941"
    assert set(dehqan.other_names.values_list("name", flat=True)) == {"Hossein Dehghan", "Hussein Dehghan"}
    assert set(Participant.objects.filter(agreement=second).values_list("person", "role")) == {
        (dehqan.pk, "signed"),
        (dehqan.pk, "witnessed"),
    }
    assert Participant.objects.filter(agreement=both).count() == 1  # one fact, not twice
    assert Agreement.objects.get(pk=second.pk).version == version + 1
    assert "Hussein Dehghan" in Agreement.objects.get(pk=first.pk).search_document
    assert MergedRecord.objects.get().into_id == dehqan.pk
    assert Person.history.filter(id=old, history_type="-").exists()


def test_the_old_id_points_to_the_one_kept(editor_api, people):
    twin = PersonFactory(name="Hussein Dehghan")
    old = twin.pk
    person_merge(keep=people["dehqan"], merge=twin)
    response = editor_api.get(f"/api/people/{old}/")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/api/people/{people['dehqan'].pk}/")
    assert response.json()["merged_into"] == people["dehqan"].pk
    write = editor_api.patch(f"/api/people/{old}/", {"note": "x"}, format="json")
    assert write.status_code == 404
    assert write.json()["detail"] == f"Person {old} was merged into person {people['dehqan'].pk}."
    assert editor_api.get("/api/people/999999/").status_code == 404


def test_bodies_of_different_countries_or_levels_are_not_merged():
    iran = Body.objects.create(name="Ministry of Defence", country_id="IR")
    iraq = Body.objects.create(name="Ministry of Defence", country_id="IQ")
    province = Body.objects.create(name="Ilam Border Regiment", country_id="IR", subdivision="IR-05")
    with pytest.raises(Exception, match="different countries"):
        body_merge(keep=iran, merge=iraq)
    with pytest.raises(Exception, match="below the state"):
        body_merge(keep=iran, merge=province)
    twin = Body.objects.create(name="Defence Ministry", country_id="IR")
    agreement = make_agreement(title="Sides", parties=("IR", "IQ"), body_a=twin)
    body_merge(keep=iran, merge=twin)
    agreement.refresh_from_db()
    assert agreement.body_b_id == iran.pk  # the pair is stored IQ, IR: Iran's body is side B
    assert "Defence Ministry" in iran.other_names.values_list("name", flat=True)


def test_editors_merge_two_people_in_the_admin_choosing_the_one_kept(editor_client, people):
    twin = PersonFactory(name="Hussein Dehghan")
    old = twin.pk
    url = reverse("admin:agreements_person_changelist")
    selected = {"action": "merge_selected", "_selected_action": [people["dehqan"].pk, twin.pk]}
    page = editor_client.post(url, selected)
    assert page.status_code == 200
    assert "Choose the one to keep" in page.content.decode()
    done = editor_client.post(url, selected | {"keep": people["dehqan"].pk, "confirm": "yes"}, follow=True)
    assert "is merged into “Hossein Dehqan”" in done.content.decode()
    assert not Person.objects.filter(pk=old).exists()
