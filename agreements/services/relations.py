"""How agreements relate to each other: one amends, supersedes, implements, extends or renews another."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ..models import Agreement, AgreementRelation
from .base import Errors, ExpectedVersion, clean, lock


@dataclass(frozen=True)
class RelationIn:
    from_agreement: Agreement
    to_agreement: Agreement
    kind: str
    note: str = ""


def _check(data: RelationIn, instance: AgreementRelation | None) -> None:
    errors = Errors()
    if data.from_agreement.pk == data.to_agreement.pk:
        errors.add("to_agreement", "An agreement cannot relate to itself.")
    duplicates = AgreementRelation.objects.filter(
        from_agreement=data.from_agreement, to_agreement=data.to_agreement, kind=data.kind
    ).exclude(pk=getattr(instance, "pk", None))
    if not errors.messages and duplicates.exists():
        errors.add("kind", "This relation is already recorded.")
    errors.raise_if_any()


def _save(relation: AgreementRelation, data: RelationIn) -> AgreementRelation:
    with transaction.atomic():
        _check(data, relation if relation.pk else None)
        relation.from_agreement, relation.to_agreement = data.from_agreement, data.to_agreement
        relation.kind, relation.note = data.kind, data.note
        errors = Errors()
        clean(relation, "", errors, exclude=["from_agreement", "to_agreement"])
        errors.raise_if_any()
        relation.save()
    return relation


def relation_create(*, data: RelationIn) -> AgreementRelation:
    return _save(AgreementRelation(), data)


def relation_update(
    *, relation: AgreementRelation, data: RelationIn, expected_version: ExpectedVersion = None
) -> AgreementRelation:
    with transaction.atomic():
        return _save(lock(relation, expected_version), data)


def relation_delete(*, relation: AgreementRelation, expected_version: ExpectedVersion = None) -> None:
    with transaction.atomic():
        lock(relation, expected_version).delete()
