"""Tokens for programs: a user creates one with their password and revokes it when done."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import TokenRequestSerializer, TokenSerializer


class LockedOut(Throttled):
    default_detail = "Too many failed logins for this username from this address; try again later."

    def __init__(self) -> None:
        super().__init__(wait=settings.AXES_COOLOFF_TIME.total_seconds(), detail=self.default_detail)


class TokenView(APIView):
    """``POST`` username and password for your API token; ``DELETE`` (authenticated) to revoke it."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="Get your API token",
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
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(summary="Revoke your API token", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out login: JSON for the API, a page for the admin."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": LockedOut.default_detail}, status=429)
    else:
        context = {
            "minutes": seconds // 60,
            "limit": settings.AXES_FAILURE_LIMIT,
            "site_title": "Agreement tracker",
        }
        response = HttpResponse(
            render_to_string("registration/locked_out.html", context, request), status=429
        )
    response["Retry-After"] = str(seconds)
    return response
