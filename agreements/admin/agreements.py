"""The agreement admin: one page for an agreement and all of its parts, saved through the services."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..choices import EventType
from ..dates import DatePrecision, PartialDate
from ..models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Clause,
    Commitment,
    Participant,
    StatusEvent,
)
from ..services import (
    AGREEMENT_FIELDS,
    AgreementIn,
    CitationIn,
    ClauseIn,
    CommitmentIn,
    EventIn,
    ParticipantIn,
    PossibleDuplicateError,
    RelationIn,
    StaleVersionError,
    agreement_create,
    agreement_update,
    relation_create,
    relation_delete,
    relation_update,
)
from ..services.inputs import clause_to_input, commitment_to_input, event_to_input, participant_to_input
from .dates import ISO_DATE_INPUTS
from .filters import CategoryFilter, PartyFilter, SignatureYearFilter
from .forms import AgreementForm, ClauseForm, CommitmentForm, StatusEventForm
from .history import AgreementHistoryMixin
from .importing import SpreadsheetImportAdminMixin
from .intake import IntakeAdminMixin
from .writing import Entry, Rows, ServiceFormSet, ServicePartForm, WritesThroughServices


class CitationInline(admin.TabularInline):
    model = AgreementSource
    form = ServicePartForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources (those cited for any part are added on save)"


class ParticipantInline(admin.StackedInline):
    model = Participant
    form = ServicePartForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["person", "party", "body", "source"]
    # Stacked, a row of related fields a line: nine columns would not fit a laptop's screen.
    fields = [("role", "party", "body"), ("person", "description"), ("office", "rank"), ("source", "note")]
    verbose_name = "participant"
    verbose_name_plural = "participants (who signed, initialled, witnessed, negotiated or attended)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Participant]:
        # Each row is headed "<person> (<role>) for <country>": both in the one query.
        return super().get_queryset(request).select_related("person", "party")


class ClauseInline(admin.StackedInline):
    model = Clause
    form = ClauseForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["categories", "source"]
    fields = [("position", "article"), "text", "categories", "source"]


class StatusEventInline(admin.TabularInline):
    formfield_overrides = ISO_DATE_INPUTS
    model = StatusEvent
    form = StatusEventForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["party", "source"]
    fields = ["status", "date", "date_precision", "date_note", "party", "source", "note"]


class CommitmentInline(admin.StackedInline):
    formfield_overrides = ISO_DATE_INPUTS
    model = Commitment
    form = CommitmentForm
    formset = ServiceFormSet
    extra = 0
    autocomplete_fields = ["party", "source"]
    fields = [
        ("position", "party"),
        "text",
        "clause_positions",
        ("due_on", "due_on_precision"),
        "due_note",
        "source",
        ("state", "due_display"),
    ]
    readonly_fields = ["state", "due_display"]
    show_change_link = True  # its implementation events are on its own page
    verbose_name_plural = "commitments (open one to record what became of it)"

    @admin.display(description="due now (after extensions)")
    def due_display(self, commitment: Commitment) -> str:
        return commitment.due_display or "—"


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


def _participant(form) -> ParticipantIn:
    values = form.cleaned_data
    return ParticipantIn(
        party=values["party"].pk,
        person=values["person"],
        role=values["role"],
        description=values["description"],
        body=values["body"],
        office=values["office"],
        rank=values["rank"],
        note=values["note"],
        source=values["source"],
    )


def _clause(form) -> ClauseIn:
    values = form.cleaned_data
    return ClauseIn(
        position=values["position"],
        text=values["text"],
        article=values["article"],
        categories=list(values["categories"]),
        source=values["source"],
    )


def _event(form) -> EventIn:
    values = form.cleaned_data
    party = values["party"]
    return EventIn(
        status=values["status"],
        date=PartialDate.of(values["date"], values["date_precision"]),
        party=party.pk if party else None,
        date_note=values["date_note"],
        note=values["note"],
        source=values["source"],
    )


def _citation(form) -> CitationIn:
    return CitationIn(source=form.cleaned_data["source"], supports=form.cleaned_data["supports"])


def _commitment(form) -> CommitmentIn:
    """A commitment row; its implementation events (edited on its own page) stay as stored."""
    values = form.cleaned_data
    kept = commitment_to_input(form.instance, [], form.instance.events.all()) if form.instance.pk else None
    due = values["due_on"]
    return CommitmentIn(
        position=values["position"],
        text=values["text"],
        party=values["party"].pk if values["party"] else None,
        clauses=values["clause_positions"],
        due=PartialDate.of(due, values["due_on_precision"] or DatePrecision.DAY) if due else None,
        due_note=values["due_note"],
        source=values["source"],
        events=kept.events if kept else (),
    )


def _stored_commitment(commitment: Commitment) -> CommitmentIn:
    return commitment_to_input(
        commitment, [c.position for c in commitment.clauses.all()], commitment.events.all()
    )


def _number(rows: Rows) -> None:
    """Rows typed without a position go after the others, in the order of the page."""
    taken = [item.position for item in rows.items if item.position is not None]
    following = max(taken, default=0)
    for index, item in enumerate(rows.items):
        if item.position is None:
            following += 1
            rows.items[index] = replace(item, position=following)


def _sign(rows: Rows, signed: PartialDate | None, note: str) -> None:
    """The "Signed on" field is the joint signature event: it updates that row, or adds one."""
    if signed is None:
        return
    for index, item in enumerate(rows.items):
        if item.status == EventType.SIGNED and item.party is None:
            rows.items[index] = replace(item, date=signed, date_note=note or item.date_note)
            return
    rows.add(EventIn(EventType.SIGNED, signed, date_note=note), None)


def _inherit_source(rows: dict[str, Rows], source) -> None:
    """Every part that names no source cites the agreement's; the agreement cites it too."""
    for collection in ("participants", "clauses", "events", "commitments"):
        items = rows[collection].items
        for index, item in enumerate(items):
            if collection == "commitments":
                events = [replace(e, source=e.source or source) for e in item.events]
                item = replace(item, events=events)
            items[index] = replace(item, source=item.source or source)
    citations = rows["citations"]
    if all(citation.source != source for citation in citations.items):
        citations.add(CitationIn(source), None)


