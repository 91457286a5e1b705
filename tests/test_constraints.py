"""Invariants the database itself enforces: each write here bypasses forms and services."""

import datetime

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Body,
    BodyName,
    ChangeEvent,
    ChangeEventCategory,
    Clause,
    ClauseCategory,
    Commitment,
    Country,
    Digest,
    ImplementationEvent,
    MergedRecord,
    Participant,
    Person,
    PersonName,
    Reader,
    Source,
    StatusEvent,
    StatusPeriod,
    Watch,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
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
    Participant.objects.create(agreement=agreement, person=person, party=country("IR"))
    assert refused(
        lambda: Participant.objects.create(agreement=agreement, person=person, party=country("IR"))
    )


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


# --- Every constraint, one write that breaks it ---------------------------------------------------
# Each entry bypasses forms, serializers and services (QuerySet.update, objects.create or a
# bulk_create, none of which validates); the database alone must refuse it. The last test
# fails when a model declares a constraint that has no entry here.


def _update(model, **values):
    return lambda: model.objects.filter(pk=model.objects.order_by("pk").values("pk")[:1]).update(**values)


def _agreement_with_period(**values):
    agreement = AgreementFactory()
    base = {"status": "signed", "start": datetime.date(2017, 7, 1), "start_precision": "month"}
    return lambda: StatusPeriod.objects.bulk_create([StatusPeriod(agreement=agreement, **{**base, **values})])


def _implementation(**values):
    commitment = Commitment.objects.create(agreement=Agreement.objects.first(), position=9, text="A")
    base = {"kind": "progress", "date": datetime.date(2018, 1, 1), "date_precision": "day"}
    return lambda: ImplementationEvent.objects.bulk_create(
        [ImplementationEvent(commitment=commitment, **{**base, **values})]
    )


def _user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="reader")[0]


def _event() -> ChangeEvent:
    return ChangeEvent.objects.create(
        kind="agreement_added", agreement_id=1, title="A", party_a="IQ", party_b="IR", summary="Added."
    )


def _webhook(**values) -> WebhookSubscription:
    base = {"owner": _user(), "target_url": "https://hooks.example.org/in", "secret": "s" * 32}
    return WebhookSubscription.objects.create(**{**base, **values})


def _delivery(**values) -> WebhookDelivery:
    return WebhookDelivery.objects.create(**{"subscription": _webhook(), "event": _event(), **values})


def _attempt(**values):
    delivery = _delivery()
    base = {
        "number": 1,
        "outcome": "refused",
        "response_code": 500,
        "started_at": datetime.datetime.now(datetime.UTC),
    }
    return lambda: WebhookAttempt.objects.create(
        subscription=delivery.subscription, delivery=delivery, duration_ms=5, **{**base, **values}
    )


def _twice(factory, **values):
    factory(**values)
    return lambda: factory(**values)


