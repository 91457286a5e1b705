"""The closed vocabularies of the domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    TREATY = "treaty", _("Treaty")
    AGREEMENT = "agreement", _("Agreement")
    MEMORANDUM = "memorandum", _("Memorandum of understanding")
    PROTOCOL = "protocol", _("Protocol")
    EXCHANGE_OF_NOTES = "exchange_of_notes", _("Exchange of notes")
    JOINT_DECLARATION = "joint_declaration", _("Joint declaration")
    OTHER = "other", _("Other")


class Evidence(models.TextChoices):
    """How strong the evidence for the agreement's content is."""

    OFFICIAL_TEXT = "official_text", _("Official text")
    OFFICIAL_STATEMENT = "official_statement", _("Official statement")
    NEWS_REPORTS = "news_reports", _("News reports only")


class EventType(models.TextChoices):
    """What can happen to an agreement; a ``StatusEvent`` records one of these.

    The list follows the treaty-law vocabulary of the Vienna Convention and the UN
    Treaty Collection: an agreement is signed (after negotiation and sometimes
    initialling), each party expresses consent (ratification or approval), it enters
    into force or is applied provisionally, and it may be suspended, resumed,
    terminated, expire, be withdrawn from by a party, or be superseded.
    """

    NEGOTIATING = "negotiating", _("Negotiating")
    INITIALLED = "initialled", _("Initialled")
    SIGNED = "signed", _("Signed")
    RATIFIED = "ratified", _("Ratified")
    APPROVED = "approved", _("Approved")
    PROVISIONALLY_APPLIED = "provisionally_applied", _("Provisionally applied")
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    TERMINATED = "terminated", _("Terminated")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


class Status(models.TextChoices):
    """Where an agreement stands, derived from its events (see ``lifecycle``).

    Approval counts as ratification, and a resumption returns the agreement to the
    state it was suspended from, so neither is a status of its own.
    """

    NEGOTIATING = "negotiating", _("Negotiating")
    INITIALLED = "initialled", _("Initialled")
    SIGNED = "signed", _("Signed")
    RATIFIED = "ratified", _("Ratified, not yet in force")
    PROVISIONALLY_APPLIED = "provisionally_applied", _("Provisionally applied")
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


ENDED_STATUSES = frozenset({Status.TERMINATED, Status.EXPIRED, Status.WITHDRAWN, Status.SUPERSEDED})


class NameKind(models.TextChoices):
    TRANSLITERATION = "transliteration", _("Transliteration")
    SPELLING = "spelling", _("Alternative spelling")
    FORMER = "former", _("Former name")
    NATIVE = "native", _("Name in original script")


class RelationKind(models.TextChoices):
    AMENDS = "amends", _("Amends")
    SUPERSEDES = "supersedes", _("Supersedes")
    IMPLEMENTS = "implements", _("Implements")
    EXTENDS = "extends", _("Extends")
    RENEWS = "renews", _("Renews")
