"""E-mail digests: one e-mail per reader with the changes to what they watch since their last.

``send_digests`` serves the readers of one period (``manage.py send_digests --period``).
For each, ``services.digests`` claims the changes (and moves the reader past them) before
the e-mail is sent, so a run stopped halfway and run again tells nobody anything twice.
The e-mail has a plain-text and an HTML part and a one-click unsubscribe link (RFC 8058).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import ChangeEvent, Watch
from ..pairs import NamedPair
from ..reports.outbox import pair_names
from ..services.digests import (
    ClaimedDigest,
    digest_claim,
    digest_failed,
    digest_sent,
    latest_change,
    readers_to_tell,
)
from .links import absolute, unsubscribe_url


@dataclass
class DigestRun:
    readers: int = 0
    sent: int = 0
    failed: int = 0


def send_digests(period: str) -> DigestRun:
    """Send this period's digests; what was sent and what failed (to be told next time)."""
    run = DigestRun()
    up_to = latest_change()
    for reader in readers_to_tell(period):
        run.readers += 1
        claimed = digest_claim(reader=reader, up_to=up_to)
        if claimed is None:
            continue
        message = digest_message(reader.user, claimed)
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            digest_failed(digest=claimed.digest, error=f"{type(error).__name__}: {error}")
            run.failed += 1
            continue
        digest_sent(digest=claimed.digest)
        run.sent += 1
    return run


def _pair_section(pair: NamedPair, events: list[ChangeEvent]) -> dict:
    page = reverse("reports-pair", kwargs={"a": pair.first, "b": pair.second})
    return {
        "name": pair.name,
        "page": absolute(page),
        "changes": [
            {"event": event, "link": absolute(reverse("agreement-detail", kwargs={"pk": event.agreement_id}))}
            for event in events
        ],
    }


def digest_message(user, claimed: ClaimedDigest) -> EmailMultiAlternatives:
    """The e-mail of one digest: the changes by pair, oldest first, with links."""
    names = pair_names(claimed.changes)
    in_order = sorted(claimed.changes, key=lambda e: (names[(e.party_a, e.party_b)].name, e.pk))
    by_pair = [
        _pair_section(names[pair], list(events))
        for pair, events in groupby(in_order, key=lambda e: (e.party_a, e.party_b))
    ]
    watches = Watch.objects.filter(user=user).select_related("party_a", "party_b", "country", "category")
    watching = [watch.label for watch in watches]
    unsubscribe = unsubscribe_url(user.pk)
    context = {
        "user": user,
        "digest": claimed.digest,
        "pairs": by_pair,
        "total": claimed.total,
        "more": claimed.total - len(claimed.changes),
        "watching": watching,
        "watches_url": absolute(reverse("watches")),
        "feed_url": absolute(reverse("feed-all")),
        "unsubscribe_url": unsubscribe,
    }
    count = f"{claimed.total} change{'s' * (claimed.total != 1)}"
    subject = f"{count} to what you watch: {', '.join(p['name'] for p in by_pair[:3])}"
    if len(by_pair) > 3:
        subject += f" and {len(by_pair) - 3} more"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("agreements/mail/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("agreements/mail/digest.html", context), "text/html")
    return message
