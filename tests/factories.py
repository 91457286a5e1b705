"""factory_boy factories: one per model that tests create.

Countries and clause categories are reference data loaded by migrations, so the
factories look them up instead of inventing them.
"""

import datetime

import factory

from agreements.choices import AgreementKind, EventType, NameKind
from agreements.dates import DatePrecision, PartialDate
from agreements.models import Agreement, ClauseCategory, Country, Person, PersonName, Source
from agreements.services import AgreementIn, ClauseIn, EventIn, SignatoryIn, agreement_create


def country(code: str) -> Country:
    return Country.objects.get(code=code)


def category(slug: str) -> ClauseCategory:
    return ClauseCategory.objects.get(slug=slug)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Test Agency"
    url = factory.Sequence(lambda n: f"https://news.example/{n}")
    published_on = datetime.date(2017, 7, 24)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")


class PersonNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonName

    person = factory.SubFactory(PersonFactory)
    name = factory.Sequence(lambda n: f"Other name {n}")
    kind = NameKind.SPELLING


class AgreementFactory(factory.django.DjangoModelFactory):
    """A bare agreement row (no events); use ``make_agreement`` for one built by the services."""

    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Agreement {n}")
    kind = AgreementKind.MEMORANDUM
    party_a = factory.LazyFunction(lambda: country("IQ"))
    party_b = factory.LazyFunction(lambda: country("IR"))


def make_agreement(
    *,
    title: str = "Memorandum on military cooperation",
    parties: tuple[str, str] = ("IR", "IQ"),
    signed: datetime.date | None = datetime.date(2017, 7, 23),
    precision: str = DatePrecision.DAY,
    events: list[EventIn] | None = None,
    signatories: list[SignatoryIn] | None = None,
    clauses: list[ClauseIn] | None = None,
    **fields,
) -> Agreement:
    """An agreement written through ``agreement_create``, as every real write path does."""
    if events is None:
        events = [EventIn(EventType.SIGNED, PartialDate.of(signed, precision))] if signed else []
    return agreement_create(
        data=AgreementIn(
            title=title,
            party_a=parties[0],
            party_b=parties[1],
            kind=fields.pop("kind", AgreementKind.MEMORANDUM),
            signatories=signatories or [],
            clauses=clauses or [],
            events=events,
            citations=[],
            **fields,
        )
    )
