from django.conf import settings
from rest_framework.permissions import BasePermission, DjangoModelPermissions


class ReadOrModelPermissions(DjangoModelPermissions):
    """Reads are open (unless ``API_REQUIRE_LOGIN_FOR_READS``); writes need the model permission.

    The Editors group holds add/change (and, for an agreement's parts, delete)
    permissions; deleting agreements, people and sources is for administrators.
    """

    authenticated_users_only = False

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            if settings.API_REQUIRE_LOGIN_FOR_READS:
                return bool(request.user and request.user.is_authenticated)
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if not hasattr(view, "get_queryset") and getattr(view, "queryset", None) is None:
            # Not a model's view (the reports): it only reads; the view answers 405 to the rest.
            return True
        return super().has_permission(request, view)


class CanViewHistory(BasePermission):
    """History names the people who made each change: signed-in users who may view agreements."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("agreements.view_agreement"))


class CanAddAgreements(BasePermission):
    """What an editor may do: add agreements (the intake proposes one, for an editor to add)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("agreements.add_agreement"))
