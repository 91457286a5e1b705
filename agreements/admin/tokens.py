"""API tokens in the admin: each signed-in user sees their own token and may revoke it.

DRF registers its own token admin, for users who hold its model permissions (which no
group here has). This replaces it: every staff user sees the token they hold (its first
characters only: the key is a password), when it was issued and when it expires, and
deletes it to revoke it. Administrators (superusers) see everyone's. Tokens are issued by
``POST /api/auth/token/``, not here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from ..accounts import expires_at

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


def _own(request: HttpRequest, token: TokenProxy | None) -> bool:
    return token is None or request.user.is_superuser or token.user_id == request.user.pk


@admin.register(TokenProxy)
class OwnTokenAdmin(TokenAdmin):
    """DRF's, which addresses each token by its user's id (never by the key, in URLs)."""

    list_display = ["masked_key", "user", "created", "expires"]
    list_filter = []
    fields = ["masked_key", "user", "created", "expires"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[TokenProxy]:
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: TokenProxy | None = None) -> bool:
        return self.has_module_permission(request) and _own(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: TokenProxy | None = None) -> bool:
        return self.has_module_permission(request) and _own(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TokenProxy | None = None) -> bool:
        return False

    @admin.display(description="token")
    def masked_key(self, token: TokenProxy) -> str:
        return f"{token.key[:6]}…"

    @admin.display(description="expires")
    def expires(self, token: TokenProxy) -> str:
        end = expires_at(token)
        return end.strftime("%Y-%m-%d %H:%M UTC") if end else "when revoked"
