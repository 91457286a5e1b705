"""A commitment's own page: what later reports say of it (its implementation events).

Commitments are added on their agreement's page; here an editor records progress, a
confirmation that it was met, a breach, an extension of the deadline or its
supersession. The save is the part service's: the agreement's commitment is replaced
with this one, so every rule of the agreement applies and its history records it.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from ..dates import DatePrecision, PartialDate
from ..models import Commitment, ImplementationEvent
from ..services import CommitmentIn, ImplementationEventIn, StaleVersionError, agreement_part_replace
from .dates import ISO_DATE_INPUTS
from .forms import CommitmentForm
from .writing import Entry, ServiceFormSet, ServiceModelForm, ServicePartForm, WritesThroughServices

_IN_AGREEMENT = re.compile(r"^commitments\[\d+\]\.?")


class ImplementationEventForm(ServicePartForm):
    class Meta:
        model = ImplementationEvent
        fields = ["kind", "date", "date_precision", "new_due_on", "new_due_on_precision", "note", "source"]
        help_texts = {
            "date": "When it was reported to have happened; for a month or a year, any day in it.",
            "new_due_on": "For an extension only: the new deadline.",
        }

    def _get_validation_exclusions(self):
        # Dates are stored as their period's first day, and whether an extension has a new
        # deadline is the services' rule (with its message): not the stored row's to check here.
        return {*super()._get_validation_exclusions(), "date", "new_due_on"}


class ImplementationEventInline(admin.TabularInline):
    formfield_overrides = ISO_DATE_INPUTS
    model = ImplementationEvent
    form = ImplementationEventForm
    formset = ServiceFormSet
    extra = 1
    autocomplete_fields = ["source"]
    verbose_name_plural = "what later reports say of it"


class CommitmentPageForm(ServiceModelForm, CommitmentForm):
    """The commitment's fields, and the version of its agreement the editor opened."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["read_version"].initial = self.instance.agreement.version


def _event(form) -> ImplementationEventIn:
    values = form.cleaned_data
    new_due = values["new_due_on"]
    return ImplementationEventIn(
        kind=values["kind"],
        date=PartialDate.of(values["date"], values["date_precision"]),
        new_due=PartialDate.of(new_due, values["new_due_on_precision"] or DatePrecision.DAY)
        if new_due
        else None,
        note=values["note"],
        source=values["source"],
    )


def _stored_event(event: ImplementationEvent) -> ImplementationEventIn:
    return ImplementationEventIn(event.kind, event.partial_date, event.new_due, event.note, event.source)


@admin.register(Commitment)
class CommitmentAdmin(WritesThroughServices):
    formfield_overrides = ISO_DATE_INPUTS
    form = CommitmentPageForm
    inlines = [ImplementationEventInline]
    list_display = ["__str__", "agreement", "party", "state", "due_display"]
    list_filter = ["state"]
    list_select_related = ["agreement", "party"]
    search_fields = ["text", "agreement__title"]
    autocomplete_fields = ["party", "source"]
    readonly_fields = ["agreement", "state", "due_display"]
    fields = [
        "agreement",
        ("position", "party"),
        "text",
        "clause_positions",
        ("due_on", "due_on_precision"),
        "due_note",
        "source",
        ("state", "due_display"),
        "read_version",
    ]

    @admin.display(description="due now (after extensions)")
    def due_display(self, commitment: Commitment) -> str:
        return commitment.due_display or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a commitment is added on its agreement's page

    def write_entry(self, request: HttpRequest, entry: Entry) -> Commitment:
        commitment: Commitment = entry.form.instance
        values = entry.form.cleaned_data
        entry.rows = {"events": entry.rows_of("events", list(commitment.events.all()), _event, _stored_event)}
        due = values["due_on"]
        item = CommitmentIn(
            position=values["position"],
            text=values["text"],
            party=values["party"].pk if values["party"] else None,
            clauses=values["clause_positions"],
            due=PartialDate.of(due, values["due_on_precision"] or DatePrecision.DAY) if due else None,
            due_note=values["due_note"],
            source=values["source"],
            events=entry.rows["events"].items,
        )
        try:
            _, key = agreement_part_replace(
                agreement=commitment.agreement,
                collection="commitments",
                key=commitment.pk,
                item=item,
                expected_version=values.get("read_version"),
            )
        except StaleVersionError as stale:
            raise ValidationError(
                f"Someone else changed this agreement while you were editing (it is now version "
                f"{stale.current}). Nothing of yours was saved; open the commitment again."
            ) from None
        except ValidationError as error:
            # The agreement's paths (commitments[2].events[0].date) as this page's.
            raise ValidationError(
                {
                    _IN_AGREEMENT.sub("", path) or "__all__": messages
                    for path, messages in error.message_dict.items()
                }
            ) from None
        return Commitment.objects.get(pk=key)
