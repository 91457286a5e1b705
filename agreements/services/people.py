"""People who sign agreements, with every other name they appear under."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from ..models import Agreement, Person, PersonName
from ..search import build_document
from .base import Errors, ExpectedVersion, assign, check_unique, clean, lock, touched
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
        person_sync_other_names(person=person, other_names=data.other_names, touch=False)  # a new one is v1
    return person


def person_update(*, person: Person, data: PersonIn, expected_version: ExpectedVersion = None) -> Person:
    """Replace a person's names and details; other names not listed are removed.

    The other names are under the person's version: with ``expected_version``, a change made
    since the client read the person (names included) raises ``StaleVersionError``.
    """
    with transaction.atomic():
        person = lock(person, expected_version)
        person.name, person.wikidata_qid, person.note = data.name, data.wikidata_qid, data.note
        _save(person)
        person_sync_other_names(person=person, other_names=data.other_names, remove_missing=True, touch=False)
    return person


def _save(person: Person) -> None:
    errors = Errors()
    if clean(person, "", errors, exclude=[]):
        check_unique(person, "", errors)
    errors.raise_if_any()
    person.save()


def person_sync_other_names(
    *, person: Person, other_names: Sequence[OtherNameIn], remove_missing: bool = False, touch: bool = True
) -> None:
    """Add the names ``person`` lacks and update the kind, language and source of those it has.

    A change of the names is a change of the person: unless the caller saves the person
    itself (``touch=False``), its version moves on, so an ETag read before is stale.
    """
    with transaction.atomic():
        changed = False
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
            changed |= assign(row, kind=other.kind, language=other.language, source=other.source)
            if clean(row, f"other_names[{index}]", errors, exclude=["person"]):
                row.save()
        errors.raise_if_any()
        if remove_missing:
            deleted, _ = person.other_names.exclude(name__in=keep).delete()
            changed |= deleted > 0
        if changed and touch:
            person.version = touched(person).version
        person_refresh_agreements(person=person)


def person_refresh_agreements(*, person: Person) -> None:
    """A person's names are part of the search document of every agreement they took part in."""
    with transaction.atomic():
        for agreement in Agreement.objects.filter(participants__person=person).distinct():
            Agreement.objects.filter(pk=agreement.pk).update(search_document=build_document(agreement))
