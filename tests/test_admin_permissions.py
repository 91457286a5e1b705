"""Every admin view for anonymous, viewer, editor and administrator."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from agreements.models import Agreement, ClauseCategory, Person, Source

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "editor", "administrator"]


@pytest.fixture
def logged_in(client, django_user_model):
    def as_role(role: str):
        if role != "anonymous":
            user = django_user_model.objects.create_user(role, is_staff=True)
            user.groups.add(
                Group.objects.get(name={"viewer": "Viewers", "editor": "Editors"}.get(role, "Administrators"))
            )
            client.force_login(user)
        return client

    return as_role


def cells(demo_data):
    agreement = Agreement.objects.get(signed_on__year=2017)
    person = Person.objects.get(name="Hossein Dehqan")
    source = Source.objects.get(publisher="Mehr News Agency")
    category = ClauseCategory.objects.get(slug="logistics")
    rows = []
    for model, pk, add, delete in [
        ("agreement", agreement.pk, (302, 403, 200, 200), (302, 403, 403, 200)),
        ("person", person.pk, (302, 403, 200, 200), (302, 403, 403, 200)),
        ("source", source.pk, (302, 403, 200, 200), (302, 403, 403, 200)),
        ("clausecategory", category.pk, (302, 403, 403, 200), (302, 403, 403, 200)),
        ("country", "IR", (302, 403, 403, 403), (302, 403, 403, 403)),
    ]:
        rows += [
            (f"admin:agreements_{model}_changelist", [], (302, 200, 200, 200)),
            (f"admin:agreements_{model}_add", [], add),
            (f"admin:agreements_{model}_change", [pk], (302, 200, 200, 200)),
            (f"admin:agreements_{model}_delete", [pk], delete),
        ]
    rows += [
        ("admin:agreements_agreement_history", [agreement.pk], (302, 200, 200, 200)),
        ("admin:agreements_agreement_deleted", [], (302, 200, 200, 200)),
        ("admin:index", [], (302, 200, 200, 200)),
    ]
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_permission_matrix(logged_in, demo_data, role):
    client = logged_in(role)
    failures = []
    for name, args, expected in cells(demo_data):
        response = client.get(reverse(name, args=args))
        want = expected[ROLES.index(role)]
        if response.status_code != want:
            failures.append(f"GET {name}: {response.status_code}, expected {want}")
    assert not failures, "\n".join(failures)


def test_a_viewer_sees_agreements_without_save_buttons_and_a_forced_post_is_refused(logged_in, demo_data):
    client = logged_in("viewer")
    agreement = Agreement.objects.get(signed_on__year=2017)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    page = client.get(url).content.decode()
    assert "Memorandum of understanding on military cooperation" in page
    assert 'name="_save"' not in page
    assert client.post(url, {"title": "Taken over"}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.title == "Memorandum of understanding on military cooperation"
    restore = reverse("admin:agreements_agreement_restore", args=[agreement.pk])
    assert client.post(restore).status_code == 403
