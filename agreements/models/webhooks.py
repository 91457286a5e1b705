"""Webhooks: programs told of each change, signed, in order (issue 18).

A ``WebhookSubscription`` is one program's address, what it wants to hear of (pairs,
countries, categories, kinds of change) and the secret its deliveries are signed with. Its
``cursor`` is the outbox id (``ChangeEvent.id``) up to which every event was looked at: the worker copies
the matching events after it into the subscription's queue of ``WebhookDelivery`` rows,
which are sent in the queue's order (the order the events were committed), one at a time.
Each try is a ``WebhookAttempt``: the delivery log its owner reads in the admin.
"""

import uuid

from django.conf import settings
from django.db import models


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused by its owner"
    FAILING = "failing", "Failing (deliveries stopped; see why)"


class WebhookSubscription(models.Model):
    """One program to tell of changes: where, what about, and the secret that signs it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    target_url = models.URLField(
        "target URL", max_length=2000, help_text="Where events are POSTed: https (http only on loopback)."
    )
    description = models.CharField(max_length=200, blank=True)
    # The secret must be kept as it was given: an HMAC is made with the secret itself.
    secret = models.CharField(max_length=200, help_text="Signs each body (X-Signature-256).")
    # The filter. Empty lists mean "any"; pairs, countries and categories add up (an event
    # about any of them is sent), kinds narrow what they let through.
    pairs = models.JSONField(default=list, blank=True, help_text='Pairs as "IQ-IR".')
    countries = models.JSONField(default=list, blank=True, help_text="Country codes.")
    categories = models.JSONField(default=list, blank=True, help_text="Category slugs.")
    kinds = models.JSONField(default=list, blank=True, help_text="Kinds of change.")
    state = models.CharField(
        max_length=8, choices=SubscriptionState.choices, default=SubscriptionState.ACTIVE
    )
    failing_reason = models.TextField(blank=True, help_text="Why deliveries stopped.")
    failing_since = models.DateTimeField(null=True, blank=True)
    cursor = models.BigIntegerField(default=0, help_text="The last outbox id already looked at.")
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="The oldest undelivered event waits until then (back-off)."
    )
    # A worker sending this subscription's queue holds it until ``leased_until``; the order of
    # its deliveries needs one sender at a time. A released lease keeps its time: when it was
    # last served, which the workers use to take turns.
    leased_by = models.CharField(max_length=64, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "webhook"
        indexes = [models.Index(fields=["state", "leased_until"], name="webhook_to_serve")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=SubscriptionState.values),
                name="webhook_state_valid",
                violation_error_message="Choose the state of the webhook from the list.",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=SubscriptionState.FAILING)
                | (~models.Q(failing_reason="") & models.Q(failing_since__isnull=False)),
                name="webhook_failing_says_why",
                violation_error_message="A failing webhook says why and since when.",
            ),
            models.CheckConstraint(
                condition=models.Q(target_url__startswith="https://")
                | models.Q(target_url__startswith="http://"),
                name="webhook_target_is_web_address",
                violation_error_message="The target must be an http or https address.",
            ),
            models.CheckConstraint(
                condition=~models.Q(secret=""),
                name="webhook_secret_required",
                violation_error_message="A webhook needs a secret to sign its deliveries.",
            ),
            models.CheckConstraint(
                condition=models.Q(cursor__gte=0),
                name="webhook_cursor_not_negative",
                violation_error_message="The last change looked at cannot be below zero.",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.target_url


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"


class WebhookDelivery(models.Model):
    """One event to tell one subscription, in the queue's order (``id``); ``delivery_id`` is
    the receiver's idempotency key, the same on every try."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("ChangeEvent", on_delete=models.CASCADE, related_name="+")
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    first_failed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subscription", "id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["subscription", "state", "id"], name="webhook_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"],
                name="webhook_delivery_once",
                violation_error_message="This change is already queued for this webhook.",
            ),
            models.CheckConstraint(
                condition=models.Q(state=DeliveryState.PENDING, delivered_at__isnull=True)
                | models.Q(state=DeliveryState.DELIVERED, delivered_at__isnull=False),
                name="webhook_delivery_state_and_time",
                violation_error_message="A delivered change has its time, and only a delivered one.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.delivery_id)


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", "Delivered (2xx)"
    REFUSED = "refused", "Answered without a 2xx"
    TIMEOUT = "timeout", "Timed out"
    UNREACHABLE = "unreachable", "Could not connect"


class WebhookAttempt(models.Model):
    """One try at a delivery: the delivery log."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="log")
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField(help_text="1 for the first try.")
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["subscription", "-id"], name="webhook_log")]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"],
                name="webhook_attempt_once",
                violation_error_message="This try of the delivery is already logged.",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="webhook_attempt_number_positive",
                violation_error_message="Tries are counted from one.",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=AttemptOutcome.values),
                name="webhook_attempt_outcome_valid",
                violation_error_message="Choose the outcome of the try from the list.",
            ),
            models.CheckConstraint(
                condition=models.Q(response_code__isnull=True)
                | models.Q(response_code__gte=100, response_code__lte=599),
                name="webhook_attempt_response_code_http",
                violation_error_message="A response code is an HTTP status, 100 to 599.",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome=AttemptOutcome.DELIVERED)
                | models.Q(response_code__gte=200, response_code__lte=299),
                name="webhook_attempt_delivered_is_2xx",
                violation_error_message="Only a 2xx answer acknowledges a delivery.",
            ),
        ]

    def __str__(self) -> str:
        return f"try {self.number}: {self.get_outcome_display()}"
