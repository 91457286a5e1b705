"""What a reader follows (pairs, countries, categories) and how often they are e-mailed.

The report pages, the admin and the unsubscribe link all write through these functions.
A reader's first watch starts their digest from now: they are told what changes from then
on, not the whole history of the outbox.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ..models import ChangeEvent, ClauseCategory, Country, Reader, Watch
from ..models.watches import DigestPeriod
from ..pairs import canonical_pair, same_parties_problem
from .base import Errors, check_unique, clean


def reader_for(user: AbstractBaseUser) -> Reader:
    """The user's digest settings, made (starting from the latest change) on first use."""
    reader = Reader.objects.filter(user=user).first()
    if reader is not None:
        return reader
    latest = ChangeEvent.objects.aggregate(latest=Max("id"))["latest"] or 0
    reader, _ = Reader.objects.get_or_create(user=user, defaults={"told_up_to": latest})
    return reader


def watch_add(
    *,
    user: AbstractBaseUser,
    pair: tuple[Country | str, Country | str] | None = None,
    country: Country | str | None = None,
    category: ClauseCategory | None = None,
) -> Watch:
    """Watch one pair, one country or one category (already watched: the same watch back)."""
    errors = Errors()
    given = [name for name, value in (("pair", pair), ("country", country), ("category", category)) if value]
    if len(given) != 1:
        raise ValidationError({"__all__": ["Watch one pair, one country or one category."]})
    watch = Watch(user=user, category=category)
    if pair is not None:
        if problem := same_parties_problem(*pair):
            raise ValidationError({"pair": [problem]})
        watch.party_a_id, watch.party_b_id = canonical_pair(*pair)
    elif country is not None:
        watch.country_id = country if isinstance(country, str) else country.pk
    with transaction.atomic():
        existing = Watch.objects.filter(
            user=user,
            party_a=watch.party_a_id,
            party_b=watch.party_b_id,
            country=watch.country_id,
            category=category,
        ).first()
        if existing is not None:
            return existing
        if clean(watch, "", errors, exclude=["user"]):
            check_unique(watch, "", errors)
        errors.raise_if_any()
        reader_for(user)
        watch.save()
    return watch


def watch_remove(*, user: AbstractBaseUser, watch: Watch) -> None:
    """Stop watching; only the user's own watches can be removed."""
    Watch.objects.filter(pk=watch.pk, user=user).delete()


def reader_set_period(*, user: AbstractBaseUser, period: str) -> Reader:
    """How often the user is e-mailed (``never``: not at all)."""
    if period not in DigestPeriod.values:
        raise ValidationError({"period": [f"Choose one of: {', '.join(DigestPeriod.values)}."]})
    with transaction.atomic():
        reader = reader_for(user)
        reader.period = period
        reader.save(update_fields=["period"])
    return reader


def reader_unsubscribe(*, user: AbstractBaseUser) -> Reader:
    """No more digests (the watches stay: the feeds and the pages still show them)."""
    return reader_set_period(user=user, period=DigestPeriod.NEVER)
