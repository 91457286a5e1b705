"""The parts of an agreement: who signed it, what it says, and what happened to it."""

from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import CommitmentState, EventType, ImplementationKind, ParticipantRole, Status
from ..dates import DatePrecision, PartialDate, format_partial_date, optional_precision_check, precision_check
from ..history import HistoryInterface

UNNAMED_NEEDS_DESCRIPTION = (
    "Name the person, or describe them when the sources do not "
    "(e.g. “Iraqi counterpart, not named in the sources”)."
)


class Participant(models.Model):
    """Someone who took part in an agreement for one of its two parties, in one role.

    Those who signed are its signatories. The person may be unknown to the sources ("his
    Iraqi counterpart"): then ``description`` says who it was, and the row still records the
    party, the role, the body and the source.
    """

    agreement = models.ForeignKey("Agreement", on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=12, choices=ParticipantRole.choices, default=ParticipantRole.SIGNED)
    person = models.ForeignKey(
        "Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        help_text="Empty when the sources do not name the person; then describe them.",
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who it was when not named, e.g. “Iraqi counterpart, not named in the sources”.",
    )
    party = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The party the person acted for; one of the agreement's two.",
    )
    body = models.ForeignKey(
        "Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        help_text="The ministry, force, council or agency the person acted for, if the sources say.",
    )
    office = models.CharField(
        max_length=200, blank=True, help_text="Office held at the time, e.g. Minister of Defence."
    )
    rank = models.CharField(
        max_length=100, blank=True, help_text="Rank held at the time, e.g. Brigadier General."
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="e.g. where the sources disagree on the office or rank."
    )
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, null=True, blank=True, related_name="participants"
    )

    history = HistoricalRecords(bases=[HistoryInterface])

    class Meta:
        ordering = ["party_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "person", "role"],
                condition=models.Q(person__isnull=False),
                name="participant_once_per_role",
                violation_error_message="This person is already listed in this role.",
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(description=""),
                name="participant_named_or_described",
                violation_error_message=UNNAMED_NEEDS_DESCRIPTION,
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=ParticipantRole.values),
                name="participant_role_valid",
                violation_error_message=(
                    "Choose a role from the list: signed, initialled, witnessed, negotiated or attended."
                ),
            ),
        ]

    def __str__(self) -> str:
        # Shown above each row of the admin's inline, which selects both relations.
        who = self.person if self.person_id else (self.description or "not named")
        return f"{who} ({self.get_role_display().lower()}) for {self.party}"

    @property
    def is_named(self) -> bool:
        return self.person_id is not None


class Clause(models.Model):
    """A provision of an agreement, tagged with the categories it covers."""

    agreement = models.ForeignKey("Agreement", on_delete=models.CASCADE, related_name="clauses")
    position = models.PositiveSmallIntegerField(help_text="Order within the agreement, from 1.")
    article = models.CharField(max_length=50, blank=True, help_text="Article reference, e.g. Art. 3(2).")
    text = models.TextField(help_text="The clause's text, or a summary when the text is not public.")
    categories = models.ManyToManyField("ClauseCategory", related_name="clauses")
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, null=True, blank=True, related_name="clauses"
    )

    history = HistoricalRecords(bases=[HistoryInterface], m2m_fields=["categories"])

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "position"],
                name="clause_position_unique",
                violation_error_message="Another clause of this agreement has this position.",
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1),
                name="clause_position_positive",
                violation_error_message="Clause positions start at 1.",
            ),
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="clause_text_required",
                violation_error_message="A clause needs its text or a summary.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class StatusEvent(models.Model):
    """Something that happened to an agreement on a (possibly partial) date."""

    agreement = models.ForeignKey("Agreement", on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=24, choices=EventType.choices)
    date = models.DateField(help_text="For a month or a year, the first day of that period.")
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    date_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="How the date was derived, e.g. “'on Sunday' in a report published 2017-07-24”.",
    )
    party = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="acting party",
        help_text="The party that acted (e.g. ratified); empty when the event concerns both.",
    )
    note = models.TextField(blank=True)
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )

    history = HistoricalRecords(bases=[HistoryInterface])

    class Meta:
        ordering = ["date", "id"]
        verbose_name = "status event"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EventType.values),
                name="status_event_status_valid",
                violation_error_message="Choose an event from the list.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_precision__in=DatePrecision.values)
                & precision_check("date", "date_precision"),
                name="status_event_date_precision",
                violation_error_message=(
                    "The date and its precision go together: a month or a year is stored as its first day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.date_display}"

    @property
    def partial_date(self) -> PartialDate:
        return PartialDate(self.date, self.date_precision)

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)


