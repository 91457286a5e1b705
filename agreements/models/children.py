"""The parts of an agreement: who signed it, what it says, and what happened to it."""

from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import EventType, Status
from ..dates import DatePrecision, PartialDate, format_partial_date, optional_precision_check, precision_check
from ..history import HistoryInterface


class Signatory(models.Model):
    """A person who signed an agreement for one of its two parties."""

    agreement = models.ForeignKey("Agreement", on_delete=models.CASCADE, related_name="signatories")
    person = models.ForeignKey("Person", on_delete=models.PROTECT, related_name="signatures")
    party = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The party the person signed for; one of the agreement's two.",
    )
    office = models.CharField(
        max_length=200, blank=True, help_text="Office held at signature, e.g. Minister of Defence."
    )
    rank = models.CharField(
        max_length=100, blank=True, help_text="Rank held at signature, e.g. Brigadier General."
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="e.g. where the sources disagree on the office or rank."
    )
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, null=True, blank=True, related_name="signatories"
    )

    history = HistoricalRecords(bases=[HistoryInterface])

    class Meta:
        ordering = ["party_id", "id"]
        verbose_name_plural = "signatories"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "person"],
                name="signatory_once_per_agreement",
                violation_error_message="This person already signed this agreement.",
            ),
        ]

    def __str__(self) -> str:
        # Shown above each row of the admin's inline, which selects both relations.
        return f"{self.person} for {self.party}"


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
            models.CheckConstraint(condition=models.Q(position__gte=1), name="clause_position_positive"),
            models.CheckConstraint(condition=~models.Q(text=""), name="clause_text_required"),
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
                condition=models.Q(status__in=EventType.values), name="status_event_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(date_precision__in=DatePrecision.values)
                & precision_check("date", "date_precision"),
                name="status_event_date_precision",
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
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="status_period_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(start_precision__in=DatePrecision.values)
                & precision_check("start", "start_precision"),
                name="status_period_start_precision",
            ),
            models.CheckConstraint(
                condition=optional_precision_check("end"), name="status_period_end_precision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {format_partial_date(self.start, self.start_precision)}"
