"""Report 1: what two countries have with each other, and what of it is in force on a day.

The whole report is one SQL statement that builds the JSON document in the database
(agreements with their participants, events, status periods and commitments; counts by status and
kind; the category × agreement matrix). The JSON endpoint sends that text on as it
is, so a busy pair costs what its query costs; the page and the CSV decode it.

"As of" questions use the status periods (``StatusPeriod``): an agreement's status on
a day is the period that contains it, and a date known only to the month or the year
counts from the first day of that period.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson
from django.db import connection

from ..choices import LEVEL_NOTE, EventType, LevelScope, ParticipantRole, Status
from ..pairs import NamedPair, canonical_pair, named_pair, same_parties_problem
from ..planner import planned_once
from .commitments import OVERDUE_NOTE, as_of_params, commitment_on
from .inputs import ReportInputError, UnknownCountryError, today
from .sql import TABLES, Dialect, current_dialect, level_condition, text_as_bytes

PARTIAL_DATES_NOTE = (
    "A date known only to the month or the year is stored as the first day of that period "
    "(see each *_precision field) and counts from that day in every 'as of' question."
)
IN_FORCE_NOTE = (
    "In force means the status 'in force' (entered into force and not suspended or ended); "
    "provisional application, signature and ratification alone do not count."
)
_CONSENT = (EventType.RATIFIED.value, EventType.APPROVED.value)


@dataclass(frozen=True)
class PairSummary:
    """The report as the database wrote it: ``json`` is the UTF-8 document, ``data`` the same decoded."""

    json: bytes = field(repr=False)

    @cached_property
    def data(self) -> dict[str, Any]:
        return orjson.loads(self.json)

    @cached_property
    def pair(self) -> NamedPair:
        """The two countries in reading order ("Iran and Iraq"); the document keeps code order."""
        a, b = self.data["party_a"], self.data["party_b"]
        return named_pair((a["code"], a["name"]), (b["code"], b["name"]))

    @property
    def names(self) -> dict[str, str]:
        """``{code: name}`` of the two countries, for the codes the document carries."""
        return {self.pair.first: self.pair.first_name, self.pair.second: self.pair.second_name}


def _agreement_item(d: Dialect, t: dict[str, str]) -> str:
    consent = ", ".join(f"'{status}'" for status in _CONSENT)

    def consent_by(party: str) -> str:
        # A party's ratification or approval, or a joint one (no acting party), by as_of.
        return d.boolean(
            f"EXISTS (SELECT 1 FROM {t['event']} e WHERE e.agreement_id = pair.id "
            f"AND e.status IN ({consent}) AND (e.party_id IS NULL OR e.party_id = pair.{party}) "
            f"AND e.date <= {d.date_param('as_of')})"
        )

    participants = d.array(
        d.object(
            {
                "role": "s.role",
                "name": "p.name",
                "named": d.boolean("s.person_id IS NOT NULL"),
                "description": "s.description",
                "party": "s.party_id",
                "body": "bo.name",
                "office": "s.office",
                "rank": "s.rank",
            }
        ),
        f"FROM {t['participant']} s LEFT JOIN {t['person']} p ON p.id = s.person_id "
        f"LEFT JOIN {t['body']} bo ON bo.id = s.body_id WHERE s.agreement_id = pair.id",
        f"s.party_id, {_role_order('s.role')}, s.id",
    )
    on = commitment_on(d)
    implementation = d.array(
        d.object(
            {
                "kind": "ie.kind",
                "date": "ie.date",
                "precision": "ie.date_precision",
                "new_due": "ie.new_due_on",
                "new_due_precision": "ie.new_due_on_precision",
            }
        ),
        f"FROM {t['implementation']} ie WHERE ie.commitment_id = cm.id",
        "ie.date, ie.id",
    )
    commitments = d.array(
        d.object(
            {
                "position": "cm.position",
                "party": "cm.party_id",
                "text": "cm.text",
                "due_on_as_of": on["due"],
                "due_precision": on["precision"],
                "due_note": "cm.due_note",
                "state_on_as_of": on["state"],
                "overdue_on_as_of": d.boolean(on["overdue"]),
                "events": implementation,
            }
        ),
        f"FROM {t['commitment']} cm WHERE cm.agreement_id = pair.id",
        "cm.position",
    )
    events = d.array(
        d.object(
            {"status": "e.status", "date": "e.date", "precision": "e.date_precision", "party": "e.party_id"}
        ),
        f"FROM {t['event']} e WHERE e.agreement_id = pair.id",
        "e.date, e.id",
    )
    periods = d.array(
        d.object(
            {
                "status": "sp.status",
                "start": "sp.start",
                "start_precision": "sp.start_precision",
                "end": 'sp."end"',
                "end_precision": "sp.end_precision",
            }
        ),
        f"FROM {t['period']} sp WHERE sp.agreement_id = pair.id",
        "sp.start",
    )
    # Straight from the clause tables: their indexes find one agreement's tags at once.
    categories = d.array(
        "k.slug",
        f"FROM {t['clause']} c JOIN {t['clause_categories']} cc ON cc.clause_id = c.id "
        f"JOIN {t['category']} k ON k.id = cc.clausecategory_id WHERE c.agreement_id = pair.id",
        "k.slug",
        json_items=False,
        distinct=True,
    )
    return d.object(
        {
            "id": "pair.id",
            "title": "pair.title",
            "kind": "pair.kind",
            "level": "pair.level",
            "body_a": "(SELECT bo.name FROM {body} bo WHERE bo.id = pair.body_a_id)".format(body=t["body"]),
            "body_b": "(SELECT bo.name FROM {body} bo WHERE bo.id = pair.body_b_id)".format(body=t["body"]),
            "disclosure": "pair.disclosure",
            "status": "pair.status",
            "status_on_as_of": "pair.status_on",
            "in_force_on_as_of": d.boolean(f"COALESCE(pair.status_on, '') = '{Status.IN_FORCE.value}'"),
            "ratified_by_party_a_on_as_of": consent_by("party_a_id"),
            "ratified_by_party_b_on_as_of": consent_by("party_b_id"),
            "signed_on": "pair.signed_on",
            "signed_on_precision": "pair.signed_on_precision",
            "in_force_from": "pair.in_force_from",
            "in_force_from_precision": "pair.in_force_from_precision",
            "ended_on": "pair.ended_on",
            "ended_on_precision": "pair.ended_on_precision",
            "is_synthetic": d.boolean("pair.is_synthetic"),
            "categories": categories,
            "participants": participants,
            "events": events,
            "periods": periods,
            "commitments": commitments,
        }
    )


def _role_order(column: str) -> str:
    """Participants by role as treaty practice lists them: signatories first."""
    cases = " ".join(f"WHEN '{role}' THEN {rank}" for rank, role in enumerate(ParticipantRole.values))
    return f"CASE {column} {cases} END"


def _counts(d: Dialect, column: str, key: str) -> str:
    return d.array(
        d.object({key: "c.value", "agreements": "c.n"}),
        f"FROM (SELECT pair.{column} AS value, COUNT(*) AS n FROM pair GROUP BY pair.{column}) c",
        "c.n DESC, c.value",
    )


def _signature(d: Dialect, direction: str) -> str:
    return d.nested(
        f"SELECT {d.object({'date': 'signed_on', 'precision': 'signed_on_precision', 'agreement': 'id'})} "
        f"FROM pair WHERE signed_on IS NOT NULL ORDER BY signed_on {direction}, id {direction} LIMIT 1"
    )


def _country(d: Dialect, t: dict[str, str], param: str) -> str:
    return d.nested(
        f"SELECT {d.object({'code': 'code', 'name': 'name', 'cow_code': 'cow_code'})} "
        f"FROM {t['country']} WHERE code = %({param})s"
    )


def pair_summary_query(
    dialect: Dialect, a: str, b: str, as_of: datetime.date, level: str = LevelScope.STATE_LEVEL
) -> tuple[str, dict]:
    """The report's one statement and its parameters (the benchmark runs it on its own too).

    It returns one row: whether each country exists, and the document as text.
    """
    party_a, party_b = canonical_pair(a, b)
    params = {
        "party_a": party_a,
        "party_b": party_b,
        **as_of_params(as_of),
        "level": level,
        "partial_note": PARTIAL_DATES_NOTE,
        "in_force_note": IN_FORCE_NOTE,
        "level_note": LEVEL_NOTE,
        "overdue_note": OVERDUE_NOTE,
    }
    return _statement(dialect, level), params


@functools.cache
def _statement(d: Dialect, level: str) -> str:
    """The SQL depends only on the engine and the level, so it is written once per process."""
    t = TABLES
    in_force = f"'{Status.IN_FORCE.value}'"
    matrix = d.array(
        d.object(
            {
                "slug": "c.slug",
                "name": "c.name",
                "parent": "c.parent",
                "agreements": "c.n",
                "agreement_ids": d.array(
                    "covered.agreement_id",
                    "FROM covered WHERE covered.category_id = c.id",
                    "covered.agreement_id",
                    json_items=False,
                ),
            }
        ),
        f"FROM (SELECT k.id, k.slug, k.name, parent.slug AS parent, parent.name AS parent_name, "
        f"COUNT(*) AS n FROM covered JOIN {t['category']} k ON k.id = covered.category_id "
        f"LEFT JOIN {t['category']} parent ON parent.id = k.parent_id "
        "GROUP BY k.id, k.slug, k.name, parent.slug, parent.name) c",
        "COALESCE(c.parent_name, c.name), c.parent IS NOT NULL, c.name",
    )
    document = d.object(
        {
            "party_a": _country(d, t, "party_a"),
            "party_b": _country(d, t, "party_b"),
            "as_of": d.date_param("as_of"),
            "level": d.text_param("level"),
            "notes": d.object(
                {
                    "partial_dates": d.text_param("partial_note"),
                    "in_force": d.text_param("in_force_note"),
                    "level": d.text_param("level_note"),
                    "overdue": d.text_param("overdue_note"),
                }
            ),
            "total": "(SELECT COUNT(*) FROM pair)",
            "signatories_not_named": (
                f"(SELECT COUNT(*) FROM {t['participant']} s WHERE s.agreement_id IN (SELECT id FROM pair) "
                f"AND s.person_id IS NULL AND s.role = '{ParticipantRole.SIGNED.value}')"
            ),
            "commitments": (
                f"(SELECT COUNT(*) FROM {t['commitment']} cm WHERE cm.agreement_id IN (SELECT id FROM pair))"
            ),
            "commitments_overdue_on_as_of": (
                f"(SELECT COUNT(*) FROM {t['commitment']} cm "
                f"WHERE cm.agreement_id IN (SELECT id FROM pair) AND {commitment_on(d)['overdue']})"
            ),
            "in_force_on_as_of": f"(SELECT COUNT(*) FROM pair WHERE status_on = {in_force})",
            "first_signed": _signature(d, "ASC"),
            "latest_signed": _signature(d, "DESC"),
            "by_status": _counts(d, "status", "status"),
            "by_status_on_as_of": _counts(d, "status_on", "status"),
            "by_kind": _counts(d, "kind", "kind"),
            "categories": matrix,
            "agreements": d.array(
                _agreement_item(d, t), "FROM pair", "pair.signed_on IS NULL, pair.signed_on, pair.id"
            ),
        }
    )
    return f"""
