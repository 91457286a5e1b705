import pytest


@pytest.fixture
def editor(django_user_model):
    """A staff user in the Editors group, as created by the migration."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("ed", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def demo_data(db):
    """The Iran–Iraq demo agreements, imported as `make run` imports them."""
    import json
    from pathlib import Path

    from agreements.importing import import_document

    path = Path(__file__).resolve().parent.parent / "fixtures" / "iran-iraq.json"
    return import_document(json.loads(path.read_text(encoding="utf-8")))
