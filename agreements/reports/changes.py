"""Report 6: what changed for a pair between two days.

The question an analyst otherwise answers with two "as of" pages side by side: between
``start`` and ``end`` (both included), which agreements of the pair were signed, whose status
changed (and through which events), which commitments fell due, were met or were missed,
and which corrections the editors recorded.

The first three read the same tables, with the same rules, as the pair report: a status on a
day from the status periods, a commitment on a day from ``commitments.commitment_on``, a date
known only to the month or the year counting from its first day. Corrections come from the
history of the agreements and their parts (``history.agreement_timelines``), grouped by save
as the admin's history page groups them. The number of queries does not grow with the pair:
the two countries, the agreements, their events, the commitments with their implementation
events, and the history (one query per kind of part, one per kind of thing its changes name).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from ..choices import LEVEL_NOTE, ImplementationKind, LevelScope, Status, levels_of
from ..history import Entry, agreement_timelines, saves_of
from ..models import Agreement
from ..pairs import NamedPair, canonical_pair, named_pair, same_parties_problem
from .commitments import as_of_params, commitment_on
from .inputs import ReportInputError, resolve_countries
from .sql import TABLES, Dialect, current_dialect, level_condition

CHANGES_NOTE = (
    "Both days are included. A date known only to the month or the year counts from the first day "
    "of that period, as in every report. Statuses are compared between the day before the start "
    "and the end. A commitment is due in the window when the due date in effect at the end (after "
    "extensions reported by then) falls in it; it is missed when that date has wholly passed by the "
    "end without it being met, or when it was reported unmet in the window. Corrections are the "
    "saves recorded in the agreements' history between the two days (in UTC): what the record says "
    "changed, not what happened in the world."
)
SIGNED_FIELDS = ("title", "kind", "signed_on", "signed_on_precision", "status_at_end")
# What a long text field (a summary, a full text) shows of its before and after.
CHANGE_TEXT_LIMIT = 300


@dataclass(frozen=True)
class PairChanges:
    pair: NamedPair
    party_a: dict[str, Any]
    party_b: dict[str, Any]
    start: datetime.date
    end: datetime.date
    level: str
    agreements: int  # the pair's agreements at this level, as recorded now
    status_counts: list[dict[str, Any]]
    signed: list[dict[str, Any]]
    status_changes: list[dict[str, Any]]
    commitments: list[dict[str, Any]]
    corrections: list[dict[str, Any]]

    @property
    def names(self) -> dict[str, str]:
        """``{code: name}`` of the two countries, for the codes the report carries."""
        return {self.pair.first: self.pair.first_name, self.pair.second: self.pair.second_name}

    def document(self) -> dict[str, Any]:
        """The report as the JSON API answers it (dates as ISO text by the renderer)."""
        return {
            "party_a": self.party_a,
            "party_b": self.party_b,
            "name": self.pair.name,
            "from": self.start,
            "to": self.end,
            "level": self.level,
            "notes": {"changes": CHANGES_NOTE, "level": LEVEL_NOTE},
            "summary": self.summary,
            "agreements": self.agreements,
            "status_counts": self.status_counts,
            "signed": self.signed,
            "status_changes": self.status_changes,
            "commitments": [{k: v for k, v in row.items() if k != "id"} for row in self.commitments],
            "corrections": [
                {**{k: v for k, v in row.items() if k != "recorded_on"}, "recorded_at": _timestamp(row)}
                for row in self.corrections
            ],
        }

    @property
    def day_before(self) -> datetime.date:
        return self.start - datetime.timedelta(days=1)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "agreements_signed": len(self.signed),
            "status_changes": sum(1 for row in self.status_changes if row["status_changed"]),
            "commitments_due": sum(1 for row in self.commitments if row["due_in_window"]),
            "commitments_met": sum(1 for row in self.commitments if row["met"]),
            "commitments_missed": sum(1 for row in self.commitments if row["missed"]),
            "corrections": len(self.corrections),
            "in_force_before": sum(r["before"] for r in self.status_counts if r["status"] == Status.IN_FORCE),
            "in_force_at_end": sum(r["end"] for r in self.status_counts if r["status"] == Status.IN_FORCE),
        }


def _timestamp(correction: dict[str, Any]) -> str:
    """``2026-03-01T10:00:00Z``: the API's timestamp format."""
    return correction["recorded_at"].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: datetime.date | str | None) -> datetime.date | None:
    """SQLite returns dates as ISO text, PostgreSQL as dates."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _status_on(d: Dialect, day_param: str) -> str:
    """The status of agreement ``a`` on a day, from its status periods (as the pair report asks it)."""
    on = d.date_param(day_param)
    return (
        f"(SELECT sp.status FROM {TABLES['period']} sp WHERE sp.agreement_id = a.id AND sp.start <= {on} "
        f'AND (sp."end" IS NULL OR sp."end" > {on}) ORDER BY sp.start DESC LIMIT 1)'
    )


def _agreements(d: Dialect, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    sql = f"""
SELECT a.id, a.title, a.kind, a.level, a.is_synthetic, a.signed_on, a.signed_on_precision,
       {_status_on(d, "before")}, {_status_on(d, "end")}
  FROM {TABLES["agreement"]} a
 WHERE {where}
 ORDER BY a.signed_on IS NULL, a.signed_on, a.id
