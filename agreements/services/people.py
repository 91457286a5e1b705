"""People who sign agreements, with every other name they appear under."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from ..models import Agreement, Person, PersonName
from ..search import build_document
from .base import Errors, check_unique, clean
from .duplicates import refuse_similar_person
from .inputs import OtherNameIn, PersonIn


def person_create(*, data: PersonIn, allow_duplicate: bool = False) -> Person:
    """A new person; unless ``allow_duplicate``, refused with ``PossibleSameRecordError`` when one
    of their names is another spelling of a known person's."""
    with transaction.atomic():
        if not allow_duplicate:
            refuse_similar_person(data)
        person = Person(name=data.name, wikidata_qid=data.wikidata_qid, note=data.note)
        _save(person)
        person_sync_other_names(person=person, other_names=data.other_names)
    return person


def person_update(*, person: Person, data: PersonIn) -> Person:
    """Replace a person's names and details; other names not listed are removed."""
    with transaction.atomic():
        person.name, person.wikidata_qid, person.note = data.name, data.wikidata_qid, data.note
        _save(person)
        person_sync_other_names(person=person, other_names=data.other_names, remove_missing=True)
    return person


def _save(person: Person) -> None:
    errors = Errors()
    if clean(person, "", errors, exclude=[]):
        check_unique(person, "", errors)
    errors.raise_if_any()
    person.save()


def person_sync_other_names(
    *, person: Person, other_names: Sequence[OtherNameIn], remove_missing: bool = False
) -> None:
    """Add the names ``person`` lacks and update the kind, language and source of those it has."""
    with transaction.atomic():
        existing = {other.name: other for other in person.other_names.all()}
        errors, keep = Errors(), set()
        for index, other in enumerate(other_names):
            if other.name in keep:
                errors.add(f"other_names[{index}].name", f"“{other.name}” is listed twice.")
                continue
            keep.add(other.name)
            if other.name == person.name:
                continue
            row = existing.get(other.name) or PersonName(person=person, name=other.name)
            row.kind, row.language, row.source = other.kind, other.language, other.source
            if clean(row, f"other_names[{index}]", errors, exclude=["person"]):
                row.save()
        errors.raise_if_any()
        if remove_missing:
            person.other_names.exclude(name__in=keep).delete()
        person_refresh_agreements(person=person)


def person_refresh_agreements(*, person: Person) -> None:
    """A person's names are part of the search document of every agreement they took part in."""
    with transaction.atomic():
        for agreement in Agreement.objects.filter(participants__person=person).distinct():
            Agreement.objects.filter(pk=agreement.pk).update(search_document=build_document(agreement))
