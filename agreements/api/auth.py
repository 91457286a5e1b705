"""Tokens for programs: a user gets one with their password and revokes it when done.

Each sign-in issues a new token and revokes the previous one; a password change or a
deactivation revokes it too, and with ``API_TOKEN_TTL`` it expires (``accounts``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..accounts import expires_at, issue_token, revoke_tokens
from ..web.lockout import LOCKED_OUT
from .serializers import TokenRequestSerializer, TokenSerializer


class LockedOut(Throttled):
    default_detail = LOCKED_OUT

    def __init__(self) -> None:
        super().__init__(wait=settings.AXES_COOLOFF_TIME.total_seconds(), detail=self.default_detail)


class TokenView(APIView):
    """``POST`` username and password for a new API token; ``DELETE`` (authenticated) to revoke it."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="Get a new API token",
        description="Each call issues a new token and revokes the one you had. A token stops working "
        "when you change your password, when your account is deactivated and, if the server sets "
        "API_TOKEN_TTL, at `expires_at`.",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The plain HttpRequest, which django-axes counts failures against.
        user = authenticate(request._request, **serializer.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            raise LockedOut()
        if user is None or not user.is_active:
            raise AuthenticationFailed("Wrong username or password.")
        token = issue_token(user)
        return Response({"token": token.key, "expires_at": expires_at(token)})

    @extend_schema(summary="Revoke your API token", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        revoke_tokens(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
