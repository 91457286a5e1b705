import datetime

import pytest

from agreements.choices import EventType
from agreements.dates import PartialDate
from agreements.models import Agreement
from agreements.services import EventIn

from .factories import country, make_agreement

pytestmark = pytest.mark.django_db


def test_pair_lookup_is_symmetric():
    make_agreement(parties=("IR", "IQ"))
    make_agreement(title="Other pair", parties=("IR", "SY"))
    iq_ir = list(Agreement.objects.for_pair("IQ", "IR"))
    assert iq_ir == list(Agreement.objects.for_pair("IR", "IQ"))
    assert list(Agreement.objects.for_pair(country("IR"), country("IQ"))) == iq_ir
    assert len(iq_ir) == 1


def test_involving_finds_either_party():
    make_agreement(parties=("IR", "IQ"))
    make_agreement(title="Other pair", parties=("IR", "SY"))
    make_agreement(title="Not Iran", parties=("IQ", "SY"))
    assert Agreement.objects.involving("IR").count() == 2
    assert Agreement.objects.involving("SY").count() == 2


def test_in_force_on_respects_suspension_and_partial_dates():
    def on(y, m, d):
        return PartialDate(datetime.date(y, m, d))

    agreement = make_agreement(
        events=[
            EventIn(EventType.SIGNED, on(2010, 1, 5)),
            EventIn(EventType.IN_FORCE, PartialDate(datetime.date(2010, 3, 1), "month")),
            EventIn(EventType.SUSPENDED, on(2014, 6, 1), party="IQ"),
            EventIn(EventType.RESUMED, on(2016, 2, 1), party="IQ"),
        ]
    )
    in_force = Agreement.objects.in_force_on
    assert not in_force(datetime.date(2010, 2, 28)).exists()
    assert list(in_force(datetime.date(2010, 3, 1))) == [agreement]  # a month counts from its first day
    assert not in_force(datetime.date(2015, 1, 1)).exists()
    assert list(in_force(datetime.date(2016, 2, 1))) == [agreement]


def test_with_details_loads_a_list_in_a_fixed_number_of_queries(django_assert_num_queries, demo_data):
    # 1 agreements + participants, people's other names, commitments, clauses, categories (with
    # parents), events, citations: 8 queries for any number of agreements (commitments' clauses and
    # implementation events add two where there are commitments).
    with django_assert_num_queries(8):
        for agreement in Agreement.objects.with_details():
            for signatory in agreement.participants.all():
                assert signatory.person.name
                assert signatory.party.name
                list(signatory.person.other_names.all())
            for clause in agreement.clauses.all():
                assert all(c.root.name for c in clause.categories.all())
            for event in agreement.events.all():
                assert event.date_display
            list(agreement.citations.all())
            assert agreement.party_a.name
            assert agreement.party_b.name
