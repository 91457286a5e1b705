"""Many new agreements at once: what ``agreement_create`` writes for each, in a few statements a batch.

``agreement_prepare`` checks one new agreement as ``agreement_create`` does — ``rules.check_agreement``
(the countries' names read once for the lot), ``agreements.write_fields`` and the models' own
checks of each part — and builds its rows without writing anything. ``agreements_create_many``
writes prepared agreements: the derived status, dates, periods and search text computed by the
same functions ``agreement_sync_derived`` calls, one history record per row made with the
current interface (a new agreement's one record, its parts' records, a clause's categories as
``categories.set`` records them), and the change event "added" told by ``changes_between``.

The duplicate rule is the caller's to ask, once for the batch (``duplicates.possible_duplicates_among``):
what is handed over here is written as given. Only what a spreadsheet carries is written this
way — participants, clauses with categories, status events; people named in it must be known
(``Person``) by the time of the write (``NewAgreement.name_people``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from ..history import current_interface
from ..lifecycle import derive_lifecycle
from ..models import (
    Agreement,
    Clause,
    ClauseCategory,
    Country,
    Participant,
    Person,
    StatusEvent,
    StatusPeriod,
)
from ..search import document_of
from .agreements import write_fields
from .base import Errors, assign, clean
from .changes import categories_covered, changes_between, outbox_rows, save_outbox_rows
from .derived import derived_values, event_fact, period_values
from .inputs import AgreementIn, PersonIn
from .rules import check_agreement

# Rows per INSERT statement: the statements of a batch do not grow with its rows below this.
BATCH_SIZE = 500


@dataclass
class NewAgreement:
    """A new agreement checked and built, not yet written."""

    data: AgreementIn
    agreement: Agreement
    participants: list[Participant]
    clauses: list[tuple[Clause, list[ClauseCategory]]]
    events: list[StatusEvent]
    # Participants whose person the write is to add: the row and the name, until ``name_people``.
    new_people: list[tuple[Participant, PersonIn]] = field(default_factory=list)

    def name_people(self, people: Mapping[str, Person]) -> None:
        """Set the people added for this agreement (``people``: by their name, folded)."""
        for participant, person in self.new_people:
            participant.person = people[person.name.casefold()]
        self.new_people = []


def known_countries() -> dict[str, str]:
    """Every country's name by its code: what ``check_agreement`` asks, read once for a batch."""
    return dict(Country.objects.values_list("code", "name"))


def agreement_prepare(*, data: AgreementIn, countries: Mapping[str, str]) -> NewAgreement:
    """Check ``data`` as ``agreement_create`` would and build its rows; ``ValidationError`` with
    the same field paths. No query: the unique ids are checked by ``agreements_create_many``."""
    if data.citations or data.commitments or data.body_a or data.body_b:
        raise ValueError("A bulk write takes participants, clauses and events only.")
    errors = Errors()
    parties = check_agreement(data, errors, known_countries=countries)
    errors.raise_if_any()
    assert parties is not None
    agreement = Agreement()
    write_fields(agreement, data, parties, errors, unique=False)
    errors.raise_if_any()
    new = NewAgreement(data, agreement, [], [], [])
    for index, given in enumerate(data.participants or ()):
        if given.body is not None:
            raise ValueError("A bulk write takes participants without bodies.")
        person = given.person if isinstance(given.person, Person) else None
        row = Participant(agreement=agreement, person=person, role=given.role)
        assign(
            row,
            party_id=given.party,
            description=given.description,
            body_id=None,
            source_id=getattr(given.source, "pk", None),
            office=given.office,
            rank=given.rank,
            note=given.note,
        )
        clean(row, f"participants[{index}]", errors, exclude=["agreement", "person", "party", "body"])
        new.participants.append(row)
        if isinstance(given.person, PersonIn):
            new.new_people.append((row, given.person))
    for index, given in enumerate(data.clauses or ()):
        row = Clause(agreement=agreement, position=given.position)
        assign(row, text=given.text, article=given.article, source_id=getattr(given.source, "pk", None))
        clean(row, f"clauses[{index}]", errors, exclude=["agreement", "categories"])
        new.clauses.append((row, list(given.categories)))
    for index, given in enumerate(data.events or ()):
        row = StatusEvent(
            agreement=agreement,
            status=given.status,
            party_id=given.party,
            date=given.date.value,
            date_precision=given.date.precision,
        )
        assign(row, date_note=given.date_note, note=given.note, source_id=getattr(given.source, "pk", None))
        clean(row, f"events[{index}]", errors, exclude=["agreement", "party"])
        new.events.append(row)
    errors.raise_if_any()
    return new


