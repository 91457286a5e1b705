"""Links that leave the site in an e-mail: absolute, and the signed unsubscribe link."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "agreements.digests.unsubscribe"


def absolute(path: str) -> str:
    """``path`` on the site's public address (``SITE_URL``), as an e-mail needs it."""
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user_pk: int) -> str:
    """The token of a digest's unsubscribe link: it works without signing in, only for the
    user it was made for, and for as long as the secret key stays the same."""
    return signing.dumps(user_pk, salt=UNSUBSCRIBE_SALT)


def user_of_unsubscribe_token(token: str) -> int | None:
    """The user a token was made for; ``None`` for a token this site did not sign."""
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def unsubscribe_url(user_pk: int) -> str:
    return absolute(reverse("unsubscribe", kwargs={"token": unsubscribe_token(user_pk)}))