"""
    columns = ("id", "title", "kind", "level", "is_synthetic", "signed_on", "signed_on_precision")
    agreements = []
    for row in _rows(sql, params):
        item = dict(zip(columns, row[:7], strict=True))
        item["is_synthetic"] = bool(item["is_synthetic"])
        item["signed_on"] = _day(item["signed_on"])
        item["status_before"], item["status_at_end"] = row[7], row[8]
        agreements.append(item)
    return agreements


def _events(d: Dialect, where: str, params: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """The status events dated in the window, by agreement, oldest first, each with the
    agreement's status the day before it and at the end of its day (from the status periods)."""
    period = TABLES["period"]
    after = (
        f"(SELECT sp.status FROM {period} sp WHERE sp.agreement_id = e.agreement_id AND sp.start <= e.date "
        f'AND (sp."end" IS NULL OR sp."end" > e.date) ORDER BY sp.start DESC LIMIT 1)'
    )
    # The period that held the day before: it began before the event's day and had not ended by it.
    before = (
        f"(SELECT sp.status FROM {period} sp WHERE sp.agreement_id = e.agreement_id AND sp.start < e.date "
        f'AND (sp."end" IS NULL OR sp."end" >= e.date) ORDER BY sp.start DESC LIMIT 1)'
    )
    sql = f"""
SELECT e.agreement_id, e.status, e.date, e.date_precision, e.party_id, {before}, {after}
  FROM {TABLES["event"]} e JOIN {TABLES["agreement"]} a ON a.id = e.agreement_id
 WHERE {where} AND e.date >= {d.date_param("start")} AND e.date <= {d.date_param("end")}
 ORDER BY e.date, e.id
"""
    events: dict[int, list[dict[str, Any]]] = {}
    for agreement, status, date, precision, party, status_before, status_after in _rows(sql, params):
        events.setdefault(agreement, []).append(
            {
                "event": status,
                "date": _day(date),
                "precision": precision,
                "party": party,
                "status_before": status_before,
                "status_after": status_after,
            }
        )
    return events


