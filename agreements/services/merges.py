"""Two records of one person (or one body): keep one, move everything of the other to it.

Editors find that "Hossein Dehghan" and "Hossein Dehqan" were entered as two people. Merging
moves the other's participations (or, for a body, its sides and participants), names and
sources to the one kept — the other's name becomes one of its other names — records the
old id as merged, and deletes the other record. Each agreement touched is written again
through ``agreement_sync``, so its version, search text and history say so.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ..choices import NameKind
from ..models import Agreement, Body, BodyName, MergedRecord, Participant, Person, PersonName
from .agreements import agreement_sync
from .people import person_refresh_agreements


def _record(kind: str, old, keep) -> None:
    """The old id points to the one kept, and so does every id that pointed to the old one."""
    MergedRecord.objects.filter(kind=kind, into_id=old.pk).update(into_id=keep.pk)
    MergedRecord.objects.create(kind=kind, old_id=old.pk, into_id=keep.pk, name=old.name)


def _move_names(names_model, owner_field: str, old, keep) -> None:
    """The old record's name and other names become the kept one's other names (none twice)."""
    known = {keep.name, *keep.other_names.values_list("name", flat=True)}
    if old.name not in known:
        names_model.objects.create(**{owner_field: keep}, name=old.name, kind=NameKind.SPELLING)
        known.add(old.name)
    for other in old.other_names.all():
        if other.name in known:
            other.delete()
        else:
            setattr(other, owner_field, keep)
            other.save()
            known.add(other.name)


def _resync(agreement_ids: set[int]) -> None:
    for agreement in Agreement.objects.filter(pk__in=agreement_ids).select_related("party_a", "party_b"):
        agreement_sync(agreement=agreement)


def person_merge(*, keep: Person, merge: Person) -> Person:
    """Merge ``merge`` into ``keep``: its participations, names, Wikidata id and note move over."""
    if keep.pk == merge.pk:
        raise ValidationError({"merge": ["Choose two different people."]})
    with transaction.atomic():
        touched: set[int] = set()
        for participant in Participant.objects.filter(person=merge):
            touched.add(participant.agreement_id)
            # The same person in the same role twice is one fact: keep the row already there.
            if Participant.objects.filter(
                agreement=participant.agreement_id, person=keep, role=participant.role
            ).exists():
                participant.delete()
            else:
                participant.person = keep
                participant.save()
        _move_names(PersonName, "person", merge, keep)
        if merge.wikidata_qid and not keep.wikidata_qid:
            keep.wikidata_qid, merge.wikidata_qid = merge.wikidata_qid, ""
            merge.save(update_fields=["wikidata_qid"])
        if merge.note and merge.note not in keep.note:
            keep.note = "\n".join(part for part in (keep.note, merge.note) if part)
        keep.save()
        _record(MergedRecord.Kind.PERSON, merge, keep)
        merge.delete()
        _resync(touched)
        person_refresh_agreements(person=keep)  # its agreements are found by the new names too
    return keep


def body_merge(*, keep: Body, merge: Body) -> Body:
    """Merge ``merge`` into ``keep``: the agreements it committed and the participants who acted
    for it move over, with its names. Both must be of one country, and both below the state or not."""
    if keep.pk == merge.pk:
        raise ValidationError({"merge": ["Choose two different bodies."]})
    if keep.country_id != merge.country_id:
        raise ValidationError({"merge": [f"{merge.name} and {keep.name} belong to different countries."]})
    if keep.is_sub_national != merge.is_sub_national:
        raise ValidationError(
            {
                "merge": [
                    "One of the two is below the state and the other is not: "
                    "the level of their agreements would change."
                ]
            }
        )
    with transaction.atomic():
        touched = set(
            Agreement.objects.filter(
                Q(body_a=merge) | Q(body_b=merge) | Q(participants__body=merge)
            ).values_list("pk", flat=True)
        )
        Agreement.objects.filter(body_a=merge).update(body_a=keep)
        Agreement.objects.filter(body_b=merge).update(body_b=keep)
        for participant in Participant.objects.filter(body=merge):
            participant.body = keep
            participant.save()
        _move_names(BodyName, "body", merge, keep)
        if merge.note and merge.note not in keep.note:
            keep.note = "\n".join(part for part in (keep.note, merge.note) if part)
        keep.save()
        _record(MergedRecord.Kind.BODY, merge, keep)
        merge.delete()
        _resync(touched)
    return keep


def merged_into(kind: str, old_id: int) -> int | None:
    """The id a merged record's old id now points to, if it was merged."""
    return MergedRecord.objects.filter(kind=kind, old_id=old_id).values_list("into_id", flat=True).first()
