"""Finding known people by any spelling, and saving an accepted proposal: the service and the admin page."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from agreements.dates import PartialDate
from agreements.models import Agreement, Body, ClauseCategory, Person, PersonName, Source
from agreements.services import AgreementIn, ClauseIn, OtherNameIn, ParticipantIn, PersonIn
from agreements.services.intake import IntakeIn, SourceIn, intake_confirm
from agreements.services.matching import similar_bodies, similar_people

pytestmark = pytest.mark.django_db
SEED = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "reports"
    / "iran-iraq-military-cooperation-2017.txt"
)


@pytest.fixture
def dehqan() -> Person:
    person = Person.objects.create(name="Hossein Dehqan")
    PersonName.objects.create(person=person, name="Hossein Dehghan")
    Person.objects.create(name="Hossein Dehqani Firouzabadi")
    Person.objects.create(name="Mohammad Hariy")
    return person


@pytest.mark.parametrize(
    "spelling", ["Hossein Dehgan", "Hossein Dehgaan", "HOSSEIN DEHGHAN", "Hussein Dehqan", "Hosein Dehghan"]
)
def test_near_spellings_never_seen_before_find_the_known_person(dehqan, spelling):
    best = similar_people(spelling)[0]
    assert (best.id, best.is_same) == (dehqan.pk, True)
    assert best.why


def test_a_candidate_says_which_name_matched_and_why(dehqan):
    best = similar_people("Hossein Dehghan")[0]
    assert (best.name, best.matched_name, best.score) == ("Hossein Dehqan", "Hossein Dehghan", 100.0)
    assert best.why == "“Hossein Dehghan” is another spelling of the same name"


def test_a_shared_common_first_name_is_not_the_same_person(dehqan):
    assert [c.name for c in similar_people("Mohamed Farid") if c.is_same] == []


def test_arabic_names_with_and_without_the_article(db):
    obeidi = Person.objects.create(name="Khalid al-Obeidi")
    for spelling in ["Khaled al-Obaidi", "Khalid Al Obeidi", "Khaled el-Obeidi"]:
        assert similar_people(spelling)[0].id == obeidi.pk


def test_bodies_are_found_by_any_of_their_names_in_their_country(db):
    body = Body.objects.create(name="Ministry of Defence and Armed Forces Logistics", country_id="IR")
    body.other_names.create(name="Ministry of Defence")
    Body.objects.create(name="Ministry of Defence", country_id="IQ")
    found = similar_bodies("Ministry of Defence", country="IR")
    assert [(c.id, c.matched_name, c.is_same) for c in found] == [(body.pk, "Ministry of Defence", True)]


def _draft(**changes) -> IntakeIn:
    agreement = AgreementIn(
        title="Agreement on military cooperation",
        party_a="IR",
        party_b="IQ",
        participants=[
            ParticipantIn(
                person=Person.objects.get(name="Hossein Dehqan"), party="IR", office="Minister of Defence"
            ),
            ParticipantIn(
                person=PersonIn(name="Erfan Mahmoud al-Hayali", other_names=[OtherNameIn(name="al-Hiyali")]),
                party="IQ",
            ),
        ],
        clauses=[
            ClauseIn(
                position=1,
                text="Cooperate to boost border security.",
                categories=[ClauseCategory.objects.get(slug="border-security")],
            )
        ],
        events=[],
    )
    values = {
        "agreement": agreement,
        "source": SourceIn(
            title="[Iran and Iraq sign]",
            publisher="Mehr News Agency",
            published_on=datetime.date(2017, 7, 23),
            licence="CC BY 4.0",
        ),
        "status": "signed",
        "date": PartialDate(datetime.date(2017, 7, 23)),
        "date_note": "“on Sunday”",
        "spellings": [(Person.objects.get(name="Hossein Dehqan"), "Hossein Dehgan")],
    }
    return IntakeIn(**{**values, **changes})


def test_confirm_saves_the_source_the_new_person_the_spellings_and_the_agreement_citing_the_report(dehqan):
    agreement = intake_confirm(data=_draft())
    source = Source.objects.get(publisher="Mehr News Agency")
    assert (agreement.status, str(agreement.signed_on_display)) == ("signed", "23 July 2017")
    assert list(agreement.citations.values_list("source", flat=True)) == [source.pk]
    assert {p.source_id for p in agreement.participants.all()} == {source.pk}
    assert agreement.clauses.get().source == source
    assert agreement.events.get().date_note == "“on Sunday”"
    hayali = Person.objects.get(name="Erfan Mahmoud al-Hayali")
    assert list(hayali.other_names.values_list("name", "source")) == [("al-Hiyali", source.pk)]
    assert set(dehqan.other_names.values_list("name", flat=True)) == {"Hossein Dehghan", "Hossein Dehgan"}


def test_confirm_saves_nothing_when_any_part_is_refused(dehqan):
    counts = (Agreement.objects.count(), Person.objects.count(), Source.objects.count())
    with pytest.raises(ValidationError) as refused:
        intake_confirm(data=_draft(date=None))
    assert "date" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        intake_confirm(data=_draft(agreement=AgreementIn(title="x", party_a="IR", party_b="IR")))
    assert "party_b" in refused.value.message_dict
    assert (Agreement.objects.count(), Person.objects.count(), Source.objects.count()) == counts


def test_a_planned_agreement_is_saved_as_under_negotiation_as_of_the_report(dehqan):
    agreement = intake_confirm(data=_draft(status="planned", date=None, date_note=""))
    event = agreement.events.get()
    assert (agreement.status, event.status, event.date) == (
        "negotiating",
        "negotiating",
        datetime.date(2017, 7, 23),
    )
    assert event.date_note == "Planned, not yet signed, as of the report of 23 July 2017"


def test_a_source_url_already_recorded_is_refused_with_a_pointer(dehqan):
    Source.objects.create(title="Mehr", url="https://en.mehrnews.com/news/1/")
    source = SourceIn(title="Again", url="https://en.mehrnews.com/news/1/")
    with pytest.raises(ValidationError) as refused:
        intake_confirm(data=_draft(source=source))
    assert "already recorded as the source “Mehr”" in refused.value.message_dict["source.url"][0]


# --- The admin page --------------------------------------------------------------------------------


def test_the_page_is_linked_for_editors_and_refused_to_viewers(editor_client, client):
    assert "Add from a news report" in editor_client.get("/admin/agreements/agreement/").content.decode()
    assert "Add an agreement from a news report" in editor_client.get("/admin/").content.decode()
    viewer = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Viewers"))
    client.force_login(viewer)
    assert client.get("/admin/agreements/agreement/intake/").status_code == 403
    assert "Add from a news report" not in client.get("/admin/agreements/agreement/").content.decode()


def test_reading_a_report_shows_the_proposal_and_saves_nothing(editor_client, dehqan):
    page = editor_client.post(
        "/admin/agreements/agreement/intake/",
        {
            "text": SEED.read_text(encoding="utf-8"),
            "publisher": "Mehr News Agency",
            "published_on": "23/07/2017",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "From the report: “on Sunday”" in html
    assert "“Hossein Dehqan” is another spelling of the same name" in html
    assert (Agreement.objects.count(), Source.objects.count()) == (0, 0)


def test_step_one_names_what_is_wrong(editor_client):
    page = editor_client.post("/admin/agreements/agreement/intake/", {"text": "", "published_on": "someday"})
    assert page.status_code == 200
    assert page.context["report_form"].errors.keys() == {"text", "published_on"}


def test_a_refused_save_is_shown_on_its_field_and_saves_nothing(editor_client, dehqan):
    text = SEED.read_text(encoding="utf-8")
    page = editor_client.post(
        "/admin/agreements/agreement/intake/",
        {"text": text, "publisher": "Mehr News Agency", "published_on": "23/07/2017"},
    )
    step = page.context["step"]
    data = {"confirm": "1", **_bound(step.form), **_bound(step.participants), **_bound(step.clauses)}
    data["party_b"] = data["party_a"]
    page = editor_client.post("/admin/agreements/agreement/intake/", data)
    assert page.status_code == 200
    assert page.context["step"].form.errors["party_b"]
    assert (Agreement.objects.count(), Source.objects.count()) == (0, 0)
    data["party_b"] = "IQ"
    page = editor_client.post("/admin/agreements/agreement/intake/", data)
    assert page.status_code == 302
    assert Agreement.objects.get().participants.count() == 2


def _bound(form_or_formset) -> dict:
    """What the browser would send back for a form or formset rendered with its initial values."""
    from django.forms import BaseFormSet

    data = {}
    forms = form_or_formset.forms if isinstance(form_or_formset, BaseFormSet) else [form_or_formset]
    if isinstance(form_or_formset, BaseFormSet):
        management = form_or_formset.management_form
        data.update({management.add_prefix(name): field.initial for name, field in management.fields.items()})
        data.update(
            {management.add_prefix(name): management.initial.get(name) for name in management.initial}
        )
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, (list, tuple)):
                value = [getattr(item, "pk", item) for item in value]
            elif hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            data[form.add_prefix(name)] = value
    return data


def test_category_keywords_are_seeded_and_edited_in_the_admin(admin_client):
    category = ClauseCategory.objects.get(slug="counterterrorism")
    assert "terror" in category.keywords.splitlines()
    url = f"/admin/agreements/clausecategory/{category.pk}/change/"
    assert 'name="keywords"' in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {"name": category.name, "slug": category.slug, "description": "", "keywords": "terror\nDaesh\nIS"},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.keywords.splitlines() == ["terror", "Daesh", "IS"]


def test_a_search_inside_a_write_leaves_the_planner_as_it_was(dehqan):
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm and the planner's settings are PostgreSQL's")
    with transaction.atomic(), connection.cursor() as cursor:
        # No name alike once folded: the trigram search runs, and finds Dehqan by his surname.
        assert [c.name for c in similar_people("Hosein Dehgaany")][:1] == ["Hossein Dehqan"]
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('pg_trgm.word_similarity_threshold')"
        )
        assert cursor.fetchone() == ("on", "0.6")
