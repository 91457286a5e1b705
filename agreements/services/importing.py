"""Import agreements from a JSON document (the format of ``fixtures/iran-iraq.json``).

The document lists sources, people and bodies under local keys, then agreements that
refer to them (``body_a`` and ``body_b`` follow the two ``parties`` in their order).
Everything is written through the services, so the derived status and the validation
are those of the admin and the API. Importing is idempotent: sources are matched by URL
(or publisher and title), people by Wikidata id (or name), bodies by country,
subdivision and name, and agreements by their pair of parties and title; a second
import changes nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction

from ..choices import BodyKind, Disclosure, ParticipantRole
from ..dates import DatePrecision, PartialDate
from ..models import Agreement, Body, ClauseCategory, Person, Source
from ..pairs import canonical_pair
from .agreements import agreement_create, agreement_update
from .bodies import body_create, body_sync_other_names
from .duplicates import PossibleDuplicateError
from .inputs import (
    AgreementIn,
    BodyIn,
    CitationIn,
    ClauseIn,
    CommitmentIn,
    EventIn,
    ImplementationEventIn,
    OtherNameIn,
    ParticipantIn,
    PersonIn,
)
from .people import person_create, person_sync_other_names


class DocumentError(ValueError):
    """The document cannot be imported; the message names the place in it."""


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        return ", ".join(
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated" for kind in kinds
        )


def _date(value: str | None, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DocumentError(f"{where}: “{value}” is not an ISO date (YYYY-MM-DD).") from None


class _Importer:
    def __init__(self) -> None:
        self.result = ImportResult()
        self.sources: dict[str, Source] = {}
        self.people: dict[str, Person] = {}
        self.bodies: dict[str, Body] = {}
        self.categories = {c.slug: c for c in ClauseCategory.objects.all()}

    def source(self, key: str | None, where: str) -> Source | None:
        if key is None:
            return None
        try:
            return self.sources[key]
        except KeyError:
            raise DocumentError(f"{where}: no source with key “{key}” in the document.") from None

    def import_sources(self, items: list[dict[str, Any]]) -> None:
        for index, item in enumerate(items):
            where = f"sources[{index}]"
            values = {
                "title": item["title"],
                "publisher": item.get("publisher", ""),
                "url": item.get("url", ""),
                "published_on": _date(item.get("published_on"), f"{where}.published_on"),
                "published_on_precision": item.get("published_on_precision", DatePrecision.DAY),
                "accessed_on": _date(item.get("accessed_on"), f"{where}.accessed_on"),
                "language": item.get("language", ""),
                "licence": item.get("licence", ""),
                "excerpt": item.get("excerpt", ""),
            }
            match = (
                {"url": values["url"]}
                if values["url"]
                else {"publisher": values["publisher"], "title": values["title"]}
            )
            source = Source.objects.filter(**match).first() or Source()
            changed = source.pk is None or any(getattr(source, k) != v for k, v in values.items())
            if changed:
                kind = "updated" if source.pk else "created"
                for name, value in values.items():
                    setattr(source, name, value)
                self._save(source, where)
                getattr(self.result, kind)["sources"] += 1
            self.sources[item["key"]] = source

    def import_people(self, items: list[dict[str, Any]]) -> None:
        for index, item in enumerate(items):
            where = f"people[{index}]"
            other_names = [
                OtherNameIn(
                    name=other["name"],
                    kind=other.get("kind", "spelling"),
                    language=other.get("language", ""),
                    source=self.source(other.get("source"), f"{where}.other_names[{position}].source"),
                )
                for position, other in enumerate(item.get("other_names", []))
            ]
            qid = item.get("wikidata_qid", "")
            person = (
                Person.objects.filter(wikidata_qid=qid) if qid else Person.objects.filter(name=item["name"])
            ).first()
            try:
                if person is None:
                    # A document's people are records of their own (an export keeps them
                    # apart), found by name or Wikidata id above; their spelling is not a guess.
                    person = person_create(
                        allow_duplicate=True,
                        data=PersonIn(
                            name=item["name"],
                            other_names=other_names,
                            wikidata_qid=qid,
                            note=item.get("note", ""),
                        ),
                    )
                    self.result.created["people"] += 1
                else:
                    before = set(person.other_names.values_list("name", "kind", "language", "source_id"))
                    person_sync_other_names(person=person, other_names=other_names)
                    after = set(person.other_names.values_list("name", "kind", "language", "source_id"))
                    if before != after:
                        self.result.updated["people"] += 1
            except ValidationError as error:
                raise DocumentError(f"{where}: {error.message_dict}") from None
            self.people[item["key"]] = person

    def import_agreements(self, items: list[dict[str, Any]]) -> None:
        for index, item in enumerate(items):
            where = f"agreements[{index}]"
            data = self.agreement_in(item, where)
            pair = canonical_pair(data.party_a, data.party_b)
            existing = Agreement.objects.for_pair(*pair).filter(title=data.title).first()
            try:
                if existing is None:
                    agreement_create(data=data)
                    self.result.created["agreements"] += 1
                elif agreement_update(agreement=existing, data=data).version != existing.version:
                    self.result.updated["agreements"] += 1
            except ValidationError as error:
                raise DocumentError(f"{where}: {error.message_dict}") from None
            except PossibleDuplicateError as error:
                raise DocumentError(f"{where}: {error}") from None

    def agreement_in(self, item: dict[str, Any], where: str) -> AgreementIn:
        for old, new in (("signatories", "participants (each with a role)"), ("text_public", "disclosure")):
            if old in item:
                raise DocumentError(f"{where}.{old}: the key is now “{new}”.")
        try:
            party_a, party_b = item["parties"]
        except (KeyError, ValueError):
            raise DocumentError(f"{where}.parties: give exactly two country codes.") from None
        return AgreementIn(
            title=item["title"],
            party_a=party_a,
            party_b=party_b,
            kind=item.get("kind", "agreement"),
            summary=item.get("summary", ""),
            full_text=item.get("full_text", ""),
            disclosure=item.get("disclosure", Disclosure.UNKNOWN),
            place_of_signature=item.get("place_of_signature", ""),
            evidence=item.get("evidence", "news_reports"),
            unts_registration=item.get("unts_registration", ""),
            wikidata_qid=item.get("wikidata_qid", ""),
            atop_id=item.get("atop_id", ""),
            dcad_id=item.get("dcad_id", ""),
            body_a=self.body(item.get("body_a"), f"{where}.body_a"),
            body_b=self.body(item.get("body_b"), f"{where}.body_b"),
            level=item.get("level"),
            participants=[
                ParticipantIn(
                    party=p["party"],
                    person=self.person(p.get("person"), f"{where}.participants[{i}].person"),
                    role=p.get("role", ParticipantRole.SIGNED),
                    description=p.get("description", ""),
                    body=self.body(p.get("body"), f"{where}.participants[{i}].body"),
                    office=p.get("office", ""),
                    rank=p.get("rank", ""),
                    note=p.get("note", ""),
                    source=self.source(p.get("source"), f"{where}.participants[{i}].source"),
                )
                for i, p in enumerate(item.get("participants", []))
            ],
            clauses=[
                ClauseIn(
                    position=c["position"],
                    text=c["text"],
                    article=c.get("article", ""),
                    categories=[
                        self.category(slug, f"{where}.clauses[{i}].categories") for slug in c["categories"]
                    ],
                    source=self.source(c.get("source"), f"{where}.clauses[{i}].source"),
                )
                for i, c in enumerate(item.get("clauses", []))
            ],
            events=[
                EventIn(
                    status=e["status"],
                    date=self.partial_date(e, f"{where}.events[{i}]"),
                    party=e.get("party"),
                    date_note=e.get("date_note", ""),
                    note=e.get("note", ""),
                    source=self.source(e.get("source"), f"{where}.events[{i}].source"),
                )
                for i, e in enumerate(item.get("events", []))
            ],
            citations=[
                CitationIn(
                    source=self.source(c["source"], f"{where}.citations[{i}].source"),
                    supports=c.get("supports", ""),
                )
                for i, c in enumerate(item.get("citations", []))
            ],
            commitments=[
                self.commitment(c, index, f"{where}.commitments[{index}]")
                for index, c in enumerate(item.get("commitments", []))
            ],
        )

    def commitment(self, item: dict[str, Any], index: int, where: str) -> CommitmentIn:
        due = self.partial_date(item, where, key="due_on") if item.get("due_on") else None
        return CommitmentIn(
            position=item.get("position", index + 1),
            text=item["text"],
            party=item.get("party"),
            clauses=item.get("clauses", []),
            due=due,
            due_note=item.get("due_note", ""),
            source=self.source(item.get("source"), f"{where}.source"),
            events=[
                ImplementationEventIn(
                    kind=e["kind"],
                    date=self.partial_date(e, f"{where}.events[{i}]"),
                    new_due=self.partial_date(e, f"{where}.events[{i}]", key="new_due_on")
                    if e.get("new_due_on")
                    else None,
                    note=e.get("note", ""),
                    source=self.source(e.get("source"), f"{where}.events[{i}].source"),
                )
                for i, e in enumerate(item.get("events", []))
            ],
        )

    def import_bodies(self, items: list[dict[str, Any]]) -> None:
        for index, item in enumerate(items):
            where = f"bodies[{index}]"
            other_names = [
                OtherNameIn(
                    name=other["name"],
                    kind=other.get("kind", "spelling"),
                    language=other.get("language", ""),
                    source=self.source(other.get("source"), f"{where}.other_names[{position}].source"),
                )
                for position, other in enumerate(item.get("other_names", []))
            ]
            data = BodyIn(
                name=item["name"],
                country=item["country"],
                kind=item.get("kind", BodyKind.MINISTRY),
                subdivision=item.get("subdivision", ""),
                other_names=other_names,
                note=item.get("note", ""),
            )
            body = Body.objects.filter(
                country=data.country, subdivision=data.subdivision.upper(), name=data.name
            ).first()
            try:
                if body is None:
                    body = body_create(data=data, allow_duplicate=True)  # as for people above
                    self.result.created["bodies"] += 1
                else:
                    before = set(body.other_names.values_list("name", "kind", "language", "source_id"))
                    body_sync_other_names(body=body, other_names=other_names)
                    after = set(body.other_names.values_list("name", "kind", "language", "source_id"))
                    if before != after:
                        self.result.updated["bodies"] += 1
            except ValidationError as error:
                raise DocumentError(f"{where}: {error.message_dict}") from None
            self.bodies[item["key"]] = body

    def body(self, key: str | None, where: str) -> Body | None:
        if key is None:
            return None
        try:
            return self.bodies[key]
        except KeyError:
            raise DocumentError(f"{where}: no body with key “{key}” in the document.") from None

    def person(self, key: str | None, where: str) -> Person | None:
        if key is None:
            return None
        try:
            return self.people[key]
        except KeyError:
            raise DocumentError(f"{where}: no person with key “{key}” in the document.") from None

    def category(self, slug: str, where: str) -> ClauseCategory:
        try:
            return self.categories[slug]
        except KeyError:
            raise DocumentError(f"{where}: unknown clause category “{slug}”.") from None

    @staticmethod
    def partial_date(item: dict[str, Any], where: str, key: str = "date") -> PartialDate:
        value = _date(item.get(key), f"{where}.{key}")
        if value is None:
            raise DocumentError(f"{where}.{key}: a date is needed.")
        if "precision" in item:
            raise DocumentError(f"{where}.precision: the key is “{key}_precision”, as in the API.")
        try:
            # One policy everywhere: any day in the period will do; its first day is stored.
            return PartialDate.of(value, item.get(f"{key}_precision", DatePrecision.DAY))
        except ValueError as error:
            raise DocumentError(f"{where}: {error}") from None

    @staticmethod
    def _save(obj: Any, where: str) -> None:
        try:
            obj.full_clean()
        except ValidationError as error:
            raise DocumentError(f"{where}: {error.message_dict}") from None
        obj.save()


def import_document(document: dict[str, Any]) -> ImportResult:
    """Import a whole document in one transaction: all of it, or nothing."""
    importer = _Importer()
    try:
        with transaction.atomic():
            importer.import_sources(document.get("sources", []))
            importer.import_people(document.get("people", []))
            importer.import_bodies(document.get("bodies", []))
            importer.import_agreements(document.get("agreements", []))
    except (KeyError, TypeError) as error:
        raise DocumentError(f"Malformed document: missing or wrong field {error}.") from None
    except ObjectDoesNotExist as error:
        raise DocumentError(str(error)) from None
    return importer.result
