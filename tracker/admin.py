"""The project's admin site: the agreement app's titles, and autocompletes that say what matched."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Model
from django.http import HttpRequest, HttpResponse


class AutocompleteView(AutocompleteJsonView):
    """Autocomplete results that name the spelling they were found by, where a model can."""

    def serialize_result(self, obj: Model, to_field_name: str) -> dict:
        result = super().serialize_result(obj, to_field_name)
        if hasattr(obj, "name_matching"):
            result["text"] = obj.name_matching(self.term)
        return result


class TrackerAdminSite(admin.AdminSite):
    site_header = "Bilateral agreement tracker"
    site_title = "Agreement tracker"
    index_title = "Agreements, people and sources"
    # The index links "Add from a news report" for editors (agreements/templates/admin/).
    index_template = "admin/tracker_index.html"
    # One dash for "nothing here" everywhere: the derived dates already show an em dash, and
    # the read-only inline rows a viewer sees mixed it with Django's hyphen.
    empty_value_display = "—"

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return AutocompleteView.as_view(admin_site=self)(request)