def _check_unique(items: Sequence[NewAgreement]) -> None:
    """The agreements' unique constraints (ids such as the UNTS registration), for the whole batch:
    one query a constraint against the stored rows, and none between the new ones."""
    errors = Errors()
    for constraint in Agreement._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or len(constraint.fields) != 1:
            continue
        name = constraint.fields[0]
        values = [getattr(item.agreement, name) for item in items]
        given = {value for value in values if value not in ("", None)}
        taken = set(Agreement.objects.filter(**{f"{name}__in": given}).values_list(name, flat=True))
        for index, value in enumerate(values):
            if value in taken:
                errors.add(f"{index}.{name}", str(constraint.violation_error_message))
            elif value not in ("", None):
                taken.add(value)
    errors.raise_if_any()


def _derive(item: NewAgreement) -> list[StatusPeriod]:
    """What ``agreement_sync_derived`` writes for a new agreement, computed in memory."""
    agreement = item.agreement
    events = sorted(item.events, key=lambda event: event.date)  # its order_by("date", "id")
    lifecycle = derive_lifecycle([event_fact(event) for event in events])
    for name, value in derived_values(lifecycle).items():
        setattr(agreement, name, value)
    participants = sorted(item.participants, key=lambda participant: participant.party_id)
    clauses = sorted((clause for clause, _ in item.clauses), key=lambda clause: clause.position)
    agreement.search_document = document_of(agreement, participants, [clause.text for clause in clauses])
    return [StatusPeriod(agreement=agreement, **values) for values in period_values(lifecycle)]


def agreements_create_many(*, items: Sequence[NewAgreement]) -> list[Agreement]:
    """Write prepared new agreements with their parts, history and change events, in one
    transaction and a number of statements that grows with the batches (``BATCH_SIZE``), not the rows."""
    if not items:
        return []
    if any(item.new_people for item in items):
        raise ValueError("Name the new people first (NewAgreement.name_people).")
    _check_unique(items)
    people = [p.person for item in items for p in item.participants if p.person is not None]
    prefetch_related_objects(list({person.pk: person for person in people}.values()), "other_names")
    with transaction.atomic():
        periods = [period for item in items for period in _derive(item)]
        agreements = Agreement.objects.bulk_create([item.agreement for item in items], batch_size=BATCH_SIZE)
        participants = [row for item in items for row in item.participants]
        clauses = [row for item in items for row, _ in item.clauses]
        events = [row for item in items for row in item.events]
        for rows in (participants, clauses, events, periods):
            for row in rows:
                row.agreement = row.agreement  # the agreement's id, now that it has one
            if rows:
                type(rows[0]).objects.bulk_create(rows, batch_size=BATCH_SIZE)
        Through = Clause.categories.through  # noqa: N806 — a model
        links = Through.objects.bulk_create(
            [
                Through(clause_id=clause.pk, clausecategory_id=category.pk)
                for item in items
                for clause, categories in item.clauses
                for category in categories
            ],
            batch_size=BATCH_SIZE,
        )
        records = _history(items, participants, clauses, events, links)
        told = []
        for item, record in zip(items, records, strict=True):
            changes = changes_between(None, "", item.data, item.agreement.status)
            tagged = [category for _, of_clause in item.clauses for category in of_clause]
            categories = categories_covered(tagged)
            told += outbox_rows(item.agreement, changes, record, categories)
        save_outbox_rows(told)
    return agreements


def _history(items, participants, clauses, events, links) -> list:
    """The history ``agreement_create`` records: each part's "+" record, a clause's "~" record
    with its categories (what ``categories.set`` adds), then the agreement's one "+" record,
    after its parts' as in a save; all with the current interface. The agreements' records,
    in the order of ``items``."""
    now = timezone.now()
    stamp = {"custom_historical_attrs": {"interface": current_interface()}, "batch_size": BATCH_SIZE}
    for model, rows in ((Participant, participants), (Clause, clauses), (StatusEvent, events)):
        model.history.bulk_history_create(rows, default_date=now, **stamp)
    categorised = {link.clause_id for link in links}
    changed = Clause.history.bulk_history_create(
        [clause for clause in clauses if clause.pk in categorised], default_date=now, update=True, **stamp
    )
    record_of = {record.id: record for record in changed}
    History = apps.get_model("agreements", "HistoricalClause_categories")  # noqa: N806 — a model
    History.objects.bulk_create(
        [
            History(
                history=record_of[link.clause_id],
                id=link.id,
                clause_id=link.clause_id,
                clausecategory_id=link.clausecategory_id,
            )
            for link in links
        ],
        batch_size=BATCH_SIZE,
    )
    later = now + datetime.timedelta(microseconds=1)
    agreements = [item.agreement for item in items]
    return Agreement.history.bulk_history_create(agreements, default_date=later, **stamp)