def _commitments(d: Dialect, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Commitments due in the window (the due date in effect at the end), or with a report in it."""
    t, on = TABLES, commitment_on(d)
    start, end = d.date_param("start"), d.date_param("end")
    reported = (
        f"SELECT 1 FROM {t['implementation']} ie WHERE ie.commitment_id = cm.id "
        f"AND ie.date >= {start} AND ie.date <= {end}"
    )
    sql = f"""
SELECT * FROM (
    SELECT a.id AS agreement_id, a.title, cm.id, cm.position, cm.party_id, cm.text,
           {on["due"]} AS due, {on["precision"]} AS due_precision, {on["state"]} AS state,
           CASE WHEN {on["overdue"]} THEN 1 ELSE 0 END AS overdue,
           CASE WHEN EXISTS ({reported}) THEN 1 ELSE 0 END AS reported
      FROM {t["commitment"]} cm JOIN {t["agreement"]} a ON a.id = cm.agreement_id
     WHERE {where}
) c
 WHERE (c.due >= {start} AND c.due <= {end}) OR c.reported = 1
 ORDER BY c.due IS NULL, c.due, c.agreement_id, c.position
"""
    columns = (
        "agreement",
        "title",
        "id",
        "position",
        "party",
        "text",
        "due",
        "due_precision",
        "state_at_end",
    )
    commitments = []
    for row in _rows(sql, params):
        item = dict(zip(columns, row[:9], strict=True))
        item["due"] = _day(item["due"])
        item["overdue_at_end"] = bool(row[9])
        commitments.append(item)
    if not commitments:
        return []
    by_id = {item["id"]: item for item in commitments}
    sql = f"""
SELECT ie.commitment_id, ie.kind, ie.date, ie.date_precision, ie.new_due_on, ie.new_due_on_precision
  FROM {t["implementation"]} ie JOIN {t["commitment"]} cm ON cm.id = ie.commitment_id
  JOIN {t["agreement"]} a ON a.id = cm.agreement_id
 WHERE {where} AND ie.date >= {start} AND ie.date <= {end}
 ORDER BY ie.date, ie.id
"""
    reports: dict[int, list[dict[str, Any]]] = {}
    for commitment, kind, date, precision, new_due, new_due_precision in _rows(sql, params):
        reports.setdefault(commitment, []).append(
            {
                "kind": kind,
                "date": _day(date),
                "precision": precision,
                "new_due": _day(new_due),
                "new_due_precision": new_due_precision,
            }
        )
    for commitment_id, item in by_id.items():
        events = reports.get(commitment_id, [])
        kinds = {event["kind"] for event in events}
        item["events"] = events
        item["due_in_window"] = item["due"] is not None and params["start"] <= item["due"] <= params["end"]
        item["met"] = ImplementationKind.MET in kinds
        item["missed"] = (
            item["due_in_window"] and item["overdue_at_end"]
        ) or ImplementationKind.UNMET in kinds
    return commitments


def _shorten(text: str) -> str:
    return text if len(text) <= CHANGE_TEXT_LIMIT else text[: CHANGE_TEXT_LIMIT - 1] + "…"


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "what": entry.sentence,
        "changes": [
            {
                "field": change.field,
                "label": change.label,
                "before": None if change.old is None else _shorten(change.old_display),
                "after": _shorten(change.new_display),
            }
            for change in entry.changes
        ],
    }


def _corrections(
    party_a: str, party_b: str, level: str, start: datetime.date, end: datetime.date
) -> list[dict[str, Any]]:
    """The saves recorded between the two days (UTC), newest first, with what each changed.

    Deleted agreements of the pair are found in the history too; an agreement is counted at
    the level it had in a record of the window.
    """
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=datetime.UTC)
    after = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
    )
    records = Agreement.history.filter(
        party_a_id=party_a, party_b_id=party_b, history_date__gte=first, history_date__lt=after
    )
    levels = levels_of(level)
    if levels is not None:
        records = records.filter(level__in=levels)
    ids = sorted(set(records.values_list("id", flat=True)))
    if not ids:
        return []
    corrections = []
    for agreement_id, timeline in agreement_timelines(ids).items():
        for save in saves_of(timeline):
            recorded = save.first.date
            if not first <= recorded < after:
                continue
            entries = [save.agreement] if save.agreement else []
            corrections.append(
                {
                    "agreement": agreement_id,
                    "title": save.agreement.label if save.agreement else "",
                    "recorded_at": recorded,
                    "recorded_on": timezone.localdate(recorded, datetime.UTC),
                    "action": save.first.action if save.agreement else "changed",
                    "entries": [_entry(entry) for entry in [*entries, *save.parts]],
                }
            )
    return sorted(corrections, key=lambda c: (c["recorded_at"], c["agreement"]), reverse=True)


def pair_changes(
    a: str,
    b: str,
    *,
    start: datetime.date,
    end: datetime.date,
    level: str = LevelScope.STATE_LEVEL,
) -> PairChanges:
    """What changed for countries ``a`` and ``b`` (codes, any order and case) from ``start`` to ``end``."""
    a, b = a.strip().upper(), b.strip().upper()
    problem = same_parties_problem(a, b)
    if problem:
        raise ReportInputError({"pair": [problem]})
    if start > end:
        raise ReportInputError({"to": ["The end comes before the start."]})
    countries = resolve_countries(a, b)
    party_a, party_b = canonical_pair(a, b)
    d = current_dialect()
    params = {
        "party_a": party_a,
        "party_b": party_b,
        "start": start,
        "end": end,
        "before": start - datetime.timedelta(days=1),
        **as_of_params(end),
    }
    where = f"a.party_a_id = %(party_a)s AND a.party_b_id = %(party_b)s {level_condition('a.level', level)}"
    agreements = _agreements(d, where, params)
    events = _events(d, where, params)
    status_changes = []
    counts: dict[str | None, dict[str, int]] = {}
    for item in agreements:
        before, at_end = item["status_before"], item["status_at_end"]
        for status, column in ((before, "before"), (at_end, "end")):
            counts.setdefault(status, {"before": 0, "end": 0})[column] += 1
        if before != at_end or item["id"] in events:
            status_changes.append(
                {
                    "agreement": item["id"],
                    "title": item["title"],
                    "status_before": before,
                    "status_at_end": at_end,
                    "status_changed": before != at_end,
                    "events": events.get(item["id"], []),
                }
            )
    order = {status: rank for rank, status in enumerate(Status.values)}
    status_counts = [
        {"status": status, **numbers}
        for status, numbers in sorted(counts.items(), key=lambda kv: order.get(kv[0], len(order)))
    ]
    signed = [
        {"agreement": item["id"], **{key: item[key] for key in SIGNED_FIELDS}}
        for item in agreements
        if item["signed_on"] is not None and start <= item["signed_on"] <= end
    ]
    country = {code: countries[code] for code in (party_a, party_b)}
    return PairChanges(
        pair=named_pair(*((code, country[code].name) for code in (party_a, party_b))),
        party_a=_country(country[party_a]),
        party_b=_country(country[party_b]),
        start=start,
        end=end,
        level=level,
        agreements=len(agreements),
        status_counts=status_counts,
        signed=signed,
        status_changes=status_changes,
        commitments=_commitments(d, where, params),
        corrections=_corrections(party_a, party_b, level, start, end),
    )


def _country(country) -> dict[str, Any]:
    return {"code": country.code, "name": country.name, "cow_code": country.cow_code}
