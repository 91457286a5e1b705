"""What a signed-in user follows, in the admin: their watches, their digests, the change log.

Every staff user (a Viewer is enough) manages their own watches here as on the report
pages; the write goes through ``services.watches``. Administrators see everyone's. The
digests are a read-only log (sent, failed and why); the change log is the outbox the feeds,
digests and webhooks read, read-only for whoever may view agreements.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from ..models import ChangeEvent, Digest, Watch
from ..services import watches as service


class WatchForm(forms.ModelForm):
    """Reads the fields; ``services.watches.watch_add`` decides and writes."""

    class Meta:
        model = Watch
        fields = ["party_a", "party_b", "country", "category"]
        help_texts = {
            "party_a": "To watch a pair: both of its countries, in either order.",
            "country": "Or one country: every pair it is part of.",
            "category": "Or one category of clauses (its subcategories included).",
        }

    user = None  # set by the ModelAdmin: whose watch this is
    saved: Watch | None = None

    def _post_clean(self) -> None:
        # The model's own validation would refuse a pair given in the wrong order; the
        # service puts it in order and checks the rest.
        if self.errors:
            return
        data = self.cleaned_data
        pair = (data["party_a"], data["party_b"]) if data.get("party_a") or data.get("party_b") else None
        if pair is not None and None in pair:
            self.add_error("party_b" if pair[1] is None else "party_a", "A pair needs both countries.")
            return
        try:
            with transaction.atomic():
                self.saved = service.watch_add(
                    user=self.user, pair=pair, country=data.get("country"), category=data.get("category")
                )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)


def _own(request: HttpRequest, obj) -> bool:
    return obj is None or request.user.is_superuser or obj.user_id == request.user.pk


class OwnRecordsAdmin(admin.ModelAdmin):
    """Each staff user sees their own records; administrators see everyone's."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        records = super().get_queryset(request).select_related("user")
        return records if request.user.is_superuser else records.filter(user=request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request) and _own(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Watch)
class WatchAdmin(OwnRecordsAdmin):
    form = WatchForm
    list_display = ["label", "user", "created_at"]
    list_select_related = ["party_a", "party_b", "country", "category", "user"]
    autocomplete_fields = ["party_a", "party_b", "country", "category"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request) and _own(request, obj)

    @admin.display(description="watching")
    def label(self, watch: Watch) -> str:
        return watch.label

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = form.saved.pk  # written by the form's call to the service
        obj._state.adding = False
        obj.refresh_from_db()

    def delete_model(self, request, obj) -> None:
        service.watch_remove(user=obj.user, watch=obj)

    def delete_queryset(self, request, queryset) -> None:
        for watch in queryset:
            service.watch_remove(user=watch.user, watch=watch)


@admin.register(Digest)
class DigestAdmin(OwnRecordsAdmin):
    list_display = ["created_at", "user", "period", "changes", "state", "sent_at", "error"]
    list_filter = ["state", "period"]
    readonly_fields = [field.name for field in Digest._meta.fields if field.name != "id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ChangeEvent)
class ChangeEventAdmin(admin.ModelAdmin):
    """The outbox, as it was written: nothing here can be changed."""

    list_display = ["id", "created_at", "kind", "party_a", "party_b", "title", "summary", "interface"]
    list_filter = ["kind", "interface"]
    search_fields = ["title", "summary", "party_a", "party_b"]
    readonly_fields = [field.name for field in ChangeEvent._meta.fields]
    show_full_result_count = False  # the outbox grows without end; counting it is a scan

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("agreements.view_agreement")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
