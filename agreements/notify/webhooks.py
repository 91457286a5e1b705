"""Sending webhooks: the signed request, and the worker behind ``manage.py deliver_webhooks``.

The worker claims one subscription at a time (``services.webhooks.webhook_claim``), sends
its due deliveries in order and records the answers (the acknowledged ones a few at a time,
a failure at once). It stops at the first delivery a receiver did not acknowledge: the next
events wait for it, so each receiver hears of the changes in the order they happened. Losing
the database (a restart)
only pauses it: every call to the database is tried again, patiently, and an answer
received meanwhile is kept until it is recorded — never sent again for want of a record.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import orjson
import urllib3
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from ..models import WebhookDelivery, WebhookSubscription
from ..models.webhooks import AttemptOutcome
from ..services.webhooks import (
    AttemptResult,
    Claim,
    RetryPolicy,
    webhook_claim,
    webhook_record,
    webhook_record_delivered,
    webhook_release,
)
from .links import absolute

log = logging.getLogger("agreements.webhooks")
T = TypeVar("T")

SIGNATURE_HEADER = "X-Signature-256"
DELIVERY_HEADER = "X-Webhook-Delivery"
USER_AGENT = "bilateral-agreement-tracker-webhooks/1"
ANSWER_LOGGED = 500  # characters of a refusing answer kept in the delivery log
# Acknowledged deliveries are recorded together: up to this many, or this many seconds' worth.
ACK_BATCH = 100
ACK_DELAY = 0.2


def payload(delivery: WebhookDelivery) -> bytes:
    """The JSON body of a delivery: the same bytes on every try (the signature covers them)."""
    event = delivery.event
    return orjson.dumps(
        {
            "delivery": str(delivery.delivery_id),
            "webhook": delivery.subscription_id,
            "event": {
                "id": event.id,
                "kind": event.kind,
                "created_at": event.created_at,
                "summary": event.summary,
                "details": event.details,
                "categories": event.categories,
                "interface": event.interface,
            },
            "agreement": {
                "id": event.agreement_id,
                "title": event.title,
                "party_a": event.party_a,
                "party_b": event.party_b,
                "url": absolute(reverse("agreement-detail", kwargs={"pk": event.agreement_id})),
            },
        }
    )


def signature(secret: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``body`` keyed with the subscription's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers(subscription: WebhookSubscription, delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        DELIVERY_HEADER: str(delivery.delivery_id),
        "X-Webhook-Event": delivery.event.kind,
        "X-Webhook-Attempt": str(delivery.attempts + 1),
        SIGNATURE_HEADER: signature(subscription.secret, body),
    }


class Sender:
    """POSTs with urllib3: kept-alive connections, timeouts, no retries or redirects of its own
    (a retry is the worker's decision, and a redirect could take a signed body elsewhere)."""

    def __init__(self, connect_timeout: float | None = None, read_timeout: float | None = None) -> None:
        timeout = urllib3.Timeout(
            connect=connect_timeout or settings.WEBHOOK_CONNECT_TIMEOUT,
            read=read_timeout or settings.WEBHOOK_READ_TIMEOUT,
        )
        self.pool = urllib3.PoolManager(timeout=timeout, retries=False, maxsize=4)

    def post(
        self, url: str, body: bytes, headers: dict[str, str], clock: Callable[[], datetime.datetime]
    ) -> AttemptResult:
        started, begun = clock(), time.monotonic()

        def result(outcome: str, code: int | None = None, error: str = "") -> AttemptResult:
            took = round((time.monotonic() - begun) * 1000)
            return AttemptResult(outcome, started, took, code, error)

        try:
            response = self.pool.request(
                "POST", url, body=body, headers=headers, redirect=False, preload_content=False
            )
            answer = response.read(ANSWER_LOGGED)
            if response.read(1):
                response.close()  # a long answer is not read to its end: the connection goes
            else:
                response.release_conn()
        except urllib3.exceptions.NewConnectionError as error:
            # Refused or unresolvable (urllib3 counts it a kind of connect timeout; it is not).
            return result(AttemptOutcome.UNREACHABLE, error=f"{type(error).__name__}: {error}")
        except urllib3.exceptions.TimeoutError as error:
            return result(AttemptOutcome.TIMEOUT, error=str(error))
        except urllib3.exceptions.HTTPError as error:
            return result(AttemptOutcome.UNREACHABLE, error=f"{type(error).__name__}: {error}")
        if 200 <= response.status < 300:
            return result(AttemptOutcome.DELIVERED, response.status)
        return result(AttemptOutcome.REFUSED, response.status, answer.decode("utf-8", "replace"))


@dataclass
class Progress:
    claims: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0

    def add(self, other: Progress) -> None:
        self.claims += other.claims
        self.queued += other.queued
        self.sent += other.sent
        self.delivered += other.delivered

    @property
    def moved(self) -> bool:
        return bool(self.queued or self.sent)


class Worker:
    """One delivering process (or thread). Several may run at once on PostgreSQL."""

    def __init__(
        self,
        *,
        sender: Sender | None = None,
        clock: Callable[[], datetime.datetime] = timezone.now,
        policy: RetryPolicy | None = None,
        stop: threading.Event | None = None,
        name: str | None = None,
    ) -> None:
        self.sender = sender or Sender()
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.stop = stop or threading.Event()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]

    def run(self, *, once: bool = False, poll: float = 0.5) -> Progress:
        """Deliver until stopped (``once``: until nothing more can be sent now)."""
        total = Progress()
        while not self.stop.is_set():
            done = self.run_pass()
            total.add(done)
            if not done.moved:
                if once:
                    break
                self.stop.wait(poll)
        return total

    def run_pass(self) -> Progress:
        """Serve each subscription with work once."""
        progress = Progress()
        served: list[int] = []
        while not self.stop.is_set():
            claim = self._patiently(
                lambda again: webhook_claim(
                    worker=self.name, now=self.clock(), policy=self.policy, skip=served
                )
            )
            if claim is None:
                break
            served.append(claim.subscription.pk)
            progress.claims += 1
            progress.queued += claim.queued
            self._send(claim, progress)
        return progress

    def _send(self, claim: Claim, progress: Progress) -> None:
        subscription = claim.subscription
        acknowledged: list[tuple[WebhookDelivery, AttemptResult]] = []
        since = 0.0

        def flush() -> bool:
            done, acknowledged[:] = list(acknowledged), []
            return self._patiently(
                lambda again: webhook_record_delivered(
                    acknowledged=done, worker=self.name, now=self.clock(), policy=self.policy, again=again
                ),
                keep_trying=True,
            )

        try:
            for delivery in claim.deliveries:
                if self.stop.is_set():
                    break
                body = payload(delivery)
                result = self.sender.post(
                    subscription.target_url, body, headers(subscription, delivery, body), self.clock
                )
                progress.sent += 1
                if result.outcome == AttemptOutcome.DELIVERED:
                    progress.delivered += 1
                    if not acknowledged:
                        since = time.monotonic()
                    acknowledged.append((delivery, result))
                    due = len(acknowledged) >= ACK_BATCH or time.monotonic() - since >= ACK_DELAY
                    if due and not flush():
                        break
                    continue
                if not flush():
                    break
                self._patiently(
                    lambda again, delivery=delivery, result=result: webhook_record(
                        delivery=delivery,
                        worker=self.name,
                        result=result,
                        now=self.clock(),
                        policy=self.policy,
                        again=again,
                    ),
                    keep_trying=True,
                )
                break  # the next events wait for this one
        finally:
            flush()
            self._patiently(
                lambda again: webhook_release(subscription=subscription, worker=self.name, now=self.clock()),
                keep_trying=True,
            )

    def _patiently(self, work: Callable[[bool], T], *, keep_trying: bool = False) -> T:
        """``work()``, tried again while the database cannot be reached (``work(True)`` then).

        A claim is given up when the worker is asked to stop; a record (``keep_trying``) is
        not, as long as the process lives: it holds an answer nothing else knows of.
        """
        wait, again = 0.05, False
        while True:
            try:
                return work(again)
            except (OperationalError, InterfaceError) as error:
                if self.stop.is_set() and not keep_trying:
                    raise
                log.warning("webhooks: database unavailable (%s); trying again in %.2f s", error, wait)
                _drop_connection()
                time.sleep(wait)
                wait, again = min(wait * 2, 2.0), True


def _drop_connection() -> None:
    """Forget the broken connection; the next query opens a new one."""
    with contextlib.suppress(OperationalError, InterfaceError):
        connection.close()
