"""The agreement admin: one form for an agreement and all of its parts."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ..models import Agreement, AgreementRelation, AgreementSource, Clause, Signatory, StatusEvent
from ..services import agreement_sync
from .filters import CategoryFilter, PartyFilter, SignatureYearFilter
from .forms import AgreementForm, SignatoryFormSet, StatusEventForm, StatusEventFormSet
from .history import AgreementHistoryMixin


class CitationInline(admin.TabularInline):
    model = AgreementSource
    extra = 0
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources (those cited below for events, clauses and signatories are added on save)"


class SignatoryInline(admin.TabularInline):
    model = Signatory
    formset = SignatoryFormSet
    extra = 0
    autocomplete_fields = ["person", "party", "source"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Signatory]:
        # Each row is headed "<person> for <country>": both in the one query.
        return super().get_queryset(request).select_related("person", "party")


class ClauseInline(admin.StackedInline):
    model = Clause
    extra = 0
    autocomplete_fields = ["categories", "source"]
    fields = [("position", "article"), "text", "categories", "source"]


class StatusEventInline(admin.TabularInline):
    model = StatusEvent
    form = StatusEventForm
    formset = StatusEventFormSet
    extra = 0
    autocomplete_fields = ["party", "source"]
    fields = ["status", "date", "date_precision", "date_note", "party", "source", "note"]


class RelationInline(admin.TabularInline):
    model = AgreementRelation
    fk_name = "from_agreement"
    extra = 0
    autocomplete_fields = ["to_agreement"]
    verbose_name = "relation to another agreement"
    verbose_name_plural = "relations to other agreements"


@admin.register(Agreement)
class AgreementAdmin(AgreementHistoryMixin, admin.ModelAdmin):
    DERIVED = "Status (derived from the status events below)"
    form = AgreementForm
    inlines = [SignatoryInline, ClauseInline, StatusEventInline, CitationInline, RelationInline]
    list_display = ["title", "party_a", "party_b", "kind", "status", "signed"]
    list_select_related = ["party_a", "party_b"]
    list_filter = [
        PartyFilter,
        "status",
        "kind",
        CategoryFilter,
        SignatureYearFilter,
        "evidence",
        "text_public",
    ]
    search_fields = [
        "title",
        "summary",
        "clauses__text",
        "signatories__person__name",
        "signatories__person__other_names__name",
    ]
    search_help_text = "Title, summary, clause text, or any spelling of a signatory's name."
    date_hierarchy = "signed_on"
    # One COUNT(*) per page is enough; a second (the unfiltered total) doubles the cost on a big table.
    show_full_result_count = False
    autocomplete_fields = ["party_a", "party_b"]
    readonly_fields = [
        "status",
        "signed",
        "in_force_from_display",
        "ended_on_display",
        "version",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "kind", ("party_a", "party_b"), "place_of_signature", "read_version"]}),
        ("Content", {"fields": ["summary", "full_text", "text_public", "evidence"]}),
        (
            DERIVED,
            {
                "fields": [
                    ("status", "signed"),
                    ("in_force_from_display", "ended_on_display"),
                    ("version", "updated_at"),
                ]
            },
        ),
        (
            "Identifiers in other registries",
            {
                "fields": [("unts_registration", "wikidata_qid"), ("atop_id", "dcad_id")],
                "classes": ["collapse"],
            },
        ),
    ]

    class Media:
        css = {"all": ["agreements/admin.css"]}

    def get_fieldsets(self, request: HttpRequest, obj: Agreement | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # Nothing is derived before the first save: a new agreement showed "Version 1"
            # and a row of dashes.
            return [fieldset for fieldset in fieldsets if fieldset[0] != self.DERIVED]
        return fieldsets

    @admin.display(description="signed", ordering="signed_on")
    def signed(self, agreement: Agreement) -> str:
        return agreement.signed_on_display or "—"

    @admin.display(description="in force from")
    def in_force_from_display(self, agreement: Agreement) -> str:
        return agreement.in_force_from_display or "—"

    @admin.display(description="ended")
    def ended_on_display(self, agreement: Agreement) -> str:
        return agreement.ended_on_display or "—"

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The formsets have checked the same rules, so this derives; it does not refuse.
        agreement_sync(agreement=form.instance)
