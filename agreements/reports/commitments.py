"""Commitments on a day: their state, the due date in effect and whether they are overdue — in SQL.

``commitment_on`` spells ``commitments.derive_commitment`` (as of a day) as SQL for a
commitment row aliased ``cm``, so the pair report and the commitments report ask the
database, and a test holds the two to the same answers. The three parameters it needs
come from ``as_of_params``.

``commitments_report`` answers "what falls due in the next N days, and what is overdue"
across every pair (or one country's), at a level.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection

from ..choices import CommitmentState, ImplementationKind, LevelScope
from ..commitments import RANK, STATE_AFTER
from .inputs import resolve_countries, today
from .sql import TABLES, Dialect, current_dialect, level_condition

DEFAULT_WINDOW_DAYS = 90
OVERDUE_NOTE = (
    "Overdue on a day: the due date in effect (after extensions) has wholly passed — a month or "
    "a year counts to its last day — and the commitment is neither met nor superseded."
)


def as_of_params(as_of: datetime.date) -> dict[str, datetime.date]:
    """The day, and the first days of its month and year: a due date known to the month is
    wholly past once the month of ``as_of`` is a later one."""
    return {
        "as_of": as_of,
        "as_of_month": as_of.replace(day=1),
        "as_of_year": as_of.replace(month=1, day=1),
    }


def _rank(d: Dialect, column: str) -> str:
    cases = " ".join(f"WHEN '{kind}' THEN {rank}" for kind, rank in RANK.items())
    return f"CASE {column} {cases} END"


def commitment_on(d: Dialect) -> dict[str, str]:
    """SQL expressions over ``cm`` (a commitment row): state, due date and precision, overdue."""
    t, on = TABLES, d.date_param("as_of")
    extended = f"'{ImplementationKind.EXTENDED.value}'"
    latest_report = (
        f"SELECT ie.kind FROM {t['implementation']} ie WHERE ie.commitment_id = cm.id "
        f"AND ie.kind <> {extended} AND ie.date <= {on} "
        f"ORDER BY ie.date DESC, {_rank(d, 'ie.kind')} DESC, ie.id DESC LIMIT 1"
    )
    states = " ".join(f"WHEN '{kind}' THEN '{state}'" for kind, state in STATE_AFTER.items())
    state = f"COALESCE(CASE ({latest_report}) {states} END, '{CommitmentState.OPEN.value}')"

    def extension(column: str) -> str:
        return (
            f"(SELECT ie.{column} FROM {t['implementation']} ie WHERE ie.commitment_id = cm.id "
            f"AND ie.kind = {extended} AND ie.date <= {on} ORDER BY ie.date DESC, ie.id DESC LIMIT 1)"
        )

    due = f"COALESCE({extension('new_due_on')}, cm.due_on)"
    precision = (
        f"CASE WHEN {extension('new_due_on')} IS NULL THEN cm.due_on_precision "
        f"ELSE {extension('new_due_on_precision')} END"
    )
    settled = f"'{CommitmentState.MET.value}', '{CommitmentState.SUPERSEDED.value}'"
    past = (
        f"CASE {precision} WHEN 'day' THEN {due} < {on} "
        f"WHEN 'month' THEN {due} < {d.date_param('as_of_month')} "
        f"WHEN 'year' THEN {due} < {d.date_param('as_of_year')} ELSE FALSE END"
    )
    overdue = f"({due} IS NOT NULL AND {state} NOT IN ({settled}) AND {past})"
    return {"state": state, "due": due, "precision": precision, "overdue": overdue}


@dataclass(frozen=True)
class CommitmentsReport:
    as_of: datetime.date
    window_days: int
    level: str
    country: str | None
    rows: list[dict[str, Any]]
    country_name: str | None = None

    @property
    def overdue(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["overdue"]]

    @property
    def due_soon(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if not row["overdue"]]


# Each code with its name beside it, for the people who open the CSV.
COLUMNS = (
    "agreement",
    "commitment",
    "title",
    "party_a",
    "party_a_name",
    "party_b",
    "party_b_name",
    "level",
    "position",
    "party",
    "party_name",
    "text",
    "due",
    "due_precision",
    "state",
    "overdue",
)


def commitments_report(
    *,
    as_of: datetime.date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    level: str = LevelScope.STATE_LEVEL,
    country: str | None = None,
) -> CommitmentsReport:
    """Commitments overdue on ``as_of``, and those falling due in the ``window_days`` after it."""
    as_of = as_of or today()
    country_name = None
    if country:
        found = next(iter(resolve_countries(country).values()))
        country, country_name = found.code, found.name
    d, t = current_dialect(), TABLES
    on = commitment_on(d)
    involving = "AND (a.party_a_id = %(country)s OR a.party_b_id = %(country)s)" if country else ""
    sql = f"""
SELECT * FROM (
    SELECT a.id, cm.id AS commitment, a.title, a.party_a_id, pa.name AS party_a_name, a.party_b_id,
           pb.name AS party_b_name, a.level, cm.position, cm.party_id, pc.name AS party_name, cm.text,
           {on["due"]} AS due, {on["precision"]} AS due_precision, {on["state"]} AS state,
           CASE WHEN {on["overdue"]} THEN 1 ELSE 0 END AS overdue
      FROM {t["commitment"]} cm JOIN {t["agreement"]} a ON a.id = cm.agreement_id
      JOIN {t["country"]} pa ON pa.code = a.party_a_id JOIN {t["country"]} pb ON pb.code = a.party_b_id
      LEFT JOIN {t["country"]} pc ON pc.code = cm.party_id
     WHERE cm.due_current IS NOT NULL {level_condition("a.level", level)} {involving}
) c
 WHERE c.overdue = 1
    OR (c.state NOT IN ('{CommitmentState.MET.value}', '{CommitmentState.SUPERSEDED.value}')
        AND c.due >= {d.date_param("as_of")} AND c.due <= {d.date_param("window_end")})
 ORDER BY c.due, c.id, c.position
"""
    params = {**as_of_params(as_of), "window_end": as_of + datetime.timedelta(days=window_days)}
    params["country"] = country
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(COLUMNS, (*row[:-1], bool(row[-1])), strict=True)) for row in cursor.fetchall()]
    for row in rows:
        if isinstance(row["due"], str):  # SQLite keeps dates as text
            row["due"] = datetime.date.fromisoformat(row["due"])
    return CommitmentsReport(as_of, window_days, level, country, rows, country_name)
