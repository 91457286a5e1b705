"""Invariants the database itself enforces: each write here bypasses forms and services."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from agreements.models import (
    Agreement,
    AgreementRelation,
    Clause,
    ClauseCategory,
    Country,
    PersonName,
    Signatory,
    StatusEvent,
)

from .factories import AgreementFactory, PersonFactory, country

pytestmark = pytest.mark.django_db


def refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_an_agreement_needs_two_different_parties():
    assert refused(lambda: AgreementFactory(party_a=country("IR"), party_b=country("IR")))


def test_parties_are_stored_in_canonical_order():
    assert refused(lambda: AgreementFactory(party_a=country("IR"), party_b=country("IQ")))
    assert AgreementFactory(party_a=country("IQ"), party_b=country("IR")).pk


def test_queryset_update_cannot_swap_parties_either():
    agreement = AgreementFactory()
    assert refused(lambda: Agreement.objects.filter(pk=agreement.pk).update(party_a="IR", party_b="IQ"))


def test_unknown_kind_status_and_evidence_are_refused():
    agreement = AgreementFactory()
    rows = Agreement.objects.filter(pk=agreement.pk)
    assert refused(lambda: rows.update(kind="alliance"))
    assert refused(lambda: rows.update(status="in_limbo"))
    assert refused(lambda: rows.update(evidence="rumour"))


def test_a_partial_date_is_stored_as_its_periods_first_day():
    agreement = AgreementFactory()

    def event(value, precision):
        return lambda: StatusEvent.objects.create(
            agreement=agreement, status="signed", date=value, date_precision=precision
        )

    assert refused(event(datetime.date(2017, 7, 23), "month"))
    assert refused(event(datetime.date(2017, 7, 1), "year"))
    assert not refused(event(datetime.date(2017, 7, 1), "month"))
    assert not refused(event(datetime.date(2017, 1, 1), "year"))


def test_a_cached_date_comes_with_its_precision():
    agreement = AgreementFactory()
    rows = Agreement.objects.filter(pk=agreement.pk)
    assert refused(lambda: rows.update(signed_on=datetime.date(2017, 7, 23), signed_on_precision=""))
    assert refused(lambda: rows.update(signed_on=None, signed_on_precision="day"))


def test_clause_positions_are_unique_and_positive():
    agreement = AgreementFactory()
    Clause.objects.create(agreement=agreement, position=1, text="Share experience.")
    assert refused(lambda: Clause.objects.create(agreement=agreement, position=1, text="Again."))
    assert refused(lambda: Clause.objects.create(agreement=agreement, position=0, text="Zero."))
    assert refused(lambda: Clause.objects.create(agreement=agreement, position=2, text=""))


def test_a_person_signs_an_agreement_once():
    agreement, person = AgreementFactory(), PersonFactory()
    Signatory.objects.create(agreement=agreement, person=person, party=country("IR"))
    assert refused(lambda: Signatory.objects.create(agreement=agreement, person=person, party=country("IR")))


def test_another_name_is_unique_per_person():
    person = PersonFactory()
    PersonName.objects.create(person=person, name="Dehghan")
    assert refused(lambda: PersonName.objects.create(person=person, name="Dehghan"))


def test_relations_are_not_to_itself_and_unique_per_kind():
    first, second = AgreementFactory(), AgreementFactory()
    assert refused(
        lambda: AgreementRelation.objects.create(from_agreement=first, to_agreement=first, kind="amends")
    )
    AgreementRelation.objects.create(from_agreement=second, to_agreement=first, kind="amends")
    assert refused(
        lambda: AgreementRelation.objects.create(from_agreement=second, to_agreement=first, kind="amends")
    )
    assert not refused(
        lambda: AgreementRelation.objects.create(from_agreement=second, to_agreement=first, kind="implements")
    )


def test_a_category_is_not_its_own_parent_and_slugs_are_unique():
    category = ClauseCategory.objects.get(slug="logistics")
    assert refused(lambda: ClauseCategory.objects.filter(pk=category.pk).update(parent=category))
    assert refused(lambda: ClauseCategory.objects.create(slug="logistics", name="Logistics again"))


def test_cross_walk_identifiers_are_unique_when_given():
    AgreementFactory(unts_registration="I-54321", wikidata_qid="Q123")
    assert refused(lambda: AgreementFactory(unts_registration="I-54321"))
    assert refused(lambda: AgreementFactory(wikidata_qid="Q123"))
    AgreementFactory(unts_registration="", wikidata_qid="")
    AgreementFactory(unts_registration="", wikidata_qid="")


def test_country_codes_have_iso_shape():
    assert refused(lambda: Country.objects.create(code="iran", alpha_2="IR", alpha_3="IRN", name="Iran"))
