"""Sources: where facts come from. Created here when a write brings its own (the intake)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from ..models import Source
from .base import Errors, check_unique, clean


@dataclass(frozen=True)
class SourceIn:
    title: str
    url: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    language: str = ""
    licence: str = ""
    excerpt: str = ""


def source_create(*, data: SourceIn) -> Source:
    """A new source; a URL already recorded is refused with a pointer to the source that has it."""
    with transaction.atomic():
        source = Source(
            title=data.title,
            url=data.url,
            publisher=data.publisher,
            published_on=data.published_on,
            language=data.language,
            licence=data.licence,
            excerpt=data.excerpt,
        )
        errors = Errors()
        if clean(source, "", errors, exclude=[]):
            existing = Source.objects.filter(url=data.url).first() if data.url else None
            if existing is not None:
                errors.add(
                    "url", f"This URL is already recorded as the source “{existing}” (id {existing.pk})."
                )
            else:
                check_unique(source, "", errors)
        errors.raise_if_any()
        source.save()
    return source
