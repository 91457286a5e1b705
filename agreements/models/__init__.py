from .agreements import Agreement, AgreementRelation, AgreementSource
from .bodies import Body, BodyName
from .categories import ClauseCategory
from .changes import ChangeEvent, ChangeEventCategory
from .children import Clause, Commitment, ImplementationEvent, Participant, StatusEvent, StatusPeriod
from .countries import Country
from .dataversion import DataVersion
from .merges import MergedRecord
from .people import Person, PersonName
from .sources import Source
from .watches import Digest, Reader, Watch
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "Agreement",
    "AgreementRelation",
    "AgreementSource",
    "Body",
    "BodyName",
    "ChangeEvent",
    "ChangeEventCategory",
    "Clause",
    "ClauseCategory",
    "Commitment",
    "Country",
    "DataVersion",
    "Digest",
    "ImplementationEvent",
    "MergedRecord",
    "Participant",
    "Person",
    "PersonName",
    "Reader",
    "Source",
    "StatusEvent",
    "StatusPeriod",
    "Watch",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
