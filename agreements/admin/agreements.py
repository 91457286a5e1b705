"""The agreement admin: one page for an agreement and all of its parts, saved through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from ..dates import PartialDate
from ..models import Agreement, AgreementRelation, AgreementSource, Clause, Signatory, StatusEvent
from ..services import (
    AGREEMENT_FIELDS,
    AgreementIn,
    CitationIn,
    ClauseIn,
    EventIn,
    RelationIn,
    SignatoryIn,
    StaleVersionError,
    agreement_create,
    agreement_update,
    relation_create,
    relation_delete,
    relation_update,
)
from ..services.inputs import clause_to_input, event_to_input, signatory_to_input
from .filters import CategoryFilter, PartyFilter, SignatureYearFilter
from .forms import AgreementForm, ClauseForm, StatusEventForm
from .history import AgreementHistoryMixin
from .writing import Entry, Rows, ServiceFormSet, ServicePartForm, WritesThroughServices


class CitationInline(admin.TabularInline):
    model = AgreementSource
    form = ServicePartForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources (those cited below for events, clauses and signatories are added on save)"


class SignatoryInline(admin.TabularInline):
    model = Signatory
    form = ServicePartForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["person", "party", "source"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Signatory]:
        # Each row is headed "<person> for <country>": both in the one query.
        return super().get_queryset(request).select_related("person", "party")


class ClauseInline(admin.StackedInline):
    model = Clause
    form = ClauseForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["categories", "source"]
    fields = [("position", "article"), "text", "categories", "source"]


class StatusEventInline(admin.TabularInline):
    model = StatusEvent
    form = StatusEventForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["party", "source"]
    fields = ["status", "date", "date_precision", "date_note", "party", "source", "note"]


class RelationInline(admin.TabularInline):
    model = AgreementRelation
    form = ServicePartForm
    formset = ServiceFormSet
    fk_name = "from_agreement"
    extra = 0
    autocomplete_fields = ["to_agreement"]
    verbose_name = "relation to another agreement"
    verbose_name_plural = "relations to other agreements"


# --- From the page's rows to the services' input ----------------------------------------------------


def _signatory(values: dict[str, Any]) -> SignatoryIn:
    return SignatoryIn(
        person=values["person"],
        party=values["party"].pk,
        office=values["office"],
        rank=values["rank"],
        note=values["note"],
        source=values["source"],
    )


def _clause(values: dict[str, Any]) -> ClauseIn:
    return ClauseIn(
        position=values["position"],
        text=values["text"],
        article=values["article"],
        categories=list(values["categories"]),
        source=values["source"],
    )


def _event(values: dict[str, Any]) -> EventIn:
    party = values["party"]
    return EventIn(
        status=values["status"],
        date=PartialDate.of(values["date"], values["date_precision"]),
        party=party.pk if party else None,
        date_note=values["date_note"],
        note=values["note"],
        source=values["source"],
    )


def _citation(values: dict[str, Any]) -> CitationIn:
    return CitationIn(source=values["source"], supports=values["supports"])


def _stored(agreement: Agreement, collection: str) -> list:
    return list(getattr(agreement, collection).all()) if agreement.pk else []


@admin.register(Agreement)
class AgreementAdmin(AgreementHistoryMixin, WritesThroughServices):
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

    # --- The save: one call of agreement_create / agreement_update ---------------------------------

    def write_entry(self, request: HttpRequest, entry: Entry) -> Agreement:
        form = entry.form
        agreement: Agreement = form.instance
        if agreement.pk:
            agreement = Agreement.objects.with_details().get(pk=agreement.pk)
        entry.rows = {
            "signatories": entry.rows_of(
                "signatories", _stored(agreement, "signatories"), _signatory, signatory_to_input
            ),
            "clauses": entry.rows_of(
                "clauses",
                _stored(agreement, "clauses"),
                _clause,
                lambda c: clause_to_input(c, c.categories.all()),
            ),
            "events": entry.rows_of("events", _stored(agreement, "events"), _event, event_to_input),
            "citations": entry.rows_of(
                "citations",
                _stored(agreement, "citations"),
                _citation,
                lambda c: CitationIn(c.source, c.supports),
            ),
        }
        values = form.cleaned_data
        data = AgreementIn(
            party_a=values["party_a"].pk,
            party_b=values["party_b"].pk,
            **{name: values[name] for name in AGREEMENT_FIELDS},
            **{collection: rows.items for collection, rows in entry.rows.items()},
        )
        if agreement.pk is None:
            saved = agreement_create(data=data)
        else:
            try:
                saved = agreement_update(
                    agreement=agreement, data=data, expected_version=values.get("read_version")
                )
            except StaleVersionError as stale:
                message = self._stale_message(agreement, values.get("read_version"), stale.current)
                raise ValidationError({"__all__": [message]}) from None
        self._write_relations(entry, saved)
        return saved

    def _write_relations(self, entry: Entry, agreement: Agreement) -> None:
        formset = entry.formset("relations_from")
        rows = entry.rows["relations_from"] = Rows()
        for form in formset.forms if formset is not None else ():
            relation: AgreementRelation = form.instance
            if form in formset.deleted_forms:
                if relation.pk:
                    relation_delete(relation=relation)
                continue
            if not form.has_changed():
                continue
            values = form.cleaned_data
            data = RelationIn(agreement, values["to_agreement"], values["kind"], values["note"])
            rows.add(data, form)
        errors = {}
        for index, (data, form) in enumerate(zip(rows.items, rows.forms, strict=True)):
            try:
                if form.instance.pk:
                    relation_update(relation=form.instance, data=data)
                else:
                    relation_create(data=data)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors[f"relations_from[{index}].{name}"] = messages
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _stale_message(agreement: Agreement, opened: int | None, current: int) -> str:
        url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
        return format_html(
            "Someone else saved this agreement while you were editing it (you opened version {}; "
            "it is now version {}). Nothing of yours was saved. "
            '<a href="{}">Open the current version</a> and make your changes again.',
            opened,
            current,
            url,
        )
