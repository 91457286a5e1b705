"""What readers follow, and the e-mail digests that tell them what changed.

A ``Watch`` is one pair, one country or one category a user follows. A ``Reader`` holds the
user's digest settings and the last change already told to them (the cursor into the
outbox, ``ChangeEvent.id``). A ``Digest`` is one e-mail: which changes it told, and
whether it went out — the record that keeps a digest from being sent twice.
"""

from django.conf import settings
from django.db import models

from ..pairs import SAME_PARTIES, NamedPair, named_pair


class DigestPeriod(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    NEVER = "never", "No e-mail"


class Watch(models.Model):
    """One pair (``party_a`` < ``party_b``, as agreements store them), country or category."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    party_a = models.ForeignKey(
        "Country", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="party A"
    )
    party_b = models.ForeignKey(
        "Country", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="party B"
    )
    country = models.ForeignKey("Country", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "ClauseCategory", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "watches"  # Django's own plural would read "Watchs" in the admin
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        party_a__isnull=False,
                        party_b__isnull=False,
                        country__isnull=True,
                        category__isnull=True,
                    )
                    | models.Q(
                        party_a__isnull=True,
                        party_b__isnull=True,
                        country__isnull=False,
                        category__isnull=True,
                    )
                    | models.Q(
                        party_a__isnull=True,
                        party_b__isnull=True,
                        country__isnull=True,
                        category__isnull=False,
                    )
                ),
                name="watch_one_thing",
                violation_error_message="Watch one pair, one country or one category.",
            ),
            models.CheckConstraint(
                condition=models.Q(party_a__isnull=True) | models.Q(party_a__lt=models.F("party_b")),
                name="watch_pair_distinct_and_ordered",
                violation_error_message=SAME_PARTIES,
            ),
            models.UniqueConstraint(
                fields=["user", "party_a", "party_b"],
                condition=models.Q(party_a__isnull=False),
                name="watch_pair_once",
                violation_error_message="You already watch this pair.",
            ),
            models.UniqueConstraint(
                fields=["user", "country"],
                condition=models.Q(country__isnull=False),
                name="watch_country_once",
                violation_error_message="You already watch this country.",
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=models.Q(category__isnull=False),
                name="watch_category_once",
                violation_error_message="You already watch this category.",
            ),
        ]

    def __str__(self) -> str:
        if self.party_a_id:
            return f"{self.party_a_id}–{self.party_b_id}"
        return str(self.country_id or self.category)

    @property
    def pair(self) -> NamedPair | None:
        """The watched pair as people read it (and as its page and feed are addressed: IR-IQ)."""
        if not self.party_a_id:
            return None
        a, b = self.party_a, self.party_b
        return named_pair((a.code, a.name), (b.code, b.name))

    @property
    def label(self) -> str:
        """In words: "Iran and Iraq", "Iraq", "the category “Border security”"."""
        if self.party_a_id:
            return self.pair.name
        if self.country_id:
            return self.country.name
        return f"the category “{self.category.name}”"


class Reader(models.Model):
    """A user's digest settings, and the last change already told to them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader")
    period = models.CharField(
        max_length=8,
        choices=DigestPeriod.choices,
        default=DigestPeriod.DAILY,
        help_text="How often the changes to what you watch are e-mailed to you.",
    )
    told_up_to = models.BigIntegerField(
        default=0, help_text="The last change (outbox id) a digest has told; later ones come next."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period__in=DigestPeriod.values),
                name="reader_period_valid",
                violation_error_message="Choose how often from the list.",
            ),
            models.CheckConstraint(
                condition=models.Q(told_up_to__gte=0),
                name="reader_cursor_not_negative",
                violation_error_message="The last change told cannot be below zero.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_period_display()})"


class DigestState(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (its changes go in the next digest)"


class Digest(models.Model):
    """One digest e-mail: the changes it tells (``after`` < id ≤ ``up_to``) and its fate.

    Written, with the reader's cursor moved past its changes, before the e-mail is sent. A
    digest left ``sending`` (the run stopped while sending) is never sent again: the mail
    may have gone. One that failed to send gives its changes back to the next digest.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=8, choices=DigestPeriod.choices)
    after = models.BigIntegerField()
    up_to = models.BigIntegerField()
    changes = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=DigestState.choices, default=DigestState.SENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(up_to__gt=models.F("after")),
                name="digest_tells_changes",
                violation_error_message="A digest tells at least one change.",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=DigestState.values),
                name="digest_state_valid",
                violation_error_message="Choose the state of the digest from the list.",
            ),
            # The same changes are never told twice to one reader (a digest that failed to
            # send gives them back, to be told by the next one).
            models.UniqueConstraint(
                fields=["user", "up_to"],
                condition=~models.Q(state="failed"),
                name="digest_once",
                violation_error_message="These changes were already told to this reader.",
            ),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user} ({self.changes} changes, {self.get_state_display().lower()})"
