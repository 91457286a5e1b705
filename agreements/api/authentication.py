"""Token authentication with expiry, and answers that say what to do (``accounts``).

Its own module: DRF imports the authentication classes while it sets up ``APIView``, so
this one must not import any view.
"""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from ..accounts import expires_at, is_expired

NEW_TOKEN = "get a new one with POST /api/auth/token/"
# ``Authorization: Token <key>`` (DRF's word) or ``Bearer <key>`` (RFC 6750, what generic clients send).
KEYWORDS = (b"token", b"bearer")


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with expiry and answers that say what to do."""

    def authenticate(self, request):
        """``Token <key>`` or ``Bearer <key>``; any other scheme is left to the next authenticator."""
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in KEYWORDS:
            return None
        scheme = auth[0].decode("latin-1")
        if len(auth) != 2:
            raise AuthenticationFailed(f"Send the header as “Authorization: {scheme} <token>”, one token.")
        try:
            key = auth[1].decode()
        except UnicodeError:
            raise AuthenticationFailed("The token has characters no token has.") from None
        return self.authenticate_credentials(key)

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
