"""Forms and formsets for the editors' admin.

They ask the same questions as the services (``services.parties_problem``,
``services.signatory_party_problem``, ``lifecycle.validate_events``) but answer next
to the field or inline row at fault, before anything is saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from ..dates import PartialDate, truncate
from ..lifecycle import EventFact, validate_events
from ..models import Agreement, Country, StatusEvent
from ..services import country_names, parties_problem, signatory_party_problem


class AgreementForm(forms.ModelForm):
    # The version the editor's copy was read at: a save from an older copy is refused
    # rather than silently overwriting someone else's change.
    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Agreement
        fields = [
            "title",
            "kind",
            "party_a",
            "party_b",
            "place_of_signature",
            "summary",
            "full_text",
            "text_public",
            "evidence",
            "unts_registration",
            "wikidata_qid",
            "atop_id",
            "dcad_id",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["read_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._refuse_stale_copy(cleaned.get("read_version"))
        party_a: Country | None = cleaned.get("party_a")
        party_b: Country | None = cleaned.get("party_b")
        if party_a and party_b:
            problem = parties_problem(party_a.pk, party_b.pk)
            if problem:
                self.add_error("party_b", problem)
            elif party_a.pk > party_b.pk:
                # Stored in canonical order so that one index serves every pair query.
                cleaned["party_a"], cleaned["party_b"] = party_b, party_a
        return cleaned

    def _refuse_stale_copy(self, read_version: int | None) -> None:
        if not self.instance.pk:
            return
        # The admin saves inside one transaction: the row stays locked until the save ends.
        current = (
            Agreement.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
        )
        now = current.first()
        if read_version is not None and now is not None and now != read_version:
            url = reverse("admin:agreements_agreement_change", args=[self.instance.pk])
            raise ValidationError(
                format_html(
                    "Someone else saved this agreement while you were editing it (you opened version {}; "
                    "it is now version {}). Nothing of yours was saved. "
                    '<a href="{}">Open the current version</a> and make your changes again.',
                    read_version,
                    now,
                    url,
                ),
                code="stale",
            )


class StatusEventForm(forms.ModelForm):
    class Meta:
        model = StatusEvent
        fields = ["status", "date", "date_precision", "date_note", "party", "source", "note"]
        help_texts = {
            "date": "For a month or a year, any day in it will do: the period's first day is stored.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("date_precision"):
            cleaned["date"] = truncate(cleaned["date"], cleaned["date_precision"])
        return cleaned


def _live_forms(formset: forms.BaseFormSet) -> list[forms.Form]:
    """The rows that will be saved: filled in, valid so far, and not marked for deletion."""
    return [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


def _parties(formset: forms.BaseInlineFormSet) -> tuple[str, str] | None:
    agreement: Agreement = formset.instance
    if agreement.party_a_id and agreement.party_b_id and agreement.party_a_id != agreement.party_b_id:
        return agreement.party_a_id, agreement.party_b_id
    return None  # the agreement form reports missing or equal parties itself


class SignatoryFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        parties = _parties(self)
        rows = _live_forms(self)
        chosen = [form.cleaned_data["party"].pk for form in rows if form.cleaned_data.get("party")]
        names = country_names([*(parties or ()), *chosen])
        people: set[int] = set()
        for form in rows:
            party, person = form.cleaned_data.get("party"), form.cleaned_data.get("person")
            if parties and party:
                problem = signatory_party_problem(party.pk, parties, names)
                if problem:
                    form.add_error("party", problem)
            if person:
                if person.pk in people:
                    form.add_error("person", f"{person} is already listed as a signatory.")
                people.add(person.pk)


class StatusEventFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        parties = _parties(self)
        if parties is None:
            return
        rows = [f for f in _live_forms(self) if f.cleaned_data.get("date") and f.cleaned_data.get("status")]
        facts = []
        for form in rows:
            data = form.cleaned_data
            party = data.get("party")
            facts.append(
                EventFact(
                    data["status"], PartialDate.of(data["date"], data["date_precision"]), party and party.pk
                )
            )
        names = country_names([*parties, *(fact.party for fact in facts)])
        for problem in validate_events(facts, parties, names):
            form = rows[problem.index]
            form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        if any(form.errors for form in rows):
            raise ValidationError("Please correct the status events marked below.")
