"""The agreement admin's history pages: one timeline with its parts, revert, and restore."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from ..history import agreement_saves
from ..models import Agreement
from ..services import StaleVersionError
from ..services.recovery import agreement_restore, agreement_revert, deleted_agreements, revert_preview


class AgreementHistoryMixin:
    """Mixed into the agreement's ModelAdmin."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        extra = [
            path(
                "<path:object_id>/history/<int:history_id>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name=f"{prefix}_revert",
            ),
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name=f"{prefix}_deleted"),
            path(
                "deleted/<int:agreement_id>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name=f"{prefix}_restore",
            ),
        ]
        return extra + super().get_urls()

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            raise Http404
        if not self.has_view_or_change_permission(request, agreement):
            raise PermissionDenied
        saves = agreement_saves(agreement.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {agreement}",
            "subtitle": None,
            "object": agreement,
            "opts": self.opts,
            "saves": saves,
            "can_revert": self.has_change_permission(request, agreement),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/agreements/agreement/history.html", context)

    def revert_view(self, request: HttpRequest, object_id: str, history_id: int) -> HttpResponse:
        """GET: what the revert would change, and a button to confirm; POST: the revert."""
        agreement = get_object_or_404(Agreement, pk=unquote(object_id))
        if not self.has_change_permission(request, agreement):
            raise PermissionDenied
        if request.method != "POST":
            try:
                differences = revert_preview(agreement=agreement, history_id=history_id)
            except ValidationError as error:
                messages.error(request, "Could not revert: " + " ".join(error.messages))
                return HttpResponseRedirect(
                    reverse("admin:agreements_agreement_history", args=[agreement.pk])
                )
            context = {
                **self.admin_site.each_context(request),
                "title": f"Revert “{agreement}”?",
                "object": agreement,
                "opts": self.opts,
                "history_id": history_id,
                "differences": differences,
            }
            return TemplateResponse(request, "admin/agreements/agreement/revert.html", context)
        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            expected = None
        history_url = reverse("admin:agreements_agreement_history", args=[agreement.pk])
        try:
            agreement_revert(agreement=agreement, history_id=history_id, expected_version=expected)
        except StaleVersionError:
            messages.error(
                request, "The agreement changed while you were looking at its history; look again."
            )
            return HttpResponseRedirect(history_url)
        except ValidationError as error:
            messages.error(request, "Could not revert: " + " ".join(error.messages))
            return HttpResponseRedirect(history_url)
        messages.success(
            request, "The agreement and its parts are back as they were; the revert is in the history."
        )
        return HttpResponseRedirect(reverse("admin:agreements_agreement_change", args=[agreement.pk]))

    def deleted_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Deleted agreements",
            "opts": self.opts,
            "records": deleted_agreements().select_related("history_user", "party_a", "party_b")[:200],
            "can_restore": self.can_restore(request),
        }
        return TemplateResponse(request, "admin/agreements/agreement/deleted.html", context)

    def can_restore(self, request: HttpRequest) -> bool:
        """Undoing a deletion takes the right to delete: an editor may not bring back what an
        administrator deleted (``add`` alone let them)."""
        return self.has_add_permission(request) and self.has_delete_permission(request)

    def restore_view(self, request: HttpRequest, agreement_id: int) -> HttpResponse:
        if not self.can_restore(request):
            raise PermissionDenied
        try:
            agreement = agreement_restore(agreement_id=agreement_id)
        except ValidationError as error:
            messages.error(request, "Could not restore: " + " ".join(error.messages))
            return HttpResponseRedirect(reverse("admin:agreements_agreement_deleted"))
        messages.success(
            request,
            f"“{agreement}” is restored with its participants, clauses, events, commitments and sources.",
        )
        return HttpResponseRedirect(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
