"""The demo data: encoded faithfully, and loaded idempotently through the services."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agreements.models import Agreement, Participant, Person, PersonName, Source, StatusEvent
from agreements.services.importing import DocumentError, import_document

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "iran-iraq.json"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Agreement, Person, PersonName, Participant, Source, StatusEvent)
    }


def test_the_demo_data_loads_three_iran_iraq_agreements(demo_data):
    assert demo_data.created == {"agreements": 3, "people": 5, "bodies": 4, "sources": 7}
    assert Agreement.objects.for_pair("IR", "IQ").count() == 3


def test_loading_twice_creates_nothing_and_changes_nothing(demo_data):
    before, versions = counts(), list(Agreement.objects.order_by("pk").values_list("version", flat=True))
    out = StringIO()
    call_command("load_agreements", str(FIXTURE), stdout=out)
    assert "nothing to change" in out.getvalue()
    assert counts() == before
    assert list(Agreement.objects.order_by("pk").values_list("version", flat=True)) == versions


def test_the_2017_memorandum_is_encoded_from_its_sources(demo_data):
    mou = Agreement.objects.with_details().get(signed_on=datetime.date(2017, 7, 23))
    assert (mou.kind, mou.place_of_signature, mou.status) == ("memorandum", "Tehran", "signed")
    assert (mou.disclosure, mou.evidence) == ("unknown", "news_reports")
    signed = mou.events.get()
    assert (signed.date_precision, signed.source.publisher) == ("day", "Kayhan International")
    assert "on Sunday" in signed.date_note
    categories = {c.slug for clause in mou.clauses.all() for c in clause.categories.all()}
    assert {"counterterrorism", "border-security", "logistics"} <= categories
    names = {
        s.person.name: ({o.name for o in s.person.other_names.all()}, s.party_id, s.office, s.rank)
        for s in mou.participants.all()
    }
    assert names["Hossein Dehqan"] == (
        {"Hossein Dehghan", "Hussein Dehqan"},
        "IR",
        "Minister of Defence",
        "Brigadier General",
    )
    assert names["Erfan Mahmoud al-Hayali"][0] == {"al-Hiyali", "Irfan al-Hayali"}
    assert {s.publisher for s in mou.sources.all()} == {"Mehr News Agency", "Kayhan International", "Dawn"}
    assert mou.sources.get(publisher="Mehr News Agency").licence == "CC BY 4.0"


def test_a_broken_document_imports_nothing():
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document["agreements"][2]["events"][0]["date"] = "18 September 2019"
    with pytest.raises(DocumentError, match=r"agreements\[2\]\.events\[0\]\.date"):
        import_document(document)
    assert counts() == dict.fromkeys(counts(), 0)


def test_an_invalid_agreement_is_reported_with_its_place_and_nothing_is_kept():
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document["agreements"][1]["participants"][1]["party"] = "SY"
    with pytest.raises(DocumentError, match=r"agreements\[1\].*Syria is not a party"):
        import_document(document)
    assert not Agreement.objects.exists()


def test_the_command_reports_a_missing_file_clearly(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_agreements", str(tmp_path / "missing.json"))
