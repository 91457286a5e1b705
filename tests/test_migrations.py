"""Data migrations, tested on rows made with the shape before them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("agreements", "0011_countries_kosovo_and_everyday_names")]
AFTER = [("agreements", "0014_permissions_for_participants_bodies_commitments")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    """Put every migration back, whatever the test did: the transactional tests that run after
    these (pytest-django runs them last, in file order) need the whole schema."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signatories_become_signed_participants_and_text_public_becomes_disclosure():
    old = migrate(BEFORE)
    Agreement = old.get_model("agreements", "Agreement")
    Person = old.get_model("agreements", "Person")
    Signatory = old.get_model("agreements", "Signatory")
    HistoricalAgreement = old.get_model("agreements", "HistoricalAgreement")
    published = Agreement.objects.create(
        title="Published treaty", party_a_id="IQ", party_b_id="IR", text_public=True, version=2
    )
    unknown = Agreement.objects.create(title="News-only memorandum", party_a_id="IQ", party_b_id="IR")
    dehqan = Person.objects.create(name="Hossein Dehqan")
    Signatory.objects.create(agreement=unknown, person=dehqan, party_id="IR", office="Minister of Defence")
    now = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for agreement in (published, unknown):
        HistoricalAgreement.objects.create(
            id=agreement.id,
            title=agreement.title,
            kind="agreement",
            party_a_id="IQ",
            party_b_id="IR",
            text_public=agreement.text_public,
            evidence="news_reports",
            version=agreement.version,
            created_at=now,
            updated_at=now,
            history_date=now,
            history_type="+",
        )

    new = migrate(AFTER)
    Agreement = new.get_model("agreements", "Agreement")
    Participant = new.get_model("agreements", "Participant")
    HistoricalAgreement = new.get_model("agreements", "HistoricalAgreement")
    assert dict(Agreement.objects.values_list("title", "disclosure")) == {
        "Published treaty": "published",
        "News-only memorandum": "unknown",  # "not public" never said why: not "withheld"
    }
    assert dict(HistoricalAgreement.objects.values_list("title", "disclosure")) == {
        "Published treaty": "published",
        "News-only memorandum": "unknown",
    }
    assert set(Agreement.objects.values_list("level", flat=True)) == {"state"}
    [participant] = Participant.objects.all()
    assert (participant.role, participant.person_id, participant.office, participant.description) == (
        "signed",
        dehqan.id,
        "Minister of Defence",
        "",
    )
    Permission = new.get_model("auth", "Permission")
    editors = new.get_model("auth", "Group").objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_participant", "change_commitment", "add_implementationevent", "add_body"} <= codenames
    assert not Permission.objects.filter(codename__endswith="_signatory").exists()
