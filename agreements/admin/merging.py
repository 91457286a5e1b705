"""The admin action "Merge the two selected …": choose the record to keep, see what moves, confirm."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def merge_action(merge: Callable[..., Model], noun: str) -> Callable:
    """An admin action merging two selected records with the service ``merge(keep=, merge=)``."""

    @admin.action(description=f"Merge the two selected {noun}", permissions=["change"])
    def merge_selected(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        chosen = list(queryset.order_by("pk"))
        if len(chosen) != 2:
            modeladmin.message_user(request, f"Select exactly two {noun} to merge.", messages.WARNING)
            return None
        keep_id = request.POST.get("keep")
        if request.POST.get("confirm") and keep_id in {str(record.pk) for record in chosen}:
            keep = next(record for record in chosen if str(record.pk) == keep_id)
            other = next(record for record in chosen if record is not keep)
            try:
                merge(keep=keep, merge=other)
            except ValidationError as error:
                modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            modeladmin.message_user(
                request,
                f"“{other}” is merged into “{keep}”: its agreements, names and sources are now theirs, "
                "and the history records both.",
                messages.SUCCESS,
            )
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": f"Merge two {noun}",
            "opts": modeladmin.model._meta,
            "records": chosen,
            "noun": noun,
            "action": "merge_selected",
        }
        return TemplateResponse(request, "admin/agreements/merge_confirmation.html", context)

    return merge_selected
