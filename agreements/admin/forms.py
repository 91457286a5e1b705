"""The agreement's forms in the admin: they read what the editor typed, field by field.

Every rule that spans fields, rows or stored data (two different parties, a signatory
for one of them, a person listed once, the order of status events, the version the
editor opened) is the services'; ``writing`` puts their messages on these forms.
"""

from __future__ import annotations

import re

from django import forms

from ..choices import EventType, Level
from ..dates import ACCEPTED_FORMS, PartialDate, parse_partial_date
from ..models import Agreement, Clause, Commitment, Source, StatusEvent
from ..services import AGREEMENT_FIELDS
from .writing import ServiceModelForm, ServicePartForm


class PartialDateField(forms.CharField):
    """A date typed as people write it; the precision follows what is typed (``dates.parse_partial_date``)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", f"For example {ACCEPTED_FORMS}: the precision follows what you type.")
        super().__init__(required=False, max_length=40, **kwargs)

    def clean(self, value) -> PartialDate | None:
        text = super().clean(value).strip()
        if not text:
            return None
        try:
            return parse_partial_date(text)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class AgreementForm(ServiceModelForm):
    # The version the editor's copy was read at: a save from an older copy is refused by the
    # service rather than silently overwriting someone else's change.
    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    allow_duplicate = forms.BooleanField(
        required=False,
        label="Save anyway",
        help_text="Tick after checking the agreements listed above: this one is not among them.",
    )
    # Not the model's field: empty means "from the sides' bodies, or as it is" (the services' rule).
    level = forms.ChoiceField(
        required=False,
        choices=[("", "— from the sides (or as it is) —"), *Level.choices],
        help_text="Leave empty to derive it from the bodies of the sides; sub-national sides make "
        "a sub-national agreement, which reports do not count between the two states.",
    )

    # The signature at the top of the form: it writes the "signed" status event.
    signed = PartialDateField(label="Signed on")
    signed_note = forms.CharField(
        required=False,
        max_length=300,
        label="How the date is known",
        help_text="e.g. “on Sunday” in a report published 24 July 2017.",
    )
    # One source for the whole agreement: the parts that cite none inherit it.
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        help_text="Cited by the agreement and inherited by every part below that names no source of its own.",
    )

    class Meta:
        model = Agreement
        fields = ["party_a", "party_b", "body_a", "body_b", *AGREEMENT_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["read_version"].initial = self.instance.version
            event = signature_event(self.instance)
            if event is not None:
                self.fields["signed"].initial = str(event.partial_date)
                self.fields["signed_note"].initial = event.date_note

    def _get_validation_exclusions(self):
        # The pair (two different countries, stored in canonical order) is the services' rule;
        # the editor may give the two parties in either order.
        return {*super()._get_validation_exclusions(), "party_a", "party_b"}


class StatusEventForm(ServicePartForm):
    class Meta:
        model = StatusEvent
        fields = ["status", "date", "date_precision", "date_note", "party", "source", "note"]
        help_texts = {
            "date": "For a month or a year, any day in it will do: the period's first day is stored.",
        }

    def _get_validation_exclusions(self):
        # A day inside a month or a year is accepted and stored as the period's first day
        # (``PartialDate.of``, when the services' input is built), so the stored form's
        # constraint is not the typed date's to meet.
        return {*super()._get_validation_exclusions(), "date"}


class CommitmentForm(ServicePartForm):
    """A commitment row; the clauses it comes from are typed as positions ("1, 3")."""

    clause_positions = forms.CharField(
        required=False,
        label="from clauses",
        help_text="Positions of the clauses it comes from, e.g. “1, 3”.",
    )

    class Meta:
        model = Commitment
        fields = ["position", "party", "text", "due_on", "due_on_precision", "due_note", "source"]
        help_texts = {"due_on": "For a month or a year, any day in it will do."}
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        if self.instance.pk:
            positions = sorted(clause.position for clause in self.instance.clauses.all())
            self.fields["clause_positions"].initial = ", ".join(map(str, positions))

    def clean_clause_positions(self) -> list[int]:
        text = self.cleaned_data["clause_positions"].strip()
        if not text:
            return []
        if not re.fullmatch(r"\d+(\s*[,;]\s*\d+)*", text):
            raise forms.ValidationError("Give clause positions as numbers separated by commas, e.g. “1, 3”.")
        return [int(number) for number in re.split(r"\s*[,;]\s*", text)]

    def _get_validation_exclusions(self):
        # The due date is stored as its period's first day (the services' partial-date rule).
        return {*super()._get_validation_exclusions(), "due_on"}


def signature_event(agreement: Agreement) -> StatusEvent | None:
    """The event the "Signed on" field stands for: the agreement's joint signature."""
    return agreement.events.filter(status=EventType.SIGNED, party=None).order_by("date", "id").first()


class ClauseForm(ServicePartForm):
    """A clause row: left without a position, it goes after the others."""

    class Meta:
        model = Clause
        fields = ["position", "article", "text", "categories", "source"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        # Whether a clause needs a category is the services' rule (rules.CLAUSE_NEEDS_CATEGORY),
        # the same for the API; the model's field would make the form require one.
        self.fields["categories"].required = False
