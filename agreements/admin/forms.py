"""The agreement's forms in the admin: they read what the editor typed, field by field.

Every rule that spans fields, rows or stored data (two different parties, a signatory
for one of them, a person listed once, the order of status events, the version the
editor opened) is the services'; ``writing`` puts their messages on these forms.
"""

from __future__ import annotations

from django import forms

from ..models import Agreement, Clause, StatusEvent
from ..services import AGREEMENT_FIELDS
from .writing import ServiceModelForm, ServicePartForm


class AgreementForm(ServiceModelForm):
    # The version the editor's copy was read at: a save from an older copy is refused by the
    # service rather than silently overwriting someone else's change.
    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Agreement
        fields = ["party_a", "party_b", *AGREEMENT_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["read_version"].initial = self.instance.version

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


class ClauseForm(ServicePartForm):
    class Meta:
        model = Clause
        fields = ["position", "article", "text", "categories", "source"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Whether a clause needs a category is the services' rule (rules.CLAUSE_NEEDS_CATEGORY),
        # the same for the API; the model's field would make the form require one.
        self.fields["categories"].required = False
