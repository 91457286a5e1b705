"""Alerts a schedule makes: a commitment falling due soon, or overdue.

Unlike the other change events, these come from the calendar, not from a write, so a
scheduled command (``emit_commitment_alerts``) finds the commitments (on the read side)
and hands them here. Each alert is made once per commitment, kind and due date
(``ChangeEvent.once_key``): running the command twice, or two copies at once, tells
nothing twice; an extension (a new due date) makes a new "falling due" alert.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from ..dates import PartialDate
from ..models import Agreement, ChangeEvent
from ..models.changes import ChangeKind
from .changes import agreement_categories, tag_events


@dataclass(frozen=True)
class CommitmentAlert:
    commitment: int
    agreement: int
    position: int
    text: str
    party: str | None
    due: PartialDate
    overdue: bool

    @property
    def kind(self) -> str:
        return ChangeKind.COMMITMENT_OVERDUE if self.overdue else ChangeKind.COMMITMENT_DUE_SOON

    @property
    def once_key(self) -> str:
        return f"{self.kind}:{self.commitment}:{self.due.value.isoformat()}:{self.due.precision}"

    def summary(self, as_of: datetime.date) -> str:
        what = f"Commitment {self.position}"
        if self.party:
            what += f" ({self.party})"
        if self.overdue:
            return f"{what} is overdue: it fell due {self.due}. {self.text[:160]}"
        days = (self.due.value - as_of).days
        when = "today" if days == 0 else f"in {days} day{'s' * (days != 1)}"
        return f"{what} falls due {self.due} ({when}). {self.text[:160]}"


def record_commitment_alerts(alerts: Iterable[CommitmentAlert], *, as_of: datetime.date) -> int:
    """Add the alerts not made before to the outbox; how many were added."""
    alerts = {alert.once_key: alert for alert in alerts}
    if not alerts:
        return 0
    with transaction.atomic():
        made = set(ChangeEvent.objects.filter(once_key__in=alerts).values_list("once_key", flat=True))
        new = [alert for key, alert in alerts.items() if key not in made]
        agreements = Agreement.objects.in_bulk({alert.agreement for alert in new})
        categories = {pk: agreement_categories(pk) for pk in agreements}
        created = []
        for alert in new:
            agreement = agreements.get(alert.agreement)
            if agreement is None:  # deleted since the read
                continue
            event = ChangeEvent(
                kind=alert.kind,
                agreement_id=agreement.pk,
                title=agreement.title,
                party_a=agreement.party_a_id,
                party_b=agreement.party_b_id,
                categories=categories[agreement.pk],
                summary=alert.summary(as_of),
                details={
                    "commitment": alert.commitment,
                    "position": alert.position,
                    "party": alert.party,
                    "due": alert.due.value.isoformat(),
                    "due_precision": alert.due.precision,
                    "as_of": as_of.isoformat(),
                },
                interface="schedule",
                once_key=alert.once_key,
            )
            try:
                # Another run may have made it meanwhile: the unique key keeps it single.
                with transaction.atomic():
                    event.save()
            except IntegrityError:
                continue
            created.append(event)
        tag_events(created)
    return len(created)
