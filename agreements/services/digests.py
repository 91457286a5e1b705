"""A digest's life: claimed (its changes chosen, the reader's cursor moved past them, in one
transaction), then sent or failed.

The order is what keeps a digest from being sent twice: the cursor moves before the e-mail
goes, so a run stopped halfway, or a second run at the same time, finds nothing left to
tell for the readers already served. A digest that failed to send gives its changes back.
A digest left *sending* (the process died while sending) is not sent again: the mail may
have gone, and telling a reader twice is the failure readers notice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ..models import ChangeEvent, Digest, Reader
from ..models.watches import DigestState

# A digest lists at most this many changes; the rest are counted, with a link to the feed.
DIGEST_MAX_CHANGES = 100


@dataclass(frozen=True)
class ClaimedDigest:
    digest: Digest
    changes: list[ChangeEvent]  # the first DIGEST_MAX_CHANGES, oldest first
    total: int


def latest_change() -> int:
    """The newest outbox id: a run tells changes up to here, so it ends."""
    return ChangeEvent.objects.aggregate(latest=Max("id"))["latest"] or 0


def readers_to_tell(period: str) -> Iterator[Reader]:
    """The active readers with an e-mail address who want digests this often."""
    readers = Reader.objects.filter(period=period, user__is_active=True).exclude(user__email="")
    return readers.select_related("user").order_by("pk").iterator()


def digest_claim(*, reader: Reader, up_to: int) -> ClaimedDigest | None:
    """The reader's changes after their cursor up to ``up_to``, as a digest in the *sending*
    state, with the cursor moved to ``up_to``; ``None`` when there is nothing to tell (or
    another run is telling it)."""
    with transaction.atomic():
        skip = connection.features.has_select_for_update_skip_locked  # SQLite: one writer at a time
        locked = Reader.objects.select_for_update(skip_locked=skip).filter(pk=reader.pk).first()
        if locked is None or locked.told_up_to >= up_to:
            return None
        pending = ChangeEvent.objects.watched_by(locked.user_id).filter(
            id__gt=locked.told_up_to, id__lte=up_to
        )
        changes = list(pending.order_by("id")[:DIGEST_MAX_CHANGES])
        total = pending.count() if len(changes) == DIGEST_MAX_CHANGES else len(changes)
        digest = None
        if changes:
            digest = Digest.objects.create(
                user_id=locked.user_id,
                period=locked.period,
                after=locked.told_up_to,
                up_to=up_to,
                changes=total,
            )
        locked.told_up_to = up_to  # nothing to tell is told too: the next run starts here
        locked.save(update_fields=["told_up_to"])
    return None if digest is None else ClaimedDigest(digest, changes, total)


def digest_sent(*, digest: Digest) -> None:
    Digest.objects.filter(pk=digest.pk).update(state=DigestState.SENT, sent_at=timezone.now())


def digest_failed(*, digest: Digest, error: str) -> None:
    """The e-mail did not go: its changes go back to the reader, for the next digest."""
    with transaction.atomic():
        Digest.objects.filter(pk=digest.pk).update(state=DigestState.FAILED, error=error[:2000])
        # Unless a second run claimed a later digest meanwhile: then these changes stay untold
        # rather than be told out of order (the failed digest and its error stay on record).
        Reader.objects.filter(user=digest.user_id, told_up_to=digest.up_to).update(told_up_to=digest.after)
