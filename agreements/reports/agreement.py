"""One agreement with everything the pair report summarises, for its public page."""

from __future__ import annotations

from ..models import Agreement


def agreement_for_page(pk: int) -> Agreement | None:
    """The agreement with its parties and parts in a fixed number of queries; ``None`` if there is none."""
    return Agreement.objects.with_details().filter(pk=pk).first()