def _stored(agreement: Agreement, collection: str) -> list:
    return list(getattr(agreement, collection).all()) if agreement.pk else []


@admin.register(Agreement)
class AgreementAdmin(
    SpreadsheetImportAdminMixin, IntakeAdminMixin, AgreementHistoryMixin, WritesThroughServices
):
    DERIVED = "Status (derived from the status events below)"
    form = AgreementForm
    inlines = [
        ParticipantInline,
        ClauseInline,
        StatusEventInline,
        CommitmentInline,
        CitationInline,
        RelationInline,
    ]
    list_display = ["title", "party_a", "party_b", "kind", "level", "status", "signed_display"]
    list_select_related = ["party_a", "party_b"]
    list_filter = [
        PartyFilter,
        "status",
        "kind",
        CategoryFilter,
        SignatureYearFilter,
        "level",
        "evidence",
        "disclosure",
    ]
    search_fields = [
        "title",
        "summary",
        "clauses__text",
        "participants__person__name",
        "participants__person__other_names__name",
    ]
    search_help_text = "Title, summary, clause text, or any spelling of a participant's name."
    date_hierarchy = "signed_on"
    # One COUNT(*) per page is enough; a second (the unfiltered total) doubles the cost on a big table.
    show_full_result_count = False
    autocomplete_fields = ["party_a", "party_b", "body_a", "body_b"]
    readonly_fields = [
        "level_display",
        "status",
        "signed_display",
        "in_force_from_display",
        "ended_on_display",
        "version",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "kind",
                    ("party_a", "party_b"),
                    ("signed", "place_of_signature"),
                    "signed_note",
                    "source",
                    ("body_a", "body_b"),
                    "level",
                    "read_version",
                ]
            },
        ),
        ("Content", {"fields": ["summary", "full_text", "disclosure", "evidence"]}),
        (
            DERIVED,
            {
                "fields": [
                    ("level_display", "status", "signed_display"),
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
        js = ["agreements/admin.js"]

    def get_form(self, request: HttpRequest, obj: Agreement | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # The agreement-wide source is not a field of the agreement: lend it the citations'
        # autocomplete, which finds sources as editors know them.
        form.base_fields["source"].widget = AutocompleteSelect(
            AgreementSource._meta.get_field("source"), self.admin_site
        )
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """ "Save and add another from the same report" opens a form with the same parties and source."""
        initial = super().get_changeform_initial_data(request)
        if "source" in request.GET:
            initial["source"] = request.GET["source"]
        return initial

    def response_add(self, request: HttpRequest, obj: Agreement, post_url_continue=None):
        if "_addanother_same_report" in request.POST:
            source = request.POST.get("source", "")
            query = urlencode(
                {
                    "party_a": obj.party_a_id,
                    "party_b": obj.party_b_id,
                    **({"source": source} if source else {}),
                }
            )
            messages.success(request, f"“{obj}” was added. The next one, from the same report:")
            return HttpResponseRedirect(f"{reverse('admin:agreements_agreement_add')}?{query}")
        return super().response_add(request, obj, post_url_continue)

    def get_fieldsets(self, request: HttpRequest, obj: Agreement | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        # Nothing is derived before the first save: a new agreement showed "Version 1" and a
        # row of dashes. "Save anyway" is offered once the duplicate guard may have spoken.
        fieldsets = [fieldset for fieldset in fieldsets if fieldset[0] != self.DERIVED]
        if request.method == "POST":
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], "allow_duplicate"]})
        return fieldsets

    @admin.display(description="level")
    def level_display(self, agreement: Agreement) -> str:
        return agreement.get_level_display()

    @admin.display(description="signed", ordering="signed_on")
    def signed_display(self, agreement: Agreement) -> str:
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
            "participants": entry.rows_of(
                "participants", _stored(agreement, "participants"), _participant, participant_to_input
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
            "commitments": entry.rows_of(
                "commitments", _stored(agreement, "commitments"), _commitment, _stored_commitment
            ),
        }
        values = form.cleaned_data
        _number(entry.rows["clauses"])
        _number(entry.rows["commitments"])
        _sign(entry.rows["events"], values["signed"], values["signed_note"])
        if values["source"] is not None:
            _inherit_source(entry.rows, values["source"])
        data = AgreementIn(
            party_a=values["party_a"].pk,
            party_b=values["party_b"].pk,
            body_a=values["body_a"],
            body_b=values["body_b"],
            level=values["level"] or None,
            **{name: values[name] for name in AGREEMENT_FIELDS},
            **{collection: rows.items for collection, rows in entry.rows.items()},
        )
        if agreement.pk is None:
            try:
                saved = agreement_create(data=data, allow_duplicate=values.get("allow_duplicate", False))
            except PossibleDuplicateError as error:
                raise ValidationError({"__all__": [self._duplicates_message(error)]}) from None
        else:
            try:
                saved = agreement_update(
                    agreement=agreement, data=data, expected_version=values.get("read_version")
                )
            except StaleVersionError as stale:
                message = self._stale_message(agreement, values.get("read_version"), stale.current)
                raise ValidationError({"__all__": [message]}) from None
        self._write_relations(entry, saved)
        self._tell_what_happened(request, values, saved)
        return saved

    @staticmethod
    def _tell_what_happened(request: HttpRequest, values: dict, saved: Agreement) -> None:
        """No surprise after the save: a pair stored in the other order, an agreement with no source."""
        if values["party_a"].pk > values["party_b"].pk:
            messages.info(
                request,
                f"The pair is stored as {saved.party_a.name} – {saved.party_b.name}, in the order of their "
                "codes, so that every report finds it; nothing else changed.",
            )
        if not saved.citations.exists():
            messages.warning(
                request, "No source is cited for this agreement: name one where the facts come from."
            )

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
    def _duplicates_message(error: PossibleDuplicateError) -> str:
        items = format_html_join(
            "",
            '<li><a href="{}" target="_blank">{}</a> — {}</li>',
            (
                (reverse("admin:agreements_agreement_change", args=[c.id]), c.title, c.why)
                for c in error.candidates
            ),
        )
        return format_html(
            "This agreement may already be recorded:<ul>{}</ul>Nothing was saved. If it is another "
            "agreement, tick “Save anyway” and save again.",
            items,
        )

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
