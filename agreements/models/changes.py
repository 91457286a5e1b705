"""What changed, written once in the same transaction as the change: the outbox.

Feeds, e-mail digests and webhooks all read these rows; none of them looks at the
agreements' tables to guess what happened. Rows are only ever added (the id orders them),
and each names the pair, the countries, the categories and the agreement it concerns.
"""

from django.conf import settings
from django.db import models

from ..querysets import ChangeEventQuerySet


class ChangeKind(models.TextChoices):
    AGREEMENT_ADDED = "agreement_added", "Agreement added"
    STATUS_CHANGED = "status_changed", "Status changed"
    PARTICIPANT_ADDED = "participant_added", "Participant added"
    PARTICIPANT_CHANGED = "participant_changed", "Participant changed"
    CLAUSE_ADDED = "clause_added", "Clause added"
    CLAUSE_CHANGED = "clause_changed", "Clause changed"
    COMMITMENT_ADDED = "commitment_added", "Commitment added"
    COMMITMENT_CHANGED = "commitment_changed", "Commitment changed"
    COMMITMENT_DUE_SOON = "commitment_due_soon", "Commitment falling due"
    COMMITMENT_OVERDUE = "commitment_overdue", "Commitment overdue"
    FACT_CORRECTED = "fact_corrected", "Fact corrected"
    AGREEMENT_DELETED = "agreement_deleted", "Agreement deleted"
    AGREEMENT_RESTORED = "agreement_restored", "Agreement restored"


class ChangeEvent(models.Model):
    """One thing that happened to an agreement, as readers and programs are told of it."""

    kind = models.CharField(max_length=24, choices=ChangeKind.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    agreement_id = models.BigIntegerField(help_text="The agreement (which may since have been deleted).")
    title = models.CharField(max_length=500, help_text="The agreement's title when it happened.")
    party_a = models.CharField(max_length=4)
    party_b = models.CharField(max_length=4)
    categories = models.JSONField(default=list, help_text="Slugs of the categories its clauses cover.")
    summary = models.TextField(help_text="What changed, in words: old → new.")
    details = models.JSONField(default=dict, help_text="What changed, for programs.")
    history_id = models.BigIntegerField(null=True, blank=True, help_text="The agreement's history record.")
    interface = models.CharField(max_length=32, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Alerts made by a schedule (a commitment falling due) are made once: this key says which.
    once_key = models.CharField(max_length=120, null=True, blank=True)

    objects = ChangeEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["party_a", "party_b", "id"], name="change_event_pair"),
            models.Index(fields=["party_b", "id"], name="change_event_party_b"),
            models.Index(fields=["kind", "id"], name="change_event_kind"),
            models.Index(fields=["agreement_id", "id"], name="change_event_agreement"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["once_key"],
                condition=models.Q(once_key__isnull=False),
                name="change_event_once",
                violation_error_message="This alert was already made.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ChangeKind.values),
                name="change_event_kind_valid",
                violation_error_message="Choose a kind of change from the list.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class ChangeEventCategory(models.Model):
    """One category an event's agreement covered, so that a feed or a digest for a category
    is an index range, on every engine (``categories`` holds the same slugs for programs)."""

    event = models.ForeignKey(ChangeEvent, on_delete=models.CASCADE, related_name="category_tags")
    slug = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["slug", "event"], name="change_event_category")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slug"],
                name="change_event_category_once",
                violation_error_message="The change already has this category.",
            )
        ]

    def __str__(self) -> str:
        return self.slug
