"""factory_boy factories: one per model that tests create.

Countries and clause categories are reference data loaded by migrations, so the
factories look them up instead of inventing them.
"""

import datetime

import factory

from agreements.choices import AgreementKind, EventType, NameKind
from agreements.dates import DatePrecision, PartialDate
from agreements.models import Agreement, ClauseCategory, Country, Person, PersonName, Source
from agreements.services import AgreementIn, ClauseIn, EventIn, ParticipantIn, agreement_create


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
    participants: list[ParticipantIn] | None = None,
    clauses: list[ClauseIn] | None = None,
    **fields,
) -> Agreement:
    """An agreement written through ``agreement_create``, as every real write path does."""
    if events is None:
        events = [EventIn(EventType.SIGNED, PartialDate.of(signed, precision))] if signed else []
    return agreement_create(
        allow_duplicate=True,  # fixtures repeat pairs and days on purpose
        data=AgreementIn(
            title=title,
            party_a=parties[0],
            party_b=parties[1],
            kind=fields.pop("kind", AgreementKind.MEMORANDUM),
            participants=participants or [],
            clauses=clauses or [],
            events=events,
            citations=fields.pop("citations", []),
            **fields,
        ),
    )


def make_varied_dataset(count: int = 12, *, seed: int = 5) -> list[Agreement]:
    """``count`` agreements written through the services, varied enough to catch a lossy copy.

    Each has other parties, partial dates, unicode and NUL-free oddities in text, signatories
    new and reused (with other names and sources), every other one a witness and an unnamed
    signatory, every third one bodies on its sides (sub-national for some) and a commitment
    with implementation events, clauses with one or two categories, one to three events (some
    in force, some ended), citations, and every other one a relation to the previous
    agreement; then a person and a source are edited and one agreement updated and one
    deleted, so history tables hold changes and deletions too.
    """
    import random

    from agreements.models import AgreementRelation
    from agreements.services import (
        BodyIn,
        CitationIn,
        CommitmentIn,
        ImplementationEventIn,
        OtherNameIn,
        PersonIn,
        agreement_delete,
        agreement_update,
        body_create,
    )

    rng = random.Random(seed)
    pairs = [("IR", "IQ"), ("FR", "DE"), ("US", "CA"), ("SUHH", "FI"), ("JP", "KR"), ("BR", "AR")]
    categories = list(ClauseCategory.objects.order_by("slug"))
    texts = [
        "Coopération — 协议 — اتفاقية 🤝",
        "Line one\nline two\ttabbed",
        '‘quotes’ "and" \\ backslash',
        "x",
    ]
    reused = PersonFactory(name="Reused Participant", wikidata_qid="Q424242", note="Signs often.")
    agreements: list[Agreement] = []
    for index in range(count):
        party_a, party_b = pairs[index % len(pairs)]
        source = SourceFactory(
            title=f"Report {index} {texts[index % len(texts)]}",
            published_on=datetime.date(1990 + index, 1 + index % 12, 1),
            published_on_precision=[DatePrecision.DAY, DatePrecision.MONTH][index % 2],
            language=["en", "fa", "ar", ""][index % 4],
            excerpt=texts[(index + 1) % len(texts)],
        )
        signed = datetime.date(1990 + index, 1 + rng.randrange(12), 1 + rng.randrange(28))
        precision = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR][index % 3]
        events = [EventIn(EventType.SIGNED, PartialDate.of(signed, precision), source=source)]
        if index % 2 == 0:
            events.append(
                EventIn(EventType.IN_FORCE, PartialDate.of(signed.replace(year=signed.year + 1), "day"))
            )
        if index % 4 == 0:
            events.append(EventIn(EventType.TERMINATED, PartialDate.of(datetime.date(2020, 6, 1), "month")))
        new_person = PersonIn(
            name=f"Participant {index} {texts[index % len(texts)][:20]}",
            other_names=[OtherNameIn(f"Other {index}", kind=NameKind.TRANSLITERATION, language="fa")],
        )
        participants = [
            ParticipantIn(new_person, party=party_a, office="Minister", source=source),
            ParticipantIn(reused, party=party_b, rank="General" if index % 2 else ""),
        ]
        if index % 2 == 0:
            participants += [
                ParticipantIn(reused, party=party_b, role="witnessed"),
                ParticipantIn(
                    None, party=party_a, role="negotiated", description=f"Head of delegation {index}"
                ),
            ]
        sides, commitments = {}, []
        if index % 3 == 0:
            local = "-" if index % 2 else ""  # some sides below the state
            sides = {
                "body_a": body_create(
                    data=BodyIn(
                        f"Ministry {index} {texts[index % len(texts)][:10]}",
                        country=party_a,
                        other_names=[OtherNameIn(f"MoD {index}")],
                    ),
                    allow_duplicate=True,  # namesakes on purpose: "Ministry 0 …", "Ministry 6 …"
                ),
                "body_b": body_create(
                    data=BodyIn(
                        f"Border force {index}",
                        country=party_b,
                        kind="armed_force",
                        subdivision=_first_subdivision(party_b) if local else "",
                    ),
                    allow_duplicate=True,
                ),
            }
            due = PartialDate.of(signed.replace(year=signed.year + 2), DatePrecision.MONTH)
            commitments = [
                CommitmentIn(
                    position=1,
                    text=f"Undertaking {index} {texts[index % len(texts)]}",
                    party=party_b,
                    clauses=[1],
                    due=due,
                    due_note="within two years",
                    source=source,
                    events=[
                        ImplementationEventIn("progress", PartialDate(signed.replace(year=signed.year + 1))),
                        ImplementationEventIn(
                            "extended",
                            PartialDate(signed.replace(year=signed.year + 1, day=28)),
                            new_due=PartialDate.of(signed.replace(year=signed.year + 3), DatePrecision.YEAR),
                        ),
                    ],
                )
            ]
        agreements.append(
            make_agreement(
                title=f"Agreement {index}: {texts[index % len(texts)]}",
                parties=(party_a, party_b),
                events=events,
                summary=texts[(index + 2) % len(texts)] * (1 + index),
                place_of_signature=["Tehran", "", "Zürich"][index % 3],
                disclosure="published" if index % 2 == 1 else "unknown",
                unts_registration=f"I-{50000 + index}" if index % 3 == 0 else "",
                participants=participants,
                commitments=commitments,
                **sides,
                clauses=[
                    ClauseIn(
                        position + 1,
                        f"Clause {position + 1} {texts[position % len(texts)]}",
                        article=f"Art. {position + 1}",
                        categories=rng.sample(categories, 1 + position % 2),
                    )
                    for position in range(1 + index % 3)
                ],
                citations=[CitationIn(source, supports="date and signatories")],
            )
        )
        if index % 2 == 1:
            AgreementRelation.objects.create(
                from_agreement=agreements[-1], to_agreement=agreements[-2], kind="amends", note="in part"
            )
    reused.note = "Signs very often."
    reused.save()
    updated = agreements[1]
    agreement_update(
        agreement=updated,
        data=AgreementIn(title=updated.title + " (revised)", party_a="FR", party_b="DE"),
    )
    agreement_delete(agreement=agreements.pop())
    return agreements


def _first_subdivision(country: str) -> str:
    import pycountry

    return sorted(s.code for s in pycountry.subdivisions.get(country_code=country[:2]) or [])[0]
