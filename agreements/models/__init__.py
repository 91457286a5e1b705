from .agreements import Agreement, AgreementRelation, AgreementSource
from .bodies import Body, BodyName
from .categories import ClauseCategory
from .children import Clause, Commitment, ImplementationEvent, Participant, StatusEvent, StatusPeriod
from .countries import Country
from .people import Person, PersonName
from .sources import Source

__all__ = [
    "Agreement",
    "AgreementRelation",
    "AgreementSource",
    "Body",
    "BodyName",
    "Clause",
    "ClauseCategory",
    "Commitment",
    "Country",
    "ImplementationEvent",
    "Participant",
    "Person",
    "PersonName",
    "Source",
    "StatusEvent",
    "StatusPeriod",
]
