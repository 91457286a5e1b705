"""Token authentication with expiry, and answers that say what to do (``accounts``).

Its own module: DRF imports the authentication classes while it sets up ``APIView``, so
this one must not import any view.
"""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from ..accounts import expires_at, is_expired

NEW_TOKEN = "get a new one with POST /api/auth/token/"


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with expiry and answers that say what to do."""

    def authenticate_credentials(self, key: str):
        try:
            token = Token.objects.select_related("user").get(key=key)
        except Token.DoesNotExist:
            raise AuthenticationFailed(
                f"Invalid token: it may have been revoked (by a newer sign-in, a password change or "
                f"its owner); {NEW_TOKEN}."
            ) from None
        if not token.user.is_active:
            raise AuthenticationFailed("This account is deactivated.")
        if is_expired(token):
            when = expires_at(token).strftime("%Y-%m-%dT%H:%M:%SZ")
            raise AuthenticationFailed(f"This token expired at {when}; {NEW_TOKEN}.")
        return token.user, token
