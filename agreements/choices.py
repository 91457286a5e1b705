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


class ParticipantRole(models.TextChoices):
    """What a person (or an unnamed official) did for an agreement, in the vocabulary of treaty practice.

    Signing binds (or, for a memorandum, commits) the party; initialling authenticates an
    agreed text before signature; a witness signs or attends "in the presence of" without
    acting for a party's consent; heads of delegation negotiate the text; others attend.
    "Signatories" are the participants who signed.
    """

    SIGNED = "signed", _("Signed")
    INITIALLED = "initialled", _("Initialled")
    WITNESSED = "witnessed", _("Witnessed (in the presence of)")
    NEGOTIATED = "negotiated", _("Negotiated (head of delegation)")
    ATTENDED = "attended", _("Attended")


class BodyKind(models.TextChoices):
    """What kind of organisation acts for a party (the Popolo "organization" of a state)."""

    GOVERNMENT = "government", _("Government (head of state or government, cabinet)")
    MINISTRY = "ministry", _("Ministry or department")
    ARMED_FORCE = "armed_force", _("Armed or security force")
    SECURITY_COUNCIL = "security_council", _("Security council")
    AGENCY = "agency", _("Agency")
    REGIONAL_GOVERNMENT = "regional_government", _("Regional or local government")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    """Who the two sides of an agreement are.

    ``state`` and ``government`` are both *state-level*: a ministry or an agency commits its
    state. ``sub_national`` is an arrangement of bodies below the state (a province's border
    force, a governorate, an autonomous region) on one side or both; reports count it
    separately, never as an agreement between the two states.
    """

    STATE = "state", _("Between states")
    GOVERNMENT = "government", _("Between governments, ministries or agencies")
    SUB_NATIONAL = "sub_national", _("Sub-national (one or both sides below the state)")


STATE_LEVELS = (Level.STATE, Level.GOVERNMENT)


class LevelScope(models.TextChoices):
    """Which levels a report or a list counts; reports count state-level agreements unless asked."""

    STATE_LEVEL = "state_level", _("State-level (between states, governments, ministries or agencies)")
    SUB_NATIONAL = "sub_national", _("Sub-national only")
    ALL = "all", _("All levels")


# A level parameter's values: a scope or one level, each once (``sub_national`` is both; a repeated
# value made the schema's enum invalid).
LEVEL_OR_SCOPE_CHOICES = [
    *LevelScope.choices,
    *((value, label) for value, label in Level.choices if value not in LevelScope.values),
]

LEVEL_NOTE = (
    "Counts state-level agreements (between states, or between their governments, ministries or "
    "agencies) unless level says otherwise; sub-national arrangements (one or both sides below the "
    "state) are counted only with level=sub_national or level=all."
)


def levels_of(scope: str) -> tuple[str, ...] | None:
    """The ``Level`` values a scope (a ``LevelScope`` or one ``Level``) covers; ``None`` for every level."""
    if scope == LevelScope.ALL:
        return None
    if scope == LevelScope.STATE_LEVEL:
        return tuple(STATE_LEVELS)
    return (Level(scope).value,)


class Disclosure(models.TextChoices):
    """Whether the agreement's text is public: an official refusal to publish is a fact, not a gap."""

    PUBLISHED = "published", _("Published")
    WITHHELD = "withheld", _("Withheld (officially not disclosed)")
    UNKNOWN = "unknown", _("Unknown (not found or not looked for)")


class ImplementationKind(models.TextChoices):
    """What a later report says of a commitment."""

    PROGRESS = "progress", _("Progress reported")
    MET = "met", _("Confirmed met")
    UNMET = "unmet", _("Reported unmet or breached")
    EXTENDED = "extended", _("Deadline extended")
    SUPERSEDED = "superseded", _("Superseded")


class CommitmentState(models.TextChoices):
    """Where a commitment stands, derived from its implementation events (``commitments``)."""

    OPEN = "open", _("Open (nothing reported yet)")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    UNMET = "unmet", _("Unmet or breached")
    SUPERSEDED = "superseded", _("Superseded")