WITH pair AS (
    SELECT a.id, a.title, a.kind, a.status, a.party_a_id, a.party_b_id, a.is_synthetic,
           a.level, a.body_a_id, a.body_b_id, a.disclosure,
           a.signed_on, a.signed_on_precision, a.in_force_from, a.in_force_from_precision,
           a.ended_on, a.ended_on_precision,
           (SELECT sp.status FROM {t["period"]} sp
             WHERE sp.agreement_id = a.id AND sp.start <= {d.date_param("as_of")}
               AND (sp."end" IS NULL OR sp."end" > {d.date_param("as_of")})
             ORDER BY sp.start DESC LIMIT 1) AS status_on
      FROM {t["agreement"]} a
     WHERE a.party_a_id = %(party_a)s AND a.party_b_id = %(party_b)s {level_condition("a.level", level)}
),
tags AS (
    SELECT DISTINCT c.agreement_id, cc.clausecategory_id AS category_id
      FROM {t["clause"]} c JOIN {t["clause_categories"]} cc ON cc.clause_id = c.id
     WHERE c.agreement_id IN (SELECT id FROM pair)
),
covered AS (
    -- A subcategory's agreements also count for its top-level category.
    SELECT agreement_id, category_id FROM tags
    UNION
    SELECT tags.agreement_id, k.parent_id FROM tags JOIN {t["category"]} k ON k.id = tags.category_id
     WHERE k.parent_id IS NOT NULL
)
SELECT EXISTS (SELECT 1 FROM {t["country"]} WHERE code = %(party_a)s),
       EXISTS (SELECT 1 FROM {t["country"]} WHERE code = %(party_b)s),
       {d.as_text(document)}
"""


def pair_summary(
    a: str, b: str, *, as_of: datetime.date | None = None, level: str = LevelScope.STATE_LEVEL
) -> PairSummary:
    """The report for countries ``a`` and ``b`` (codes, any order and case) on ``as_of`` (today),
    counting the agreements of ``level`` (state-level unless asked)."""
    a, b = a.strip().upper(), b.strip().upper()
    problem = same_parties_problem(a, b)
    if problem:
        raise ReportInputError({"pair": [problem]})
    sql, params = pair_summary_query(current_dialect(), a, b, as_of or today(), level)
    # Prepared on PostgreSQL (tracker/postgresql): planning the statement took as long as running
    # it for a typical pair, and its generic plan (an index scan of the pair's agreements, then
    # each one's parts by key) ran the busiest pair as fast as its custom plans (docs/benchmarks.md).
    with planned_once(connection) as cursor:
        text_as_bytes(cursor)
        cursor.execute(sql, params)
        a_exists, b_exists, document = cursor.fetchone()
    for code, exists in ((params["party_a"], a_exists), (params["party_b"], b_exists)):
        if not exists:
            raise UnknownCountryError(code)
    return PairSummary(document if isinstance(document, bytes) else document.encode())
