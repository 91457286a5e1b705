"""Each report as a flat table (a header and rows) for CSV: ISO dates, a precision column
beside each date, 1/0 for yes/no, and lists joined with "; "."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from ..choices import ParticipantRole, Status
from .changes import PairChanges
from .commitments import COLUMNS as COMMITMENT_COLUMNS
from .commitments import CommitmentsReport
from .network import PairNetwork
from .pair import PairSummary
from .panel import DyadYearPanel
from .partners import CountryPartners

Table = tuple[tuple[str, ...], Iterable[Iterable[Any]]]


def _flag(value: bool | None) -> int:
    return 1 if value else 0


def _date(value: datetime.date | str | None) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else (value or "")


def pair_summary_table(summary: PairSummary) -> Table:
    """One row per agreement of the pair, in date order."""
    header = (
        "agreement_id",
        "party_a",
        "party_b",
        "party_a_name",
        "party_b_name",
        "title",
        "kind",
        "level",
        "disclosure",
        "status",
        "as_of",
        "status_on_as_of",
        "in_force_on_as_of",
        "ratified_by_party_a_on_as_of",
        "ratified_by_party_b_on_as_of",
        "signed_on",
        "signed_on_precision",
        "in_force_from",
        "in_force_from_precision",
        "ended_on",
        "ended_on_precision",
        "categories",
        "category_names",
        "signatories",
        "other_participants",
        "signatories_not_named",
        "commitments",
        "commitments_overdue_on_as_of",
        "is_synthetic",
    )
    data = summary.data
    # The matrix names every category the pair's agreements are tagged with.
    category_names = {row["slug"]: row["name"] for row in data["categories"]}

    def rows() -> Iterator[tuple]:
        for a in data["agreements"]:
            signed = [p for p in a["participants"] if p["role"] == ParticipantRole.SIGNED]
            others = [p for p in a["participants"] if p["role"] != ParticipantRole.SIGNED]
            yield (
                a["id"],
                data["party_a"]["code"],
                data["party_b"]["code"],
                data["party_a"]["name"],
                data["party_b"]["name"],
                a["title"],
                a["kind"],
                a["level"],
                a["disclosure"],
                a["status"],
                data["as_of"],
                a["status_on_as_of"] or "",
                _flag(a["in_force_on_as_of"]),
                _flag(a["ratified_by_party_a_on_as_of"]),
                _flag(a["ratified_by_party_b_on_as_of"]),
                _date(a["signed_on"]),
                a["signed_on_precision"],
                _date(a["in_force_from"]),
                a["in_force_from_precision"],
                _date(a["ended_on"]),
                a["ended_on_precision"],
                "; ".join(a["categories"]),
                "; ".join(category_names.get(slug, slug) for slug in a["categories"]),
                "; ".join(participant_label(p) for p in signed),
                "; ".join(f"{participant_label(p)} [{p['role']}]" for p in others),
                sum(1 for p in signed if not p["named"]),
                len(a["commitments"]),
                sum(1 for c in a["commitments"] if c["overdue_on_as_of"]),
                _flag(a["is_synthetic"]),
            )

    return header, rows()


def participant_label(participant: dict[str, Any]) -> str:
    """“Hossein Dehqan (IR, Minister of Defence)”, or “not named: Iraqi counterpart (IQ)”."""
    who = participant["name"] if participant["named"] else f"not named: {participant['description']}"
    details = ", ".join(part for part in (participant["party"], participant["office"]) if part)
    return f"{who} ({details})"


def commitments_table(report: CommitmentsReport) -> Table:
    def cell(row: dict[str, Any], name: str) -> Any:
        if name == "due":
            return _date(row[name])
        if name == "overdue":
            return _flag(row[name])
        return "" if row[name] is None else row[name]

    header = (*COMMITMENT_COLUMNS, "as_of")
    rows = (
        (*(cell(row, name) for name in COMMITMENT_COLUMNS), report.as_of.isoformat()) for row in report.rows
    )
    return header, rows


def partners_table(report: CountryPartners) -> Table:
    statuses = tuple(f"status_{status}" for status in Status.values)
    header = (
        "country",
        "rank",
        "partner",
        "partner_name",
        "partner_cow_code",
        "agreements",
        "as_of",
        "in_force_on_as_of",
        *statuses,
        "first_signed",
        "first_signed_precision",
        "latest_signed",
        "latest_signed_precision",
        "categories",
        "category_names",
    )
    rows = (
        (
            report.country.code,
            p["rank"],
            p["partner"],
            p["partner_name"],
            p["partner_cow_code"] or "",
            p["agreements"],
            report.as_of.isoformat(),
            p["in_force_on_as_of"],
            *(p["by_status"][status] for status in Status.values),
            _date(p["first_signed"]),
            p["first_signed_precision"],
            _date(p["latest_signed"]),
            p["latest_signed_precision"],
            "; ".join(p["categories"]),
            "; ".join(p["category_names"]),
        )
        for p in report.partners
    )
    return header, rows


def network_table(report: PairNetwork) -> Table:
    """The edges; the nodes are the countries named in them."""
    header = (
        "party_a",
        "party_a_name",
        "party_b",
        "party_b_name",
        "agreements",
        "in_force",
        "first_year",
        "latest_year",
    )
    rows = (
        (
            e["party_a"],
            e["party_a__name"],
            e["party_b"],
            e["party_b__name"],
            e["agreements"],
            e["in_force"],
            e["first_year"] or "",
            e["latest_year"] or "",
        )
        for e in report.edges
    )
    return header, rows


def panel_table(panel: DyadYearPanel) -> Table:
    """Streamed from the database: rows are produced only as the response is written."""
    return panel.columns, panel.rows()


CHANGES_HEADER = (
    "party_a",
    "party_b",
    "from",
    "to",
    "level",
    "section",
    "date",
    "date_precision",
    "agreement_id",
    "title",
    "item",
    "party",
    "party_name",
    "before",
    "after",
    "detail",
    "due_in_window",
    "met",
    "missed",
)


def changes_table(report: PairChanges) -> Table:
    """One row per thing that changed, by section (agreement_signed, status_event, commitment,
    correction): ISO dates, codes with the names beside them, 1/0 for yes/no."""
    names = report.names
    pair = (
        report.party_a["code"],
        report.party_b["code"],
        _date(report.start),
        _date(report.end),
        report.level,
    )

    def row(section: str, date: Any, precision: str, agreement: int, title: str, item: str, **rest: Any):
        party = rest.get("party") or ""
        flags = tuple(
            "" if rest.get(name) is None else _flag(rest[name]) for name in ("due", "met", "missed")
        )
        return (
            *pair,
            section,
            _date(date),
            precision,
            agreement,
            title,
            item,
            party,
            names.get(party, ""),
            rest.get("before") or "",
            rest.get("after") or "",
            rest.get("detail", ""),
            *flags,
        )

    def rows() -> Iterator[tuple]:
        for a in report.signed:
            yield row(
                "agreement_signed",
                a["signed_on"],
                a["signed_on_precision"],
                a["agreement"],
                a["title"],
                a["kind"],
                after=a["status_at_end"],
            )
        for change in report.status_changes:
            for e in change["events"]:
                yield row(
                    "status_event",
                    e["date"],
                    e["precision"],
                    change["agreement"],
                    change["title"],
                    e["event"],
                    party=e["party"],
                    before=e["status_before"],
                    after=e["status_after"],
                )
        for c in report.commitments:
            reported = "; ".join(
                f"{e['kind']} {_date(e['date'])}"
                + (f" (new due {_date(e['new_due'])})" if e["new_due"] else "")
                for e in c["events"]
            )
            yield row(
                "commitment",
                c["due"],
                c["due_precision"] or "",
                c["agreement"],
                c["title"],
                c["text"],
                party=c["party"],
                after=c["state_at_end"],
                detail=reported,
                due=c["due_in_window"],
                met=c["met"],
                missed=c["missed"],
            )
        for save in report.corrections:
            for entry in save["entries"]:
                for change in entry["changes"] or [{"label": "", "before": None, "after": None}]:
                    yield row(
                        "correction",
                        save["recorded_on"],
                        "day",
                        save["agreement"],
                        save["title"],
                        entry["what"],
                        before=change["before"],
                        after=change["after"],
                        detail=change["label"],
                    )

    return CHANGES_HEADER, rows()
