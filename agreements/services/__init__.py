"""The write side: every change of an entered fact goes through a function of this package.

The admin, the API, the JSON importer and the recovery of old versions all call these
functions, so validation, the derived lifecycle and the history are the same whichever
door the data came in by. Inputs are the plain dataclasses of ``inputs``; errors are
``ValidationError`` dicts keyed by field path (``clauses[2].position``), which each
interface puts in front of its users. Every public function is one transaction.

* ``inputs`` — what a write says (``AgreementIn`` and its parts);
* ``rules`` — the checks made before writing; ``duplicates`` — is it already recorded?
* ``agreements`` — create, update, delete, record a status event;
* ``parts`` — add, replace or remove one part of an agreement;
* ``derived`` — the status, dates, periods and search text derived from the parts;
* ``people``, ``bodies``, ``relations`` — people and bodies with their other names; relations
  between agreements;
* ``records`` — sources and categories changed whole, and any versioned record deleted, under
  the version check (``base.lock``);
* ``merges`` — two records of one person or body made one;
* ``recovery`` — revert and restore from the recorded history;
* ``importing`` — the JSON documents of ``load_agreements``.
"""

from .agreements import (
    agreement_create,
    agreement_delete,
    agreement_record_status,
    agreement_sync,
    agreement_update,
)
from .base import ExpectedVersion, StaleVersionError
from .bodies import body_create, body_sync_other_names, body_update
from .derived import agreement_sync_derived
from .duplicates import (
    PossibleDuplicate,
    PossibleDuplicateError,
    PossibleSameRecordError,
    possible_duplicates,
)
from .inputs import (
    AGREEMENT_FIELDS,
    PART_COLLECTIONS,
    AgreementIn,
    BodyIn,
    CitationIn,
    ClauseIn,
    CommitmentIn,
    EventIn,
    ImplementationEventIn,
    OtherNameIn,
    ParticipantIn,
    PersonIn,
    agreement_to_input,
)
from .merges import body_merge, merged_into, person_merge
from .parts import PartNotFoundError, agreement_part_add, agreement_part_remove, agreement_part_replace
from .people import person_create, person_refresh_agreements, person_sync_other_names, person_update
from .records import record_delete, record_update
from .relations import RelationIn, relation_create, relation_delete, relation_update
from .rules import country_names, participant_party_problem

__all__ = [
    "AGREEMENT_FIELDS",
    "PART_COLLECTIONS",
    "AgreementIn",
    "BodyIn",
    "CitationIn",
    "ClauseIn",
    "CommitmentIn",
    "EventIn",
    "ExpectedVersion",
    "ImplementationEventIn",
    "OtherNameIn",
    "PartNotFoundError",
    "ParticipantIn",
    "PersonIn",
    "PossibleDuplicate",
    "PossibleDuplicateError",
    "PossibleSameRecordError",
    "RelationIn",
    "StaleVersionError",
    "agreement_create",
    "agreement_delete",
    "agreement_part_add",
    "agreement_part_remove",
    "agreement_part_replace",
    "agreement_record_status",
    "agreement_sync",
    "agreement_sync_derived",
    "agreement_to_input",
    "agreement_update",
    "body_create",
    "body_merge",
    "body_sync_other_names",
    "body_update",
    "country_names",
    "merged_into",
    "participant_party_problem",
    "person_create",
    "person_merge",
    "person_refresh_agreements",
    "person_sync_other_names",
    "person_update",
    "possible_duplicates",
    "record_delete",
    "record_update",
    "relation_create",
    "relation_delete",
    "relation_update",
]
