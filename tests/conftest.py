from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from agreements.models import Source

from .servers import Server, gunicorn, production_environment


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

    from agreements.services.importing import import_document

    path = Path(__file__).resolve().parent.parent / "fixtures" / "iran-iraq.json"
    return import_document(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def admin_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def mehr(db) -> Source:
    return Source.objects.create(
        title="[Iran and Iraq sign initial agreement to boost military cooperation]",
        publisher="Mehr News Agency",
        licence="CC BY 4.0",
    )


@pytest.fixture
def memorandum(mehr) -> dict:
    """The 2017 Iran–Iraq memorandum as a client would POST it, from scratch."""
    return {
        "title": "Memorandum of understanding on military cooperation",
        "kind": "memorandum",
        "party_a": "IR",
        "party_b": "irq",
        "place_of_signature": "Tehran",
        "evidence": "news_reports",
        "participants": [
            {
                "person": {
                    "name": "Hossein Dehqan",
                    "other_names": [
                        {"name": "Hossein Dehghan", "kind": "transliteration"},
                        {"name": "Hussein Dehqan"},
                    ],
                },
                "party": "IR",
                "office": "Minister of Defence",
                "rank": "Brigadier General",
                "source": mehr.pk,
            },
            {
                "person": {"name": "Erfan Mahmoud al-Hayali", "other_names": [{"name": "al-Hiyali"}]},
                "party": "IQ",
                "office": "Minister of Defence",
            },
        ],
        "clauses": [
            {
                "position": 1,
                "text": "Share experience in the fight against terrorism.",
                "categories": ["counterterrorism"],
            },
            {"position": 2, "text": "Cooperate to boost border security.", "categories": ["border-security"]},
            {
                "position": 3,
                "text": "Provide logistical, technical and military support.",
                "categories": ["logistics", "technical-assistance"],
            },
        ],
        "events": [
            {
                "status": "signed",
                "date": "2017-07-23",
                "date_precision": "day",
                "date_note": "'on Sunday'",
                "source": mehr.pk,
            }
        ],
        "citations": [{"source": mehr.pk, "supports": "Signing and content"}],
    }


@pytest.fixture
def people():
    """Two defence ministers, one with another spelling of his name."""
    from agreements.models import PersonName

    from . import factories

    dehqan = factories.PersonFactory(name="Hossein Dehqan")
    PersonName.objects.create(person=dehqan, name="Hossein Dehghan", kind="transliteration")
    return {"dehqan": dehqan, "hayali": factories.PersonFactory(name="Erfan Mahmoud al-Hayali")}


@pytest.fixture(scope="session")
def production_server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Server]:
    """``make serve`` on the test database, for the whole session."""
    work = tmp_path_factory.mktemp("production")
    env = production_environment(STATIC_ROOT=str(work / "static"), GUNICORN_THREADS="8")
    with django_db_blocker.unblock(), gunicorn(env, work, "make-serve", make_serve=True) as server:
        yield server
        # The server's database connections go with it, before the test database is dropped.
