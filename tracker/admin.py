"""The project's admin site: the agreement app's titles, and autocompletes that say what matched."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db import DataError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html


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

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        """Every admin page answers a bad query parameter with a 400, never a 500.

        Django's admin checks the form of its filters' values (a malformed one redirects to
        ``?e=1``) but not their range: a NUL character (PostgreSQL cannot compare text with
        one: ``?party=%00``, a search, an autocomplete term), an id beyond 64 bits
        (``?groups__exact=9223372036854775808``) or a year no date has were 500s.
        """
        guarded = super().admin_view(view, cacheable)

        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            for name, values in request.GET.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    message = "The query parameter “{}” contains a NUL character, which no value can have."
                    return HttpResponseBadRequest(format_html(message, name.replace("\x00", "\\x00")))
            if request.method not in ("GET", "HEAD"):
                return guarded(request, *args, **kwargs)
            try:
                response = guarded(request, *args, **kwargs)
                # A change list runs its query while its template renders: render it here.
                if isinstance(response, TemplateResponse) and not response.is_rendered:
                    response.render()
            except (OverflowError, DataError):
                return HttpResponseBadRequest("A query parameter is out of range; remove it or change it.")
            return response

        return checked
