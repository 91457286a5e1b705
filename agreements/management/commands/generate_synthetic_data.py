"""Fill the database with a clearly marked synthetic dataset for load tests and benchmarks.

Every agreement written here has ``is_synthetic=True`` and a title that says so, and
the people who sign them are notes-marked synthetic, so ``--delete`` removes exactly
what this command added. The data are shaped like the UN Treaty Series: a few busy
pairs with about a thousand agreements each, most pairs with a handful.

Each agreement's status, cached dates, status periods and search document come from
the same functions the services write them with (``services.derived`` and
``search.document_text``), in bulk, so the reports see what real data would show. Rows go in
with COPY on PostgreSQL and with ``executemany`` on SQLite, a chunk per transaction.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pycountry
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from agreements.choices import AgreementKind, BodyKind, EventType, ImplementationKind, Level, ParticipantRole
from agreements.commitments import ImplementationFact, derive_commitment
from agreements.dates import DatePrecision, PartialDate
from agreements.lifecycle import EventFact, derive_lifecycle
from agreements.models import (
    Agreement,
    Body,
    Clause,
    ClauseCategory,
    Commitment,
    Country,
    ImplementationEvent,
    Participant,
    Person,
    StatusEvent,
    StatusPeriod,
)
from agreements.names import name_key
from agreements.planner import refresh_statistics
from agreements.search import document_text
from agreements.services import AGREEMENT_FIELDS
from agreements.services.derived import (
    CREATED_VERSION,
    DERIVED_COLUMNS,
    PERIOD_COLUMNS,
    derived_values,
    period_values,
)

SYNTHETIC_PERSON_NOTE = "Synthetic person made by generate_synthetic_data; not a real signatory."
PEOPLE_PER_COUNTRY = 8
BUSY_SHARE = 0.04  # of all agreements, shared by the busy pairs (10 pairs of ~1,000 at 250,000)
AGREEMENTS_PER_PAIR = 20  # on average outside the busy pairs; the median is a handful
CHUNK = 10_000

KIND_WEIGHTS = {
    AgreementKind.AGREEMENT: 45,
    AgreementKind.MEMORANDUM: 20,
    AgreementKind.EXCHANGE_OF_NOTES: 15,
    AgreementKind.PROTOCOL: 8,
    AgreementKind.TREATY: 7,
    AgreementKind.JOINT_DECLARATION: 3,
    AgreementKind.OTHER: 2,
}
OFFICES = ("Minister of Foreign Affairs", "Minister of Defence", "Ambassador", "Prime Minister")
SYNTHETIC_BODY_NOTE = "Synthetic body made by generate_synthetic_data; not a real organisation."
SUB_NATIONAL_BODIES = 2  # per country that has ISO 3166-2 subdivisions
# Shares of the agreements: sides named by ministries (between governments), by bodies below the
# state (sub-national); participants beyond the two signatories; signatories the sources do not
# name; agreements with a commitment.
GOVERNMENT_SHARE, SUB_NATIONAL_SHARE = 0.25, 0.04
OTHER_ROLE_SHARE, UNNAMED_SHARE, COMMITMENT_SHARE = 0.3, 0.05, 0.2
OTHER_ROLES = (ParticipantRole.WITNESSED, ParticipantRole.NEGOTIATED, ParticipantRole.ATTENDED)
UNNAMED = "Counterpart, not named in the sources (synthetic)"


# --- What one agreement is made of -------------------------------------------------------------


@dataclass(frozen=True)
class DraftParticipant:
    role: str
    person: int | None  # None: not named (described instead)
    party: str
    body: int | None
    office: str


@dataclass(frozen=True)
class DraftCommitment:
    party: str | None
    text: str
    due: PartialDate
    events: list[ImplementationFact]


@dataclass
class Draft:
    """One synthetic agreement and its parts, before it is written."""

    id: int
    party_a: str
    party_b: str
    kind: str
    title: str
    level: str
    sides: tuple[int | None, int | None]  # the bodies of party A and party B
    clauses: list[tuple[int, str, list[int]]]  # (position, text, category ids)
    participants: list[DraftParticipant]  # by party, as they are stored and read back
    events: list[EventFact]
    commitments: list[DraftCommitment]
    clause_ids: list[int] = field(default_factory=list)
    commitment_ids: list[int] = field(default_factory=list)

    def search_document(self, person_names: dict[int, str], body_names: dict[int, str]) -> str:
        # As build_document reads it: named participants in (party, id) order (synthetic people
        # have no other names), then each body once, the sides' first.
        names = [person_names[p.person] for p in self.participants if p.person is not None]
        bodies = [body for body in (*self.sides, *(p.body for p in self.participants)) if body is not None]
        names += dict.fromkeys(body_names[body] for body in bodies)
        return document_text(self.title, "", (text for _, text, _ in self.clauses), names)


class Lifecycles:
    """Random but valid event sequences: signature first, each later act after the last."""

    def __init__(self, rng: random.Random, last_day: datetime.date) -> None:
        self.rng = rng
        self.last_day = last_day

    def _signature_day(self) -> datetime.date:
        # More agreements in later decades, as in the UN Treaty Series.
        year = 1946 + int((self.rng.random() ** 0.7) * (self.last_day.year - 1946))
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))
        return min(day, self.last_day)

    def _precision(self) -> str:
        roll = self.rng.random()
        return (
            DatePrecision.DAY if roll < 0.85 else DatePrecision.MONTH if roll < 0.95 else DatePrecision.YEAR
        )

    def events(self, party_a: str, party_b: str) -> list[EventFact]:
        signed = PartialDate.of(self._signature_day(), self._precision())
        steps = self.rng.choice(self._SCENARIOS)
        events = [EventFact(EventType.SIGNED, signed)]
        day = signed.end  # later acts come after the whole signature period
        for status, acting in steps:
            previous_end = day
            day = day + datetime.timedelta(days=self.rng.randrange(20, 900))
            if day > self.last_day:
                break
            date = PartialDate.of(day, DatePrecision.DAY if self.rng.random() < 0.9 else DatePrecision.MONTH)
            if date.start <= previous_end:
                # A month that began before the previous act would overlap it, and
                # derive_lifecycle would then give a period ending before it starts.
                date = PartialDate(day)
            day = date.end
            party = {"a": party_a, "b": party_b}.get(acting)
            events.append(EventFact(status, date, party))
        return events

    # (event, acting party) after the signature; 1 to 4 events in all.
    _SCENARIOS: Sequence[Sequence[tuple[str, str | None]]] = (
        (),
        (),
        ((EventType.IN_FORCE, None),),
        ((EventType.IN_FORCE, None),),
        ((EventType.IN_FORCE, None),),
        ((EventType.RATIFIED, "a"),),
        ((EventType.RATIFIED, "a"), (EventType.IN_FORCE, None)),
        ((EventType.RATIFIED, "a"), (EventType.RATIFIED, "b"), (EventType.IN_FORCE, None)),
        ((EventType.IN_FORCE, None), (EventType.TERMINATED, None)),
        ((EventType.IN_FORCE, None), (EventType.EXPIRED, None)),
        ((EventType.IN_FORCE, None), (EventType.SUSPENDED, "b"), (EventType.RESUMED, "b")),
        ((EventType.IN_FORCE, None), (EventType.SUPERSEDED, None)),
        ((EventType.PROVISIONALLY_APPLIED, None), (EventType.IN_FORCE, None)),
        ((EventType.IN_FORCE, None), (EventType.WITHDRAWN, "a")),
    )


def pair_sizes(total: int, countries: Sequence[str], rng: random.Random) -> list[tuple[str, str, int]]:
    """Pairs and how many agreements each gets, summing to ``total``.

    A few busy pairs between the most active states share ``BUSY_SHARE`` of the
    agreements; the other pairs draw a log-normal size (median about 5, long tail),
    so most pairs have a handful and some have hundreds.
    """
    # Some states are far more active than others: Zipf weights over a shuffled list.
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(countries))]
    busy_count = max(1, min(10, round(total / 25_000)))
    busy_total = round(total * BUSY_SHARE)
    chosen: dict[tuple[str, str], int] = {}
    hubs = list(countries[: busy_count + 1])
    while len(chosen) < busy_count:
        a, b = sorted(rng.sample(hubs, 2))
        chosen[(a, b)] = busy_total // busy_count
    rest = total - sum(chosen.values())
    pair_count = max(2, rest // AGREEMENTS_PER_PAIR)
    sizes: dict[tuple[str, str], float] = {}
    while len(sizes) < pair_count:
        a, b = rng.choices(countries, weights, k=2)
        if a != b and (pair := tuple(sorted((a, b)))) not in chosen:
            sizes[pair] = min(rng.lognormvariate(math.log(5), 1.6), 900)
    scale = rest / sum(sizes.values())
    counts = {pair: max(1, round(size * scale)) for pair, size in sizes.items()}
    # Rounding leaves the total a little off: settle the difference on random pairs.
    keys = list(counts)
    while (difference := rest - sum(counts.values())) != 0:
        pair = rng.choice(keys)
        counts[pair] = max(1, counts[pair] + (1 if difference > 0 else -1))
    return [(a, b, n) for (a, b), n in (chosen | counts).items()]


# --- Writers for the two engines ---------------------------------------------------------------

AGREEMENT_COLUMNS = (
    "id",
    "party_a_id",
    "party_b_id",
    "body_a_id",
    "body_b_id",
    "level",
    *AGREEMENT_FIELDS,
    *DERIVED_COLUMNS,
    "search_document",
    "is_synthetic",
    "version",
    "created_at",
    "updated_at",
)
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "agreement": (Agreement._meta.db_table, AGREEMENT_COLUMNS),
    "clause": (Clause._meta.db_table, ("id", "agreement_id", "position", "article", "text")),
    "clause_category": (Clause.categories.through._meta.db_table, ("clause_id", "clausecategory_id")),
    "participant": (
        Participant._meta.db_table,
        ("agreement_id", "role", "person_id", "description", "party_id", "body_id", "office", "rank", "note"),
    ),
    "commitment": (
        Commitment._meta.db_table,
        (
            "id",
            "agreement_id",
            "position",
            "party_id",
            "text",
            "due_on",
            "due_on_precision",
            "due_note",
            "state",
            "due_current",
            "due_current_precision",
        ),
    ),
    "commitment_clause": (Commitment.clauses.through._meta.db_table, ("commitment_id", "clause_id")),
    "implementation": (
        ImplementationEvent._meta.db_table,
        ("commitment_id", "kind", "date", "date_precision", "new_due_on", "new_due_on_precision", "note"),
    ),
    "event": (
        StatusEvent._meta.db_table,
        ("agreement_id", "status", "date", "date_precision", "date_note", "party_id", "note"),
    ),
    "period": (StatusPeriod._meta.db_table, ("agreement_id", *PERIOD_COLUMNS)),
}

# What a run writes, for the statistics to refresh afterwards.
WRITTEN_TABLES = [name for name, _ in TABLES.values()] + [Person._meta.db_table, Body._meta.db_table]


class Writer:
    """Reserves ids and writes rows; one subclass per engine."""

    def reserve_ids(self, model, count: int) -> list[int]:
        raise NotImplementedError

    def write(self, table: str, rows: Iterator[tuple]) -> None:
        raise NotImplementedError


class PostgresWriter(Writer):
    def reserve_ids(self, model, count: int) -> list[int]:
        # Taking the ids from the sequence keeps concurrent writers safe.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def write(self, table: str, rows: Iterator[tuple]) -> None:
        name, columns = TABLES[table]
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class SQLiteWriter(Writer):
    def reserve_ids(self, model, count: int) -> list[int]:
        # SQLite has one writer at a time, and this runs inside its transaction.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
            start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))

    def write(self, table: str, rows: Iterator[tuple]) -> None:
        name, columns = TABLES[table]
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        marks = ", ".join("%s" for _ in columns)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {name} ({quoted}) VALUES ({marks})",
                [tuple(map(self._adapt, row)) for row in rows],
            )

    @staticmethod
    def _adapt(value):
        # Raw SQL skips the ORM's conversions: store dates and times as Django does.
        if isinstance(value, datetime.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value


class Generator:
    def __init__(self, *, total: int, seed: int, out) -> None:
        self.total = total
        self.rng = random.Random(seed)
        self.out = out
        self.now = timezone.now()
        # The entered fields a synthetic agreement leaves as a new one has them.
        self.defaults = {name: Agreement._meta.get_field(name).get_default() for name in AGREEMENT_FIELDS}
        self.lifecycles = Lifecycles(self.rng, timezone.localdate())
        self.writer: Writer = PostgresWriter() if connection.vendor == "postgresql" else SQLiteWriter()
        countries = list(
            Country.objects.filter(is_former=False, cow_code__isnull=False)
            .order_by("code")
            .values_list("code", flat=True)
        )
        self.rng.shuffle(countries)
        self.countries = countries
        categories = list(ClauseCategory.objects.values_list("id", "name", "parent_id"))
        # Top-level categories are tagged more often than their subcategories.
        self.categories = [(pk, name) for pk, name, _ in categories]
        self.category_weights = [3 if parent is None else 1 for _, _, parent in categories]
        self.people: dict[str, list[int]] = {}
        self.person_names: dict[int, str] = {}
        self.ministries: dict[str, int] = {}
        self.local_bodies: dict[str, list[int]] = {}
        self.body_names: dict[int, str] = {}

    def run(self) -> None:
        started = time.monotonic()
        self._make_people()
        self._make_bodies()
        pairs = pair_sizes(self.total, self.countries, self.rng)
        self.out(
            f"{len(pairs):,} pairs over {len(self.countries)} states; busiest: {max(n for *_, n in pairs):,}"
        )
        slots = [(a, b) for a, b, n in pairs for _ in range(n)]
        self.rng.shuffle(slots)
        for offset in range(0, len(slots), CHUNK):
            with transaction.atomic():
                self._write_chunk(slots[offset : offset + CHUNK], offset)
            done = min(offset + CHUNK, len(slots))
            elapsed = time.monotonic() - started
            self.out(f"{done:,} / {len(slots):,} agreements  ({elapsed:.1f} s)")
        # Fresh statistics, or the planner misjudges every report's joins (SQLite until
        # someone runs ANALYZE, PostgreSQL until autovacuum does).
        self.out("Analysing the tables")
        refresh_statistics(WRITTEN_TABLES)

    def _make_people(self) -> None:
        people = [
            Person(
                name=f"Synthetic Participant {code}-{index}",
                name_key=name_key(f"Synthetic Participant {code}-{index}"),
                note=SYNTHETIC_PERSON_NOTE,
            )
            for code in self.countries
            for index in range(1, PEOPLE_PER_COUNTRY + 1)
        ]
        existing = dict(Person.objects.filter(note=SYNTHETIC_PERSON_NOTE).values_list("name", "pk"))
        Person.objects.bulk_create([p for p in people if p.name not in existing], batch_size=2_000)
        for name, pk in Person.objects.filter(note=SYNTHETIC_PERSON_NOTE).values_list("name", "pk"):
            code = name.removeprefix("Synthetic Participant ").rsplit("-", 1)[0]
            self.people.setdefault(code, []).append(pk)
            self.person_names[pk] = name

    def _make_bodies(self) -> None:
        """A ministry for each state, and two bodies below the state where ISO 3166-2 has subdivisions."""
        bodies = []
        for code in self.countries:
            bodies.append(Body(name=f"Synthetic Ministry {code}", kind=BodyKind.MINISTRY, country_id=code))
            subdivisions = sorted(s.code for s in pycountry.subdivisions.get(country_code=code) or ())
            for subdivision in subdivisions[:SUB_NATIONAL_BODIES]:
                bodies.append(
                    Body(
                        name=f"Synthetic Border Force {subdivision}",
                        kind=BodyKind.ARMED_FORCE,
                        country_id=code,
                        subdivision=subdivision,
                    )
                )
        for body in bodies:  # bulk_create skips save(), which keys the name
            body.note, body.name_key = SYNTHETIC_BODY_NOTE, name_key(body.name)
        existing = set(Body.objects.filter(note=SYNTHETIC_BODY_NOTE).values_list("name", flat=True))
        Body.objects.bulk_create([b for b in bodies if b.name not in existing], batch_size=2_000)
        for pk, name, code, subdivision in Body.objects.filter(note=SYNTHETIC_BODY_NOTE).values_list(
            "pk", "name", "country_id", "subdivision"
        ):
            self.body_names[pk] = name
            if subdivision:
                self.local_bodies.setdefault(code, []).append(pk)
            else:
                self.ministries[code] = pk

    def _sides(self, party_a: str, party_b: str) -> tuple[str, tuple[int | None, int | None]]:
        roll = self.rng.random()
        if roll < SUB_NATIONAL_SHARE and party_a in self.local_bodies and party_b in self.local_bodies:
            return Level.SUB_NATIONAL, (
                self.rng.choice(self.local_bodies[party_a]),
                self.rng.choice(self.local_bodies[party_b]),
            )
        if roll < SUB_NATIONAL_SHARE + GOVERNMENT_SHARE:
            return Level.GOVERNMENT, (self.ministries[party_a], self.ministries[party_b])
        return Level.STATE, (None, None)

    def _participants(self, party_a: str, party_b: str, sides: tuple) -> list[DraftParticipant]:
        rng = self.rng
        rows = []
        for party, body in zip((party_a, party_b), sides, strict=True):
            named = rng.random() >= UNNAMED_SHARE
            person = rng.choice(self.people[party]) if named else None
            rows.append(DraftParticipant(ParticipantRole.SIGNED, person, party, body, rng.choice(OFFICES)))
        if rng.random() < OTHER_ROLE_SHARE:
            party = rng.choice((party_a, party_b))
            signer = next(row.person for row in rows if row.party == party)
            others = [pk for pk in self.people[party] if pk != signer]
            rows.append(DraftParticipant(rng.choice(OTHER_ROLES), rng.choice(others), party, None, ""))
        return sorted(rows, key=lambda row: row.party)  # stored and read back by party

    def _commitments(self, party_a: str, party_b: str, signed: PartialDate) -> list[DraftCommitment]:
        rng = self.rng
        if rng.random() >= COMMITMENT_SHARE:
            return []
        due = PartialDate(signed.end + datetime.timedelta(days=rng.choice((90, 180, 365))))
        day = signed.end
        events: list[ImplementationFact] = []
        for kind in rng.choice(self._FOLLOW_UPS):
            day += datetime.timedelta(days=rng.randrange(20, 200))
            if day > self.lifecycles.last_day:
                break  # nothing is reported after today
            new_due = None
            if kind == ImplementationKind.EXTENDED:
                new_due = PartialDate((events_due(due, events) or due).end + datetime.timedelta(days=180))
            events.append(ImplementationFact(kind, PartialDate(day), new_due))
        party = rng.choice((party_a, party_b, None))
        return [DraftCommitment(party, "Synthetic commitment to act on clause 1.", due, events)]

    # What later reports say of a synthetic commitment, in order.
    _FOLLOW_UPS = (
        (),
        (),
        (ImplementationKind.PROGRESS,),
        (ImplementationKind.PROGRESS, ImplementationKind.MET),
        (ImplementationKind.EXTENDED,),
        (ImplementationKind.EXTENDED, ImplementationKind.MET),
        (ImplementationKind.UNMET,),
        (ImplementationKind.SUPERSEDED,),
    )

    def _draft(self, agreement_id: int, party_a: str, party_b: str, number: int) -> Draft:
        rng = self.rng
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        clauses = []
        for position in range(1, rng.randint(1, 6) + 1):
            tagged = {
                pk for pk, _ in rng.choices(self.categories, self.category_weights, k=rng.randint(1, 2))
            }
            names = " and ".join(name for pk, name in self.categories if pk in tagged)
            clauses.append((position, f"Synthetic clause {position} on {names.lower()}.", sorted(tagged)))
        level, sides = self._sides(party_a, party_b)
        events = self.lifecycles.events(party_a, party_b)
        return Draft(
            id=agreement_id,
            party_a=party_a,
            party_b=party_b,
            kind=kind,
            title=f"Synthetic {AgreementKind(kind).label.lower()} no. {number} ({party_a}–{party_b})",
            level=level,
            sides=sides,
            clauses=clauses,
            participants=self._participants(party_a, party_b, sides),
            events=events,
            commitments=self._commitments(party_a, party_b, events[0].date),
        )

    def _write_chunk(self, slots: list[tuple[str, str]], offset: int) -> None:
        ids = self.writer.reserve_ids(Agreement, len(slots))
        drafts = [
            self._draft(pk, a, b, offset + i + 1)
            for i, (pk, (a, b)) in enumerate(zip(ids, slots, strict=True))
        ]
        clause_ids = iter(self.writer.reserve_ids(Clause, sum(len(d.clauses) for d in drafts)))
        commitment_ids = iter(self.writer.reserve_ids(Commitment, sum(len(d.commitments) for d in drafts)))
        for draft in drafts:
            draft.clause_ids = [next(clause_ids) for _ in draft.clauses]
            draft.commitment_ids = [next(commitment_ids) for _ in draft.commitments]
        lifecycles = [derive_lifecycle(draft.events) for draft in drafts]
        self.writer.write("agreement", self._agreement_rows(drafts, lifecycles))
        self.writer.write(
            "clause",
            (
                (pk, d.id, position, "", text)
                for d in drafts
                for pk, (position, text, _) in zip(d.clause_ids, d.clauses, strict=True)
            ),
        )
        self.writer.write(
            "clause_category",
            (
                (pk, category)
                for d in drafts
                for pk, (_, _, tags) in zip(d.clause_ids, d.clauses, strict=True)
                for category in tags
            ),
        )
        self.writer.write(
            "participant",
            (
                (d.id, p.role, p.person, "" if p.person else UNNAMED, p.party, p.body, p.office, "", "")
                for d in drafts
                for p in d.participants
            ),
        )
        self._write_commitments(drafts)
        self.writer.write(
            "event",
            (
                (d.id, e.status, e.date.value, e.date.precision, "", e.party, "")
                for d in drafts
                for e in d.events
            ),
        )
        self.writer.write(
            "period",
            (
                (d.id, *(period[column] for column in PERIOD_COLUMNS))
                for d, lifecycle in zip(drafts, lifecycles, strict=True)
                for period in period_values(lifecycle)
            ),
        )

    def _write_commitments(self, drafts: list[Draft]) -> None:
        rows, links, events = [], [], []
        for d in drafts:
            for pk, c in zip(d.commitment_ids, d.commitments, strict=True):
                status = derive_commitment(c.due, c.events)
                rows.append(
                    (
                        pk,
                        d.id,
                        1,
                        c.party,
                        c.text,
                        c.due.value,
                        c.due.precision,
                        "Within months of signature (synthetic).",
                        status.state,
                        status.due.value,
                        status.due.precision,
                    )
                )
                links.append((pk, d.clause_ids[0]))
                events += [
                    (
                        pk,
                        e.kind,
                        e.date.value,
                        e.date.precision,
                        e.new_due.value if e.new_due else None,
                        e.new_due.precision if e.new_due else "",
                        "",
                    )
                    for e in c.events
                ]
        self.writer.write("commitment", iter(rows))
        self.writer.write("commitment_clause", iter(links))
        self.writer.write("implementation", iter(events))

    def _agreement_rows(self, drafts: list[Draft], lifecycles) -> Iterator[tuple]:
        for draft, lifecycle in zip(drafts, lifecycles, strict=True):
            row = {
                **self.defaults,
                "id": draft.id,
                "party_a_id": draft.party_a,
                "party_b_id": draft.party_b,
                "body_a_id": draft.sides[0],
                "body_b_id": draft.sides[1],
                "level": draft.level,
                "title": draft.title,
                "kind": draft.kind,
                **derived_values(lifecycle),
                "search_document": draft.search_document(self.person_names, self.body_names),
                "is_synthetic": True,
                "version": CREATED_VERSION,
                "created_at": self.now,
                "updated_at": self.now,
            }
            yield tuple(row[column] for column in AGREEMENT_COLUMNS)


def delete_synthetic(out) -> None:
    """Remove every synthetic agreement with its parts, and the synthetic people, in one transaction."""
    tables = {key: name for key, (name, _) in TABLES.items()}
    synthetic = f"SELECT id FROM {tables['agreement']} WHERE is_synthetic"
    statements = [
        f"DELETE FROM {tables['clause_category']} WHERE clause_id IN "
        f"(SELECT id FROM {tables['clause']} WHERE agreement_id IN ({synthetic}))",
        f"DELETE FROM {tables['implementation']} WHERE commitment_id IN "
        f"(SELECT id FROM {tables['commitment']} WHERE agreement_id IN ({synthetic}))",
        f"DELETE FROM {tables['commitment_clause']} WHERE commitment_id IN "
        f"(SELECT id FROM {tables['commitment']} WHERE agreement_id IN ({synthetic}))",
        *(
            f"DELETE FROM {model._meta.db_table} WHERE agreement_id IN ({synthetic})"
            for model in (Commitment, Clause, Participant, StatusEvent, StatusPeriod)
        ),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        # Sources and relations are never generated; anything cited on a synthetic
        # agreement by hand goes with it through the ORM's cascade.
        deleted, _ = Agreement.objects.filter(is_synthetic=True).delete()
        # The deletions' own history records ("-") too: nothing synthetic is left to restore.
        Agreement.history.filter(is_synthetic=True).delete()
        people, _ = Person.objects.filter(note=SYNTHETIC_PERSON_NOTE, participations__isnull=True).delete()
        bodies, _ = Body.objects.filter(note=SYNTHETIC_BODY_NOTE).delete()
    refresh_statistics()  # the cascade reaches citations, relations and history too
    out(
        f"Deleted the synthetic data ({deleted:,} rows with the agreements, {people:,} people, "
        f"{bodies:,} rows with the bodies)."
    )


class Command(BaseCommand):
    help = (
        "Add a synthetic dataset (flagged is_synthetic) of N agreements over ~190 states for load tests, "
        "or remove it with --delete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreements", "-n", type=int, default=250_000, help="How many (250,000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed, for a repeatable dataset.")
        parser.add_argument("--delete", action="store_true", help="Remove all synthetic data instead.")
        parser.add_argument(
            "--append", action="store_true", help="Add to synthetic data already in the database."
        )

    def handle(self, *args, agreements: int, seed: int, delete: bool, append: bool, **options) -> None:
        def out(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        if delete:
            delete_synthetic(out)
            return
        if agreements < 1:
            raise CommandError("--agreements must be at least 1.")
        if not append and Agreement.objects.filter(is_synthetic=True).exists():
            raise CommandError(
                "The database already holds synthetic agreements; add --append, or remove them with --delete."
            )
        started = time.monotonic()
        Generator(total=agreements, seed=seed, out=out).run()
        out(f"Generated {agreements:,} synthetic agreements in {time.monotonic() - started:.1f} s.")


def events_due(due: PartialDate, events: list[ImplementationFact]) -> PartialDate | None:
    """The due date after the extensions among ``events`` (``None`` without any)."""
    extended = [e.new_due for e in events if e.new_due is not None]
    return extended[-1] if extended else None
