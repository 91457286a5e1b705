"""The intake: from a pasted news report to a proposed agreement, and its confirmation.

* ``engine.propose`` — the proposal (saves nothing), built by small readers, each one rule:
  ``status`` (signed, initialled, planned, negotiating, and the key sentence), ``parties``
  (with ``countries``: names, adjectives, capitals), ``kinds`` (kind and title), ``dates``,
  ``places``, ``people`` (with ``offices``), ``clauses`` (with the categories' keywords) and
  ``sources``; ``text`` splits the report and keeps the evidence of each value.
* ``confirm.intake_confirm`` — what the editor accepted, saved in one transaction through the
  same services as any other write.
"""

from .confirm import IntakeIn, SourceIn, intake_confirm
from .engine import country_lexicon, propose
from .proposal import Proposal, ReportIn
from .status import INITIALLED, NEGOTIATING, PLANNED, SIGNED

INTAKE_STATUSES = (SIGNED, INITIALLED, PLANNED, NEGOTIATING)

__all__ = [
    "INITIALLED",
    "INTAKE_STATUSES",
    "NEGOTIATING",
    "PLANNED",
    "SIGNED",
    "IntakeIn",
    "Proposal",
    "ReportIn",
    "SourceIn",
    "country_lexicon",
    "intake_confirm",
    "propose",
]
