"""What the intake proposes: every value with the words of the report it came from.

Plain, frozen dataclasses: the API serialises them, the admin's form is filled from them,
and nothing here is saved (``confirm.intake_confirm`` saves what the editor accepted).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..matching import Candidate
from .text import Evidence


@dataclass(frozen=True)
class ReportIn:
    """A pasted report and what the editor says of its source (the Source model's field names)."""

    text: str
    url: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    language: str = ""
    licence: str = ""


@dataclass(frozen=True)
class Proposed:
    """One proposed value, the words it came from, and how it was derived when that is not obvious."""

    value: Any
    evidence: tuple[Evidence, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class PartyProposal:
    code: str
    name: str
    evidence: tuple[Evidence, ...]
    why: str


@dataclass(frozen=True)
class DateProposal:
    date: datetime.date | None  # the first day of the period; None when the words give no date
    precision: str
    note: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ParticipantProposal:
    """A participant: a known person (``person_id``), a new one (``person_id`` None, ``name``),
    or one the report does not name (``name`` empty, ``description``)."""

    name: str  # as the report first writes it
    person_id: int | None
    person_name: str  # the known person's name, or the new person's
    match: str  # why the known person was taken to be this one
    candidates: tuple[Candidate, ...]
    other_names: tuple[str, ...]  # spellings of the report to record (the known person lacks them)
    description: str
    party: str | None
    role: str
    office: str
    rank: str
    body_id: int | None
    body_name: str
    evidence: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SideProposal:
    """The body that committed for one party (from its signatory's office), when it is known."""

    party: str
    body_id: int
    body_name: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class CategoryProposal:
    slug: str
    name: str
    keyword: str  # the word of the category's keywords that the clause contains


@dataclass(frozen=True)
class ClauseProposal:
    position: int
    text: str
    categories: tuple[CategoryProposal, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class SourceProposal:
    title: str
    url: str
    publisher: str
    published_on: datetime.date | None
    language: str
    licence: str
    excerpt: str
    existing_id: int | None  # a source already recorded with this URL: it is cited, not added again
    licence_evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Proposal:
    parties: tuple[PartyProposal, ...]
    kind: Proposed
    title: Proposed
    summary: Proposed
    status: Proposed  # signed, initialled, planned or negotiating
    place: Proposed
    date: DateProposal
    participants: tuple[ParticipantProposal, ...]
    sides: tuple[SideProposal, ...]
    clauses: tuple[ClauseProposal, ...]
    source: SourceProposal
