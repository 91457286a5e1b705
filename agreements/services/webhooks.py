"""Webhook subscriptions, and the bookkeeping of their deliveries (issue 18).

Subscriptions: ``webhook_create``, ``webhook_update``, ``webhook_delete`` — the API and the
admin write through them; the target must be https unless it is on loopback, and every
filter value is checked under its path (``pairs[1]``, ``kinds[0]``).

Deliveries, as ``deliver_webhooks`` runs them:

1. ``webhook_claim`` takes one subscription that has work, for one worker, with
   ``SELECT … FOR UPDATE SKIP LOCKED`` (two workers never take the same one) and a lease
   (only the holder sends its queue, so its events go out in order). In the same
   transaction it copies the new outbox events its filter matches into its queue, in the
   order they became visible (``_queue_new_events``).
2. The worker sends the claimed deliveries one by one, in the queue's order, and records
   the results: acknowledged ones a few at a time (``webhook_record_delivered``, one
   transaction for up to a fraction of a second of them), a failure at once
   (``webhook_record``): tried again later with exponential back-off and jitter — and,
   after the retry window, the subscription is marked failing, with the reason its owner
   reads in the admin. Nothing more is sent for the subscription after a failure.
3. ``webhook_release`` gives the subscription back.

Nothing is marked delivered before the receiver acknowledged it (a 2xx), and a delivered
event is never sent again: an event is sent twice only when its first answer was not a
2xx, or never reached us, or the worker process died between the answer and its record
(then the receiver sees the same ``X-Webhook-Delivery`` id again: that is what it is for).
Losing the database is not such a case: the worker keeps the answers and records them when
the database is back.
"""

from __future__ import annotations

import datetime
import ipaddress
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q

