"""The write services: atomic nested writes, canonical parties, one derivation."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from agreements.choices import EventType, Status
from agreements.dates import DatePrecision, PartialDate
from agreements.models import Agreement, Clause, Participant, Person, StatusEvent, StatusPeriod
from agreements.services import (
    AgreementIn,
    CitationIn,
    ClauseIn,
    EventIn,
    OtherNameIn,
    ParticipantIn,
    PersonIn,
    agreement_create,
    agreement_record_status,
    agreement_to_input,
    agreement_update,
)

from .factories import SourceFactory, category, make_agreement

pytestmark = pytest.mark.django_db

SIGNED_2017 = EventIn(EventType.SIGNED, PartialDate(datetime.date(2017, 7, 23)))


def memorandum(**overrides) -> AgreementIn:
    fields = {
        "title": "Memorandum of understanding on military cooperation",
        "party_a": "IR",
        "party_b": "IQ",
        "kind": "memorandum",
        "place_of_signature": "Tehran",
        "participants": [
            ParticipantIn(
                person=PersonIn(
                    "Hossein Dehqan", other_names=[OtherNameIn("Hossein Dehghan", "transliteration")]
                ),
                party="IR",
                office="Minister of Defence",
                rank="Brigadier General",
            ),
            ParticipantIn(
                person=PersonIn("Erfan Mahmoud al-Hayali"), party="IQ", office="Minister of Defence"
            ),
        ],
        "clauses": [
            ClauseIn(
                1,
                "Share experience in the fight against terrorism.",
                categories=[category("counterterrorism")],
            ),
            ClauseIn(2, "Cooperate to boost border security.", categories=[category("border-security")]),
            ClauseIn(3, "Logistical support.", categories=[category("logistics")]),
        ],
        "events": [SIGNED_2017],
        "citations": [],
    }
    return AgreementIn(**(fields | overrides))


def test_create_writes_the_whole_agreement_and_derives_its_status():
    agreement = agreement_create(data=memorandum())
    assert (agreement.party_a_id, agreement.party_b_id) == ("IQ", "IR")  # canonical order
    assert agreement.status == Status.SIGNED
    assert agreement.signed_on == datetime.date(2017, 7, 23)
    assert agreement.signed_on_precision == DatePrecision.DAY
    assert agreement.participants.count() == 2
    assert list(agreement.clauses.values_list("position", flat=True)) == [1, 2, 3]
    assert Person.objects.get(name="Hossein Dehqan").other_names.get().name == "Hossein Dehghan"
    assert list(agreement.periods.values_list("status", "start")) == [("signed", datetime.date(2017, 7, 23))]


def test_a_signatory_for_a_third_country_writes_nothing():
    bad = memorandum(
        participants=[ParticipantIn(person=PersonIn("Bashar al-Assad"), party="SY", office="President")]
    )
    with pytest.raises(ValidationError) as caught:
        agreement_create(data=bad)
    assert caught.value.message_dict == {
        "participants[0].party": [
            "Syria is not a party to this agreement (Iraq and Iran); a participant acts for one of them."
        ]
    }
    assert not Agreement.objects.exists()
    assert not Person.objects.exists()


def test_a_ratification_before_the_signature_writes_nothing():
    ratified = EventIn(EventType.RATIFIED, PartialDate(datetime.date(2017, 7, 1)), party="IR")
    with pytest.raises(ValidationError) as caught:
        agreement_create(data=memorandum(events=[SIGNED_2017, ratified]))
    assert caught.value.message_dict == {
        "events[1].date": ["Ratified on 1 July 2017 is before the signature on 23 July 2017."]
    }
    assert not Agreement.objects.exists()


def test_the_same_country_twice_is_refused():
    with pytest.raises(ValidationError) as caught:
        agreement_create(data=memorandum(party_a="IR", party_b="IR"))
    assert "party_b" in caught.value.message_dict


def test_unknown_country_and_bad_fields_are_reported_by_path():
    with pytest.raises(ValidationError) as caught:
        agreement_create(data=memorandum(party_b="XX"))
    assert caught.value.message_dict == {"party_b": ["Unknown country code “XX”."]}

    with pytest.raises(ValidationError) as caught:
        agreement_create(data=memorandum(kind="alliance", wikidata_qid="42"))
    assert set(caught.value.message_dict) == {"kind", "wikidata_qid"}


def test_a_bad_clause_in_a_valid_agreement_writes_nothing():
    clauses = [ClauseIn(1, "Fine."), ClauseIn(1, "Same position.")]
    with pytest.raises(ValidationError) as caught:
        agreement_create(data=memorandum(clauses=clauses))
    assert caught.value.message_dict == {"clauses[1].position": ["Another clause already has position 1."]}
    assert not Clause.objects.exists()
    assert not Agreement.objects.exists()


def test_update_matches_parts_by_natural_key_and_removes_the_rest():
    agreement = agreement_create(data=memorandum())
    clause_ids = dict(agreement.clauses.values_list("position", "pk"))
    data = agreement_to_input(agreement)
    data = AgreementIn(
        **{
            **data.__dict__,
            "clauses": [
                ClauseIn(
                    1,
                    "Share experience in fighting terrorism and extremism.",
                    categories=[category("counterterrorism")],
                ),
                ClauseIn(2, "Cooperate to boost border security.", categories=[category("border-security")]),
            ],
            "participants": data.participants[:1],
        }
    )
    updated = agreement_update(agreement=agreement, data=data)
    assert dict(updated.clauses.values_list("position", "pk")) == {1: clause_ids[1], 2: clause_ids[2]}
    assert updated.clauses.get(position=1).text.endswith("extremism.")
    assert updated.participants.count() == 1
    assert updated.version == agreement.version + 1


def test_an_update_that_changes_nothing_writes_nothing():
    agreement = agreement_create(data=memorandum())
    again = agreement_update(agreement=agreement, data=agreement_to_input(agreement))
    assert again.version == agreement.version
    assert again.updated_at == agreement.updated_at


def test_changing_the_parties_must_keep_the_signatories_valid():
    agreement = agreement_create(data=memorandum())
    data = agreement_to_input(agreement)
    with pytest.raises(ValidationError) as caught:
        agreement_update(agreement=agreement, data=AgreementIn(**{**data.__dict__, "party_b": "SY"}))
    assert "participants[1].party" in caught.value.message_dict
    agreement.refresh_from_db()
    assert agreement.party_b_id == "IR"


def test_record_status_adds_an_event_and_rederives():
    agreement = make_agreement()
    agreement_record_status(
        agreement=agreement,
        status=EventType.IN_FORCE,
        date=PartialDate.of(datetime.date(2018, 3, 9), "month"),
    )
    assert agreement.status == Status.IN_FORCE
    assert agreement.in_force_from == datetime.date(2018, 3, 1)
    assert agreement.in_force_from_precision == "month"
    assert StatusPeriod.objects.filter(agreement=agreement).count() == 2


def test_record_status_refuses_an_impossible_event_and_writes_nothing():
    agreement = make_agreement()
    with pytest.raises(ValidationError) as caught:
        agreement_record_status(
            agreement=agreement,
            status=EventType.RATIFIED,
            date=PartialDate(datetime.date(2016, 1, 1)),
            party="SY",
        )
    assert set(caught.value.message_dict) == {"party", "date"}
    assert StatusEvent.objects.filter(agreement=agreement).count() == 1


def test_sources_cited_for_facts_are_cited_for_the_agreement():
    report, article = SourceFactory(), SourceFactory()
    agreement = agreement_create(
        data=memorandum(
            events=[EventIn(EventType.SIGNED, PartialDate(datetime.date(2017, 7, 23)), source=report)],
            citations=[CitationIn(article, supports="content")],
        )
    )
    assert set(agreement.sources.all()) == {report, article}


def test_signatory_rows_keep_the_office_held_at_signature():
    agreement = agreement_create(data=memorandum())
    dehqan = Participant.objects.get(agreement=agreement, person__name="Hossein Dehqan")
    assert (dehqan.party_id, dehqan.office, dehqan.rank) == ("IR", "Minister of Defence", "Brigadier General")


def test_an_end_known_only_to_the_month_of_entry_into_force_is_stored(db):
    """Found by the synthetic-data work: this used to break the period check with an IntegrityError."""
    agreement = agreement_create(
        data=memorandum(
            events=[
                EventIn(EventType.SIGNED, PartialDate(datetime.date(2000, 11, 2))),
                EventIn(EventType.IN_FORCE, PartialDate(datetime.date(2001, 1, 4))),
                EventIn(EventType.TERMINATED, PartialDate(datetime.date(2001, 1, 1), "month")),
            ]
        )
    )
    assert agreement.status == Status.TERMINATED
    assert agreement.in_force_from == datetime.date(2001, 1, 4)
