from .agreements import Agreement, AgreementRelation, AgreementSource
from .bodies import Body, BodyName
from .categories import ClauseCategory
from .changes import ChangeEvent
from .children import Clause, Commitment, ImplementationEvent, Participant, StatusEvent, StatusPeriod
from .countries import Country
from .merges import MergedRecord
from .people import Person, PersonName
from .sources import Source

__all__ = [
    "Agreement",
    "AgreementRelation",
    "AgreementSource",
    "Body",
    "BodyName",
    "ChangeEvent",
    "Clause",
    "ClauseCategory",
    "Commitment",
    "Country",
    "ImplementationEvent",
    "MergedRecord",
    "Participant",
    "Person",
    "PersonName",
    "Source",
    "StatusEvent",
    "StatusPeriod",
]