from ..models import (
    ChangeEvent,
    ClauseCategory,
    Country,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from ..models.changes import ChangeKind
from ..models.webhooks import AttemptOutcome, DeliveryState, SubscriptionState
from ..pairs import canonical_pair, same_parties_problem
from .base import Errors

SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 200
FILTER_MAX_VALUES = 200
# Events copied into a queue per claim, and deliveries sent per claim: a worker gives the
# subscription back after this many, so that the others take turns.
FANOUT_BATCH = 1000
SEND_BATCH = 500
OWNER_STATES = (SubscriptionState.ACTIVE, SubscriptionState.PAUSED)


@dataclass(frozen=True)
class WebhookIn:
    """What a subscription says; ``secret`` None keeps the one it has (a new one gets one made).
    An owner sets ``state`` active or paused; failing is the worker's to set."""

    target_url: str
    description: str = ""
    pairs: Sequence[str] = ()
    countries: Sequence[str] = ()
    categories: Sequence[str] = ()
    kinds: Sequence[str] = ()
    state: str | None = None  # None: as it is (a new one starts active)
    secret: str | None = None


def loopback(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost``, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def target_problem(url: str) -> str | None:
    """Why ``url`` cannot receive webhooks, or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 — a port out of range raises here
    except ValueError:
        return "Enter a valid URL."
    if parts.scheme not in ("http", "https") or not host:
        return "Enter an http or https URL with a host."
    if parts.username or parts.password:
        return "Leave credentials out of the URL: the signature authenticates the sender."
    if parts.scheme != "https" and not loopback(host):
        return "Use https: only a loopback address (localhost, 127.0.0.1, ::1) may use http."
    if len(url) > 2000:
        return "Keep the URL under 2,000 characters."
    return None


def _values(errors: Errors, name: str, values: Sequence[str]) -> list[str]:
    """The filter list ``values`` as stripped strings; problems under ``name[i]``."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        errors.add(name, "Give a list.")
        return []
    if len(values) > FILTER_MAX_VALUES:
        errors.add(name, f"Give at most {FILTER_MAX_VALUES} values.")
        return []
    kept = []
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            errors.add(f"{name}[{index}]", "Give a non-empty text.")
        else:
            kept.append(value.strip())
    return kept if len(kept) == len(values) else []


def _filters(data: WebhookIn, errors: Errors) -> dict[str, list[str]]:
    """The filter in its stored form (pairs in order, codes upper-case), each value checked."""
    pairs, countries = [], []
    codes = {}
    raw_pairs = _values(errors, "pairs", data.pairs)
    raw_countries = _values(errors, "countries", data.countries)
    wanted = {code.upper() for pair in raw_pairs for code in pair.split("-")} | {
        code.upper() for code in raw_countries
    }
    if wanted:
        codes = Country.objects.in_bulk(list(wanted))
    for index, value in enumerate(raw_pairs):
        sides = [code.upper() for code in value.split("-")]
        if len(sides) != 2:
            errors.add(f"pairs[{index}]", f"Write a pair as two country codes, e.g. “IQ-IR”, not “{value}”.")
        elif unknown := [code for code in sides if code not in codes]:
            errors.add(f"pairs[{index}]", f"Unknown country code “{unknown[0]}”.")
        elif problem := same_parties_problem(*sides):
            errors.add(f"pairs[{index}]", problem)
        else:
            pairs.append("-".join(canonical_pair(*sides)))
    for index, value in enumerate(raw_countries):
        if value.upper() not in codes:
            errors.add(f"countries[{index}]", f"Unknown country code “{value}”.")
        else:
            countries.append(value.upper())
    categories = _values(errors, "categories", data.categories)
    known = set(ClauseCategory.objects.filter(slug__in=categories).values_list("slug", flat=True))
    for index, slug in enumerate(categories):
        if slug not in known:
            errors.add(f"categories[{index}]", f"There is no category “{slug}”.")
    kinds = _values(errors, "kinds", data.kinds)
    for index, kind in enumerate(kinds):
        if kind not in ChangeKind.values:
            errors.add(f"kinds[{index}]", f"Choose one of: {', '.join(ChangeKind.values)}.")
    unique = lambda values: list(dict.fromkeys(values))  # noqa: E731 — the order given, once each
    return {
        "pairs": unique(pairs),
        "countries": unique(countries),
        "categories": unique(categories),
        "kinds": unique(kinds),
    }


def _check(data: WebhookIn, errors: Errors, *, creating: bool) -> dict:
    values: dict = {}
    if not isinstance(data.target_url, str) or not data.target_url.strip():
        errors.add("target_url", "Give the URL events are sent to.")
    elif problem := target_problem(data.target_url.strip()):
        errors.add("target_url", problem)
    else:
        values["target_url"] = data.target_url.strip()
    if len(data.description or "") > 200:
        errors.add("description", "Keep the description under 200 characters.")
    values["description"] = (data.description or "").strip()
    if data.state is not None and data.state not in OWNER_STATES:
        errors.add("state", "Choose active or paused (a failing webhook is made active again by you).")
    elif data.state is not None or creating:
        values["state"] = data.state or SubscriptionState.ACTIVE
    if data.secret is not None:
        if (
            not SECRET_MIN_LENGTH <= len(data.secret) <= SECRET_MAX_LENGTH
            or data.secret.strip() != data.secret
        ):
            errors.add(
                "secret",
                f"A secret has {SECRET_MIN_LENGTH} to {SECRET_MAX_LENGTH} characters, "
                "without spaces at its ends.",
            )
        values["secret"] = data.secret
    elif creating:
        values["secret"] = secrets.token_urlsafe(32)
    values.update(_filters(data, errors))
    errors.raise_if_any()
    return values


def latest_event() -> int:
    return ChangeEvent.objects.aggregate(latest=Max("id"))["latest"] or 0


def webhook_create(*, owner: AbstractBaseUser, data: WebhookIn) -> WebhookSubscription:
    """A new subscription, told of the changes from now on (not the outbox's whole past)."""
    errors = Errors()
    values = _check(data, errors, creating=True)
    with transaction.atomic():
        return WebhookSubscription.objects.create(owner=owner, cursor=latest_event(), **values)


def webhook_update(*, subscription: WebhookSubscription, data: WebhookIn) -> WebhookSubscription:
    """Change a subscription. Setting a failing one ``active`` again resumes it with the
    event that failed (its queue is kept, nothing is lost while it was failing)."""
    errors = Errors()
    values = _check(data, errors, creating=False)
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        for name, value in values.items():
            setattr(locked, name, value)
        if values.get("state") == SubscriptionState.ACTIVE and locked.failing_since is not None:
            locked.failing_reason, locked.failing_since, locked.retry_at = "", None, None
            # A new day of tries: the window counts from the next failure, not the old one.
            pending = locked.deliveries.filter(state=DeliveryState.PENDING, first_failed_at__isnull=False)
            pending.update(first_failed_at=None)
        locked.save()
    return locked


def webhook_delete(*, subscription: WebhookSubscription) -> None:
    """The subscription, its queue and its log go (a worker sending it stops at its next record)."""
    WebhookSubscription.objects.filter(pk=subscription.pk).delete()


# Deliveries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed delivery is tried again, and when its subscription is given up on."""

    base: float = field(default_factory=lambda: settings.WEBHOOK_RETRY_BASE)
    cap: float = field(default_factory=lambda: settings.WEBHOOK_RETRY_CAP)
    window: float = field(default_factory=lambda: settings.WEBHOOK_RETRY_WINDOW)
    gap_settle: float = field(default_factory=lambda: settings.WEBHOOK_GAP_SETTLE)
    # The lease outlives a try (connect + read timeouts) several times over.
    lease: float = field(
        default_factory=lambda: max(
            60.0, 3 * (settings.WEBHOOK_CONNECT_TIMEOUT + settings.WEBHOOK_READ_TIMEOUT)
        )
    )
    jitter: Callable[[float, float], float] = random.uniform

    def delay(self, attempts: int) -> datetime.timedelta:
        """The wait after the ``attempts``-th failed try: doubling, capped, half of it random
        (so that receivers coming back are not hit by every worker at the same moment)."""
        full = min(self.base * 2 ** (attempts - 1), self.cap)
        return datetime.timedelta(seconds=self.jitter(full / 2, full))


@dataclass(frozen=True)
class Claim:
    subscription: WebhookSubscription
    deliveries: list[WebhookDelivery]  # with their events, in the queue's order
    queued: int  # events copied into the queue by this claim


@dataclass(frozen=True)
class AttemptResult:
    outcome: str
    started_at: datetime.datetime
    duration_ms: int
    response_code: int | None = None
    error: str = ""


def matches(subscription: WebhookSubscription, event: ChangeEvent) -> bool:
    """Whether the subscription's filter lets ``event`` through."""
    if subscription.kinds and event.kind not in subscription.kinds:
        return False
    if not (subscription.pairs or subscription.countries or subscription.categories):
        return True
    return (
        f"{event.party_a}-{event.party_b}" in subscription.pairs
        or event.party_a in subscription.countries
        or event.party_b in subscription.countries
        or any(slug in subscription.categories for slug in event.categories)
    )


def _due(now: datetime.datetime) -> Q:
    pending = WebhookDelivery.objects.filter(subscription=OuterRef("pk"), state=DeliveryState.PENDING)
    return Q(retry_at__isnull=True) | Q(retry_at__lte=now), Exists(pending)


def webhook_claim(
    *, worker: str, now: datetime.datetime, policy: RetryPolicy, skip: Sequence[int] = ()
) -> Claim | None:
    """One active subscription with work (new events, or deliveries due), leased to
    ``worker`` with its due deliveries; None when there is none (or the others hold them)."""
    latest = latest_event()
    due_time, pending = _due(now)
    with transaction.atomic():
        candidates = (
            WebhookSubscription.objects.filter(state=SubscriptionState.ACTIVE)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
            .filter(Q(cursor__lt=latest) | (due_time & pending))
            .exclude(pk__in=list(skip))
            .order_by(F("leased_until").asc(nulls_first=True), "pk")
        )
        skip_locked = connection.features.has_select_for_update_skip_locked  # SQLite: one writer
        subscription = candidates.select_for_update(skip_locked=skip_locked)[:1].first()
        if subscription is None:
            return None
        queued = _queue_new_events(subscription, now, policy)
        subscription.leased_by = worker
        subscription.leased_until = now + datetime.timedelta(seconds=policy.lease)
        subscription.save(update_fields=["cursor", "leased_by", "leased_until"])
        deliveries = []
        if subscription.retry_at is None or subscription.retry_at <= now:
            deliveries = list(
                subscription.deliveries.filter(state=DeliveryState.PENDING)
                .select_related("event")
                .order_by("id")[:SEND_BATCH]
            )
    return Claim(subscription, deliveries, queued)


def _queue_new_events(subscription: WebhookSubscription, now: datetime.datetime, policy: RetryPolicy) -> int:
    """Queue the outbox's new events that the filter lets through, in the order they are seen.

    Outbox ids are taken when a write inserts its events but seen when it commits, so a
    lower id can appear after a higher one (two writes at once). The cursor therefore moves
    only over ids with none missing below them; the events above a missing id are queued at
    once (they are committed) and looked at again, skipping those queued, until the missing
    id shows up or ``gap_settle`` seconds have passed (the write was rolled back). Each
    receiver thus hears of every change once, in the order the changes were committed —
    which, for one agreement, is the order of its ids (its writes take its row's lock).
    """
    cursor = subscription.cursor
    after = ChangeEvent.objects.filter(id__gt=cursor).order_by("id")
    # Only what the filter and the cursor read: every subscription reads every new event.
    events = list(after.only("id", "kind", "party_a", "party_b", "categories", "created_at")[:FANOUT_BATCH])
    if not events:
        return 0
    queued = set(subscription.deliveries.filter(event_id__gt=cursor).values_list("event_id", flat=True))
    wanted = [
        WebhookDelivery(subscription=subscription, event=event)
        for event in events
        if event.id not in queued and matches(subscription, event)
    ]
    WebhookDelivery.objects.bulk_create(wanted)
    settled = now - datetime.timedelta(seconds=policy.gap_settle)
    for event in events:
        if event.id != cursor + 1 and event.created_at > settled:
            break  # an id below this one may still be committed
        cursor = event.id
    subscription.cursor = cursor
    return len(wanted)


def webhook_record(
    *,
    delivery: WebhookDelivery,
    worker: str,
    result: AttemptResult,
    now: datetime.datetime,
    policy: RetryPolicy,
    again: bool = False,
) -> bool:
    """Log one try of ``delivery`` and what follows from it; whether the worker may go on
    with the next delivery (it was acknowledged, and the worker still holds the lease).

    ``again``: the worker lost its database while recording this try and cannot tell whether
    the record went through; recording it again then changes nothing.
    """
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if locked is None:
            return False  # the subscription was deleted meanwhile
        if again and WebhookAttempt.objects.filter(delivery=locked, started_at=result.started_at).exists():
            return result.outcome == AttemptOutcome.DELIVERED and _holds(locked.subscription_id, worker)
        locked.attempts += 1
        WebhookAttempt.objects.create(
            subscription_id=locked.subscription_id,
            delivery=locked,
            number=locked.attempts,
            outcome=result.outcome,
            response_code=result.response_code,
            error=result.error[:2000],
            started_at=result.started_at,
            duration_ms=result.duration_ms,
        )
        subscription = WebhookSubscription.objects.filter(pk=locked.subscription_id)
        lease = {"leased_until": now + datetime.timedelta(seconds=policy.lease)}
        if result.outcome == AttemptOutcome.DELIVERED:
            if locked.state == DeliveryState.PENDING:
                locked.state, locked.delivered_at = DeliveryState.DELIVERED, now
            locked.save(update_fields=["attempts", "state", "delivered_at"])
            held = subscription.filter(leased_by=worker, state=SubscriptionState.ACTIVE).update(
                retry_at=None, **lease
            )
            return bool(held)
        locked.first_failed_at = locked.first_failed_at or result.started_at
        locked.save(update_fields=["attempts", "first_failed_at"])
        if locked.state == DeliveryState.DELIVERED:
            return False  # another worker delivered it meanwhile (a lost lease): nothing to retry
        if now - locked.first_failed_at >= datetime.timedelta(seconds=policy.window):
            subscription.update(
                state=SubscriptionState.FAILING,
                failing_since=now,
                failing_reason=_why(locked, result),
                retry_at=None,
            )
        else:
            subscription.update(retry_at=now + policy.delay(locked.attempts))
    return False


def webhook_record_delivered(
    *,
    acknowledged: Sequence[tuple[WebhookDelivery, AttemptResult]],
    worker: str,
    now: datetime.datetime,
    policy: RetryPolicy,
    again: bool = False,
) -> bool:
    """``webhook_record`` for a run of acknowledged deliveries of one subscription, in one
    transaction (a commit per event would cost more than the request did); whether the
    worker still holds the subscription."""
    if not acknowledged:
        return True
    subscription_id = acknowledged[0][0].subscription_id
    ids = [delivery.pk for delivery, _ in acknowledged]
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().in_bulk(ids)
        logged = set()
        if again:
            logged = set(
                WebhookAttempt.objects.filter(delivery__in=ids).values_list("delivery_id", "started_at")
            )
        attempts, changed = [], []
        for delivery, result in acknowledged:
            row = locked.get(delivery.pk)
            if row is None or (row.pk, result.started_at) in logged:
                continue  # deleted meanwhile, or already recorded
            row.attempts += 1
            attempts.append(
                WebhookAttempt(
                    subscription_id=row.subscription_id,
                    delivery=row,
                    number=row.attempts,
                    outcome=result.outcome,
                    response_code=result.response_code,
                    started_at=result.started_at,
                    duration_ms=result.duration_ms,
                )
            )
            if row.state == DeliveryState.PENDING:
                row.state, row.delivered_at = DeliveryState.DELIVERED, now
            changed.append(row)
        WebhookAttempt.objects.bulk_create(attempts)
        WebhookDelivery.objects.bulk_update(changed, ["attempts", "state", "delivered_at"])
        held = WebhookSubscription.objects.filter(
            pk=subscription_id, leased_by=worker, state=SubscriptionState.ACTIVE
        ).update(retry_at=None, leased_until=now + datetime.timedelta(seconds=policy.lease))
    return bool(held)


def _holds(subscription_id: int, worker: str) -> bool:
    held = WebhookSubscription.objects.filter(pk=subscription_id, leased_by=worker)
    return held.filter(state=SubscriptionState.ACTIVE).exists()


def _why(delivery: WebhookDelivery, result: AttemptResult) -> str:
    answer = f"answered {result.response_code}" if result.response_code else result.outcome
    detail = f": {result.error[:300]}" if result.error else ""
    return (
        f"Event {delivery.event_id} (delivery {delivery.delivery_id}) was not acknowledged in "
        f"{delivery.attempts} tries since {delivery.first_failed_at:%Y-%m-%d %H:%M:%S} UTC; "
        f"the last one {answer}{detail}. Fix the receiver, then make the webhook active again."
    )


def webhook_release(*, subscription: WebhookSubscription, worker: str, now: datetime.datetime) -> None:
    """Give the subscription back (its lease's time stays, as when it was last served)."""
    WebhookSubscription.objects.filter(pk=subscription.pk, leased_by=worker).update(
        leased_by="", leased_until=now
    )