class StatusPeriod(models.Model):
    """How long an agreement held one status; derived from its events, never edited.

    These rows let the reports ask "what was in force on 1 March 2018?" in the database.
    ``end`` is exclusive; an open period has no end.
    """

    agreement = models.ForeignKey("Agreement", on_delete=models.CASCADE, related_name="periods")
    status = models.CharField(max_length=24, choices=Status.choices)
    start = models.DateField()
    start_precision = models.CharField(max_length=5, choices=DatePrecision.choices)
    end = models.DateField(null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["status", "start", "end"], name="status_period_span")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="status_period_ends_after_start",
                violation_error_message="A status period ends after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="status_period_status_valid",
                violation_error_message="A status period holds one of the statuses.",
            ),
            models.CheckConstraint(
                condition=models.Q(start_precision__in=DatePrecision.values)
                & precision_check("start", "start_precision"),
                name="status_period_start_precision",
                violation_error_message="A period's start and its precision go together.",
            ),
            models.CheckConstraint(
                condition=optional_precision_check("end"),
                name="status_period_end_precision",
                violation_error_message="A period's end and its precision go together.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {format_partial_date(self.start, self.start_precision)}"


class Commitment(models.Model):
    """What a party (or both) undertook by an agreement, perhaps by a date.

    ``state`` and ``due_current`` (the due date after extensions) are derived from the
    implementation events by ``commitments.derive_commitment`` and never edited directly.
    """

    agreement = models.ForeignKey("Agreement", on_delete=models.CASCADE, related_name="commitments")
    position = models.PositiveSmallIntegerField(help_text="Order within the agreement, from 1.")
    party = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The party that undertook it; empty when both did.",
    )
    text = models.TextField(help_text="What was undertaken, in the sources' words or a summary.")
    clauses = models.ManyToManyField(
        "Clause", blank=True, related_name="commitments", help_text="The clauses it comes from."
    )
    due_on = models.DateField(null=True, blank=True, help_text="For a month or a year, its first day.")
    due_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    due_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="How the due date was derived, e.g. “within six months of signature”.",
    )
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    state = models.CharField(
        max_length=12, choices=CommitmentState.choices, default=CommitmentState.OPEN, editable=False
    )
    due_current = models.DateField(null=True, blank=True, editable=False, db_index=True)
    due_current_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, editable=False
    )

    history = HistoricalRecords(bases=[HistoryInterface], m2m_fields=["clauses"])

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "position"],
                name="commitment_position_unique",
                violation_error_message="Another commitment of this agreement has this position.",
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1),
                name="commitment_position_positive",
                violation_error_message="Commitment positions start at 1.",
            ),
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="commitment_text_required",
                violation_error_message="Say what was undertaken.",
            ),
            models.CheckConstraint(
                condition=optional_precision_check("due_on"),
                name="commitment_due_precision",
                violation_error_message=(
                    "The due date and its precision go together: a month or a year is stored as its first "
                    "day."
                ),
            ),
            models.CheckConstraint(
                condition=optional_precision_check("due_current"),
                name="commitment_due_current_precision",
                violation_error_message="The due date in effect and its precision go together.",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=CommitmentState.values),
                name="commitment_state_valid",
                violation_error_message="A commitment's state is derived from its implementation events.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"

    @property
    def due(self) -> PartialDate | None:
        return PartialDate(self.due_on, self.due_on_precision) if self.due_on else None

    @property
    def due_display(self) -> str:
        return format_partial_date(self.due_current, self.due_current_precision)


class ImplementationEvent(models.Model):
    """What a later, sourced report says of a commitment: progress, met, unmet, an extension, superseded."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=ImplementationKind.choices)
    date = models.DateField(help_text="For a month or a year, the first day of that period.")
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    new_due_on = models.DateField(
        null=True, blank=True, help_text="For an extension: the new due date (first day of its period)."
    )
    new_due_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    note = models.TextField(blank=True)
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, null=True, blank=True, related_name="implementation_events"
    )

    history = HistoricalRecords(bases=[HistoryInterface])

    class Meta:
        ordering = ["date", "id"]
        verbose_name = "implementation event"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ImplementationKind.values),
                name="implementation_kind_valid",
                violation_error_message=(
                    "Choose what the report says from the list: progress, met, unmet, extended or superseded."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(date_precision__in=DatePrecision.values)
                & precision_check("date", "date_precision"),
                name="implementation_date_precision",
                violation_error_message=(
                    "The date and its precision go together: a month or a year is stored as its first day."
                ),
            ),
            models.CheckConstraint(
                condition=optional_precision_check("new_due_on"),
                name="implementation_new_due_precision",
                violation_error_message=(
                    "The new due date and its precision go together: "
                    "a month or a year is stored as its first day."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(kind=ImplementationKind.EXTENDED, new_due_on__isnull=False)
                | (~models.Q(kind=ImplementationKind.EXTENDED) & models.Q(new_due_on__isnull=True)),
                name="implementation_extension_has_new_due",
                violation_error_message="An extension, and only an extension, has a new due date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_partial_date(self.date, self.date_precision)}"

    @property
    def partial_date(self) -> PartialDate:
        return PartialDate(self.date, self.date_precision)

    @property
    def new_due(self) -> PartialDate | None:
        return PartialDate(self.new_due_on, self.new_due_on_precision) if self.new_due_on else None
