"""API tokens: one per user, new at each sign-in, gone when the password changes or the
account is deactivated, and (optionally) expiring after ``API_TOKEN_TTL`` seconds.

DRF's ``Token`` (one per user) is the store; this module is its lifecycle. The receivers
are connected when the app is ready (``apps.py``), so that every way of changing a password
revokes the token: the admin, ``manage.py changepassword``, a script.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from rest_framework.authtoken.models import Token


def token_lifetime() -> datetime.timedelta | None:
    seconds = settings.API_TOKEN_TTL
    return datetime.timedelta(seconds=seconds) if seconds else None


def expires_at(token: Token) -> datetime.datetime | None:
    """When ``token`` stops working (``None``: not until it is revoked)."""
    lifetime = token_lifetime()
    return token.created + lifetime if lifetime else None


def is_expired(token: Token, now: datetime.datetime | None = None) -> bool:
    end = expires_at(token)
    return end is not None and (now or timezone.now()) >= end


def issue_token(user) -> Token:
    """A new token for ``user``; the one they had stops working."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def revoke_tokens(user) -> int:
    """Delete the user's token; how many there were."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def _revoke_on_password_change_or_deactivation(sender, instance, created: bool, **kwargs) -> None:
    if created:
        return
    # ``_password`` holds the new raw password from set_password() until the save is done: a
    # change by a person. (Django re-hashing the same password on login leaves it unset.)
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        revoke_tokens(instance)


def connect_receivers() -> None:
    post_save.connect(
        _revoke_on_password_change_or_deactivation,
        sender=get_user_model(),
        dispatch_uid="agreements.accounts.revoke_tokens",
    )