def violations() -> dict:
    """Constraint name → a function that sets the scene and returns the write that breaks it."""
    first_source = lambda: Source.objects.create(title="A", url="https://a.example/1")  # noqa: E731
    return {
        "agreement_parties_distinct_and_ordered": lambda: _update(Agreement, party_a="IR", party_b="IQ"),
        "agreement_title_required": lambda: _update(Agreement, title=""),
        "agreement_kind_valid": lambda: _update(Agreement, kind="alliance"),
        "agreement_evidence_valid": lambda: _update(Agreement, evidence="rumour"),
        "agreement_status_valid": lambda: _update(Agreement, status="in_limbo"),
        "agreement_signed_on_precision": lambda: _update(Agreement, signed_on_precision="day"),
        "agreement_in_force_from_precision": lambda: _update(
            Agreement, in_force_from=datetime.date(2017, 7, 23), in_force_from_precision="year"
        ),
        "agreement_ended_on_precision": lambda: _update(Agreement, ended_on=datetime.date(2017, 7, 23)),
        "agreement_unts_registration_unique": lambda: _twice(AgreementFactory, unts_registration="I-1"),
        "agreement_wikidata_unique": lambda: _twice(AgreementFactory, wikidata_qid="Q1"),
        "agreement_wikidata_format": lambda: _update(Agreement, wikidata_qid="42"),
        "agreement_version_positive": lambda: _update(Agreement, version=0),
        # A version below 1 would let an old ETag name a version the row never had.
        "person_version_positive": lambda: lambda: Person.objects.bulk_create([Person(name="A", version=0)]),
        "body_version_positive": lambda: (
            lambda: Body.objects.bulk_create([Body(name="A", country=country("IR"), version=0)])
        ),
        "source_version_positive": lambda: lambda: Source.objects.bulk_create([Source(title="A", version=0)]),
        "clause_category_version_positive": lambda: (
            lambda: ClauseCategory.objects.filter(slug="logistics").update(version=0)
        ),
        "agreement_relation_version_positive": lambda: (
            lambda: AgreementRelation.objects.create(
                from_agreement=AgreementFactory(),
                to_agreement=Agreement.objects.first(),
                kind="amends",
                version=0,
            )
        ),
        "agreement_source_unique": lambda: _twice(
            AgreementSource.objects.create, agreement=Agreement.objects.first(), source=first_source()
        ),
        "agreement_relation_not_to_itself": lambda: (
            lambda: AgreementRelation.objects.create(
                from_agreement=Agreement.objects.first(),
                to_agreement=Agreement.objects.first(),
                kind="amends",
            )
        ),
        "agreement_relation_unique": lambda: _twice(
            AgreementRelation.objects.create,
            from_agreement=AgreementFactory(),
            to_agreement=Agreement.objects.first(),
            kind="amends",
        ),
        "agreement_relation_kind_valid": lambda: (
            lambda: AgreementRelation.objects.create(
                from_agreement=AgreementFactory(), to_agreement=Agreement.objects.first(), kind="copies"
            )
        ),
        "clause_category_not_own_parent": lambda: (
            lambda: ClauseCategory.objects.filter(slug="logistics").update(
                parent=ClauseCategory.objects.get(slug="logistics")
            )
        ),
        "clause_category_name_required": lambda: (
            lambda: ClauseCategory.objects.filter(slug="logistics").update(name="")
        ),
        "clause_category_slug_format": lambda: (
            lambda: ClauseCategory.objects.filter(slug="logistics").update(slug="logistics and more")
        ),
        "participant_once_per_role": lambda: _twice(
            Participant.objects.create,
            agreement=Agreement.objects.first(),
            person=PersonFactory(),
            party=country("IR"),
        ),
        "participant_named_or_described": lambda: (
            lambda: Participant.objects.create(agreement=Agreement.objects.first(), party=country("IR"))
        ),
        "participant_role_valid": lambda: (
            lambda: Participant.objects.create(
                agreement=Agreement.objects.first(),
                person=PersonFactory(),
                party=country("IR"),
                role="blessed",
            )
        ),
        "agreement_level_valid": lambda: _update(Agreement, level="galactic"),
        "agreement_disclosure_valid": lambda: _update(Agreement, disclosure="leaked"),
        "body_name_required": lambda: lambda: Body.objects.create(name="", country=country("IR")),
        "body_kind_valid": lambda: lambda: Body.objects.create(name="A", country=country("IR"), kind="club"),
        "body_subdivision_of_its_country": lambda: (
            lambda: Body.objects.create(name="A", country=country("IR"), subdivision="IQ-KR")
        ),
        "body_name_unique_per_place": lambda: _twice(
            Body.objects.create, name="Ministry", country=country("IR")
        ),
        "body_name_unique_per_body": lambda: _twice(
            BodyName.objects.create, body=Body.objects.create(name="B", country=country("IQ")), name="Other"
        ),
        "body_other_name_required": lambda: (
            lambda: BodyName.objects.create(
                body=Body.objects.create(name="C", country=country("IQ")), name=""
            )
        ),
        "body_name_kind_valid": lambda: (
            lambda: BodyName.objects.create(
                body=Body.objects.create(name="D", country=country("IQ")), name="E", kind="nickname"
            )
        ),
        "commitment_position_unique": lambda: _twice(
            Commitment.objects.create, agreement=Agreement.objects.first(), position=1, text="Again."
        ),
        "commitment_position_positive": lambda: (
            lambda: Commitment.objects.create(agreement=Agreement.objects.first(), position=0, text="Zero.")
        ),
        "commitment_text_required": lambda: (
            lambda: Commitment.objects.create(agreement=Agreement.objects.first(), position=2, text="")
        ),
        "commitment_due_precision": lambda: (
            lambda: Commitment.objects.create(
                agreement=Agreement.objects.first(),
                position=3,
                text="A",
                due_on=datetime.date(2018, 1, 23),
                due_on_precision="month",
            )
        ),
        "commitment_due_current_precision": lambda: (
            lambda: Commitment.objects.create(
                agreement=Agreement.objects.first(),
                position=4,
                text="A",
                due_current=datetime.date(2018, 1, 1),
            )
        ),
        "commitment_state_valid": lambda: (
            lambda: Commitment.objects.create(
                agreement=Agreement.objects.first(), position=5, text="A", state="lost"
            )
        ),
        "implementation_kind_valid": lambda: _implementation(kind="rumoured"),
        "implementation_date_precision": lambda: _implementation(
            date=datetime.date(2018, 1, 23), date_precision="year"
        ),
        "implementation_new_due_precision": lambda: _implementation(
            kind="extended", new_due_on=datetime.date(2019, 1, 23), new_due_on_precision="month"
        ),
        "implementation_extension_has_new_due": lambda: _implementation(kind="extended"),
        "clause_position_unique": lambda: _twice(
            Clause.objects.create, agreement=Agreement.objects.first(), position=1, text="Again."
        ),
        "clause_position_positive": lambda: (
            lambda: Clause.objects.create(agreement=Agreement.objects.first(), position=0, text="Zero.")
        ),
        "clause_text_required": lambda: (
            lambda: Clause.objects.create(agreement=Agreement.objects.first(), position=5, text="")
        ),
        "status_event_status_valid": lambda: (
            lambda: StatusEvent.objects.bulk_create(
                [
                    StatusEvent(
                        agreement=Agreement.objects.first(),
                        status="dissolved",
                        date=datetime.date(2017, 7, 1),
                    )
                ]
            )
        ),
        "status_event_date_precision": lambda: (
            lambda: StatusEvent.objects.bulk_create(
                [
                    StatusEvent(
                        agreement=Agreement.objects.first(),
                        status="signed",
                        date=datetime.date(2017, 7, 1),
                        date_precision="week",
                    )
                ]
            )
        ),
        "status_period_ends_after_start": lambda: _agreement_with_period(
            end=datetime.date(2017, 7, 1), end_precision="day"
        ),
        "status_period_status_valid": lambda: _agreement_with_period(status="dissolved"),
        "status_period_start_precision": lambda: _agreement_with_period(start_precision="year"),
        "status_period_end_precision": lambda: _agreement_with_period(end=datetime.date(2018, 1, 1)),
        "country_current_alpha_3_unique": lambda: (
            lambda: Country.objects.create(code="XI", alpha_2="XI", alpha_3="IRN", name="Another Iran")
        ),
        "country_code_format": lambda: (
            lambda: Country.objects.create(code="iran", alpha_2="IR", alpha_3="XXX", name="Iran")
        ),
        "country_alpha_2_format": lambda: _update(Country, alpha_2="I"),
        "country_alpha_3_format": lambda: _update(Country, alpha_3="irn"),
        "country_name_required": lambda: _update(Country, name=""),
        "person_name_required": lambda: lambda: Person.objects.bulk_create([Person(name="")]),
        "person_wikidata_unique": lambda: _twice(PersonFactory, wikidata_qid="Q7"),
        "person_wikidata_format": lambda: (
            lambda: Person.objects.bulk_create([Person(name="A", wikidata_qid="Q0")])
        ),
        "person_name_unique_per_person": lambda: _twice(
            PersonName.objects.create, person=PersonFactory(), name="Dehghan"
        ),
        "person_other_name_required": lambda: (
            lambda: PersonName.objects.create(person=PersonFactory(), name="")
        ),
        "person_name_kind_valid": lambda: (
            lambda: PersonName.objects.create(person=PersonFactory(), name="B", kind="nickname")
        ),
        "change_event_once": lambda: _twice(
            ChangeEvent.objects.create,
            kind="commitment_overdue",
            agreement_id=1,
            title="A",
            party_a="IQ",
            party_b="IR",
            summary="Overdue.",
            once_key="overdue:1:2020-01-01",
        ),
        "change_event_kind_valid": lambda: (
            lambda: ChangeEvent.objects.create(
                kind="rumoured", agreement_id=1, title="A", party_a="IQ", party_b="IR", summary="?"
            )
        ),
        "change_event_category_once": lambda: _twice(
            ChangeEventCategory.objects.create, event=_event(), slug="logistics"
        ),
        "watch_one_thing": lambda: (
            lambda: Watch.objects.create(
                user=_user(), country_id="IR", category=None, party_a_id="IQ", party_b_id="IR"
            )
        ),
        "watch_pair_distinct_and_ordered": lambda: (
            lambda: Watch.objects.create(user=_user(), party_a_id="IR", party_b_id="IQ")
        ),
        "watch_pair_once": lambda: _twice(
            Watch.objects.create, user=_user(), party_a_id="IQ", party_b_id="IR"
        ),
        "watch_country_once": lambda: _twice(Watch.objects.create, user=_user(), country_id="IR"),
        "watch_category_once": lambda: _twice(
            Watch.objects.create, user=_user(), category=ClauseCategory.objects.get(slug="logistics")
        ),
        "reader_period_valid": lambda: lambda: Reader.objects.create(user=_user(), period="hourly"),
        "reader_cursor_not_negative": lambda: lambda: Reader.objects.create(user=_user(), told_up_to=-1),
        "digest_tells_changes": lambda: (
            lambda: Digest.objects.create(user=_user(), period="daily", after=5, up_to=5, changes=0)
        ),
        "digest_state_valid": lambda: (
            lambda: Digest.objects.create(
                user=_user(), period="daily", after=0, up_to=5, changes=1, state="lost"
            )
        ),
        "digest_once": lambda: _twice(
            Digest.objects.create, user=_user(), period="daily", after=0, up_to=5, changes=1
        ),
        "merged_record_once": lambda: _twice(MergedRecord.objects.create, kind="person", old_id=8, into_id=9),
        "merged_record_not_itself": lambda: (
            lambda: MergedRecord.objects.create(kind="person", old_id=8, into_id=8)
        ),
        "merged_record_kind_valid": lambda: (
            lambda: MergedRecord.objects.create(kind="clause", old_id=8, into_id=9)
        ),
        "source_url_unique": lambda: _twice(Source.objects.create, title="A", url="https://a.example/2"),
        "source_title_required": lambda: lambda: Source.objects.create(title=""),
        "source_published_on_precision": lambda: (
            lambda: Source.objects.create(
                title="A", published_on=datetime.date(2017, 7, 23), published_on_precision="month"
            )
        ),
        "webhook_state_valid": lambda: lambda: _webhook(state="asleep"),
        "webhook_failing_says_why": lambda: lambda: _webhook(state="failing"),
        "webhook_target_is_web_address": lambda: lambda: _webhook(target_url="ftp://hooks.example.org/"),
        "webhook_secret_required": lambda: lambda: _webhook(secret=""),
        "webhook_cursor_not_negative": lambda: lambda: _webhook(cursor=-1),
        "webhook_delivery_once": lambda: (
            lambda delivery: (
                lambda: WebhookDelivery.objects.create(
                    subscription=delivery.subscription, event=delivery.event
                )
            )
        )(_delivery()),
        "webhook_delivery_state_and_time": lambda: lambda: _delivery(state="delivered"),
        "webhook_attempt_once": lambda: (
            lambda first: (
                lambda: WebhookAttempt.objects.create(
                    subscription=first.subscription,
                    delivery=first.delivery,
                    number=1,
                    outcome="timeout",
                    started_at=first.started_at,
                    duration_ms=1,
                )
            )
        )(_attempt()()),
        "webhook_attempt_number_positive": lambda: _attempt(number=0),
        "webhook_attempt_outcome_valid": lambda: _attempt(outcome="lost"),
        "webhook_attempt_response_code_http": lambda: _attempt(response_code=42),
        "webhook_attempt_delivered_is_2xx": lambda: _attempt(outcome="delivered", response_code=500),
        "source_published_on_precision_valid": lambda: (
            lambda: Source.objects.create(title="A", published_on_precision="week")
        ),
    }


def declared_constraints() -> set[str]:
    names = set()
    for model in apps.get_app_config("agreements").get_models():
        names |= {constraint.name for constraint in model._meta.constraints}
    return names


@pytest.mark.parametrize("name", sorted(violations()))
def test_the_database_refuses_a_write_that_breaks(name):
    AgreementFactory()  # the row the updates change
    write = violations()[name]()
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        write()
    if connection.vendor == "postgresql":
        # PostgreSQL names the constraint: it was this one that refused, not another.
        assert name in str(refusal.value)


def test_every_declared_constraint_has_a_write_that_breaks_it_above():
    assert declared_constraints() == set(violations())


@pytest.mark.parametrize("name", sorted(declared_constraints()))
def test_every_constraint_speaks_an_editors_words(name):
    """No constraint name, SQL or "is violated" reaches an editor: each says what is wrong."""
    [constraint] = [
        constraint
        for model in apps.get_app_config("agreements").get_models()
        for constraint in model._meta.constraints
        if constraint.name == name
    ]
    message = str(constraint.get_violation_error_message())
    assert name not in message
    assert "violated" not in message
    assert "_" not in message
    assert message[0].isupper()
    assert message.endswith(".")
