from .agreements import Agreement, AgreementRelation, AgreementSource
from .categories import ClauseCategory
from .children import Clause, Signatory, StatusEvent, StatusPeriod
from .countries import Country
from .people import Person, PersonName
from .sources import Source

__all__ = [
    "Agreement",
    "AgreementRelation",
    "AgreementSource",
    "Clause",
    "ClauseCategory",
    "Country",
    "Person",
    "PersonName",
    "Signatory",
    "Source",
    "StatusEvent",
    "StatusPeriod",
]
