"""“Add from a news report”: paste a report, check what the tracker read in it, save it in one go.

Step 1 takes the text and the source's details; step 2 shows the proposal
(``services.intake.propose``) as an editable form, with the words of the report beside each
value; “Save agreement” hands what the editor accepted to ``services.intake.intake_confirm``
(one transaction: the source, the new people, the agreement) and opens the saved agreement.
Nothing is written before that click. The page carries the report from step to step in the
form itself, so the words beside each value can be shown again when a save is refused.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..choices import AgreementKind, ParticipantRole
from ..dates import DatePrecision, PartialDate
from ..models import Body, ClauseCategory, Country, Person, Source
from ..services import AgreementIn, ClauseIn, OtherNameIn, ParticipantIn, PersonIn
from ..services.intake import INTAKE_STATUSES, IntakeIn, Proposal, ReportIn, SourceIn, intake_confirm, propose

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y"]
_PATH = re.compile(r"^(?P<collection>participants|clauses)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?")


class ReportForm(forms.Form):
    """Step 1: the report and what the Source records of it."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField"}),
        max_length=50_000,
        label="Report",
        help_text="Paste the whole report as plain text.",
    )
    url = forms.URLField(max_length=1000, required=False, assume_scheme="https", label="URL")
    publisher = forms.CharField(max_length=200, required=False)
    published_on = forms.DateField(
        required=False,
        input_formats=DATE_FORMATS,
        label="Published on",
        help_text="e.g. 23/07/2017 or 2017-07-23. “On Sunday” and “last week” count from this day.",
    )
    language = forms.CharField(max_length=16, required=False, help_text="e.g. en, fa, ar.")
    licence = forms.CharField(
        max_length=100, required=False, help_text="e.g. CC BY 4.0; read from the report when it says."
    )


class ProposalForm(forms.Form):
    """Step 2: the agreement as proposed, every value editable."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=50_000)
    party_a = forms.ModelChoiceField(queryset=Country.objects.filter(is_former=False), label="Party")
    party_b = forms.ModelChoiceField(queryset=Country.objects.filter(is_former=False), label="Other party")
    body_a = forms.ModelChoiceField(queryset=Body.objects.none(), required=False, label="Body (first party)")
    body_b = forms.ModelChoiceField(queryset=Body.objects.none(), required=False, label="Body (other party)")
    kind = forms.ChoiceField(choices=AgreementKind.choices)
    title = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"class": "vLargeTextField"}))
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(
        choices=[(s, s.capitalize()) for s in INTAKE_STATUSES],
        help_text="Signed or initialled only when the report says so; planned: “will sign”.",
    )
    place_of_signature = forms.CharField(max_length=200, required=False)
    date = forms.DateField(required=False, input_formats=DATE_FORMATS, help_text="The period's first day.")
    date_precision = forms.ChoiceField(choices=DatePrecision.choices)
    date_note = forms.CharField(max_length=300, required=False, widget=forms.TextInput(attrs={"size": 80}))
    source_existing = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, widget=forms.HiddenInput
    )
    source_title = forms.CharField(max_length=500, label="Source title")
    source_url = forms.URLField(max_length=1000, required=False, assume_scheme="https", label="URL")
    source_publisher = forms.CharField(max_length=200, required=False, label="Publisher")
    source_published_on = forms.DateField(required=False, input_formats=DATE_FORMATS, label="Published on")
    source_language = forms.CharField(max_length=16, required=False, label="Language")
    source_licence = forms.CharField(max_length=100, required=False, label="Licence")
    source_excerpt = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Excerpt"
    )

    def __init__(self, *args, parties: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        codes = [code for code in parties if code]
        for name in ("body_a", "body_b"):
            self.fields[name].queryset = Body.objects.filter(country_id__in=codes)


class ParticipantForm(forms.Form):
    include = forms.BooleanField(required=False, initial=True, label="Add")
    person = forms.ModelChoiceField(queryset=Person.objects.all(), required=False, label="Known person")
    new_name = forms.CharField(max_length=200, required=False, label="or new person")
    other_names = forms.CharField(
        max_length=1000, required=False, help_text="Spellings of this report to record, separated by “;”."
    )
    description = forms.CharField(
        max_length=300, required=False, help_text="When the report does not name them."
    )
    party = forms.ModelChoiceField(queryset=Country.objects.filter(is_former=False), required=False)
    role = forms.ChoiceField(choices=ParticipantRole.choices)
    office = forms.CharField(max_length=200, required=False)
    rank = forms.CharField(max_length=100, required=False)
    body = forms.ModelChoiceField(queryset=Body.objects.all(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, candidates: list[tuple[int, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The candidates only: a select of every known person would be thousands long.
        chosen = self.initial.get("person")
        options = list(candidates)
        if chosen and chosen not in [pk for pk, _ in options]:
            options.append((chosen, str(Person.objects.filter(pk=chosen).first() or chosen)))
        self.fields["person"].choices = [("", "— a new person, or not named —"), *options]


class ClauseForm(forms.Form):
    include = forms.BooleanField(required=False, initial=True, label="Add")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    categories = forms.ModelMultipleChoiceField(
        queryset=ClauseCategory.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )


ParticipantFormSet = formset_factory(ParticipantForm, extra=0)
ClauseFormSet = formset_factory(ClauseForm, extra=0)


def _words(evidence) -> str:
    return " … ".join(f"“{e.text}”" for e in evidence if e.text)


class Step2:
    """The step-2 forms and the words of the report shown beside their values."""

    def __init__(self, proposal: Proposal, report: ReportIn, data: Any = None) -> None:
        self.proposal = proposal
        codes = [p.code for p in proposal.parties]
        if data is not None:
            codes = [data.get("party_a", ""), data.get("party_b", "")]
        self.form = ProposalForm(data, initial=_initial(proposal, report), parties=codes)
        participants = proposal.participants
        self.participants = ParticipantFormSet(
            data,
            prefix="participants",
            initial=[_participant_initial(p) for p in participants],
            form_kwargs={"candidates": []},
        )
        # Each row offers its own candidates (the formset passes the same kwargs to every form).
        for form, participant in zip(self.participants.forms, participants, strict=False):
            candidates = [(c.id, f"{c.name} — {c.why}") for c in participant.candidates]
            form.fields["person"].choices = [("", "— a new person, or not named —"), *candidates]
            form.evidence = {name: _words(values) for name, values in participant.evidence.items()}
            form.match = participant.match
        self.clauses = ClauseFormSet(
            data, prefix="clauses", initial=[_clause_initial(c) for c in proposal.clauses]
        )
        for form, clause in zip(self.clauses.forms, proposal.clauses, strict=False):
            form.evidence = _words(clause.evidence)
            form.keywords = ", ".join(f"{c.name} (“{c.keyword}”)" for c in clause.categories)
        self.evidence = {
            "party_a": _words(proposal.parties[0].evidence) if proposal.parties else "",
            "party_b": _words(proposal.parties[1].evidence) if len(proposal.parties) > 1 else "",
            "kind": _words(proposal.kind.evidence),
            "title": _words(proposal.title.evidence),
            "summary": _words(proposal.summary.evidence)[:200],
            "status": _words(proposal.status.evidence),
            "place_of_signature": " ".join(
                filter(
                    None,
                    [_words(proposal.place.evidence), proposal.place.note and f"({proposal.place.note})"],
                )
            ),
            "date": _words(proposal.date.evidence),
            "body_a": _words(proposal.sides[0].evidence) if proposal.sides else "",
            "body_b": _words(proposal.sides[1].evidence) if len(proposal.sides) > 1 else "",
            "source_licence": _words(proposal.source.licence_evidence),
        }

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.participants.is_valid(), self.clauses.is_valid()])

    def fieldsets(self) -> list[tuple[str, list]]:
        form = self.form
        groups = [
            ("The agreement", ["party_a", "party_b", "kind", "title", "summary", "body_a", "body_b"]),
            (
                "Status, date and place of signature",
                ["status", "date", "date_precision", "date_note", "place_of_signature"],
            ),
        ]
        return [
            (title, [(form[name], self.evidence.get(name, "")) for name in names]) for title, names in groups
        ]

    def source_fields(self) -> list:
        names = ["source_title", "source_url", "source_publisher", "source_published_on", "source_language"]
        names += ["source_licence", "source_excerpt"]
        return [(self.form[name], self.evidence.get(name, "")) for name in names]

    # --- Saving --------------------------------------------------------------------------------------

    def to_input(self) -> tuple[IntakeIn, list[forms.Form], list[forms.Form]]:
        values = self.form.cleaned_data
        source: Source | SourceIn = values["source_existing"] or SourceIn(
            title=values["source_title"],
            url=values["source_url"],
            publisher=values["source_publisher"],
            published_on=values["source_published_on"],
            language=values["source_language"],
            licence=values["source_licence"],
            excerpt=values["source_excerpt"],
        )
        participant_forms = [f for f in self.participants.forms if f.cleaned_data.get("include")]
        clause_forms = [f for f in self.clauses.forms if f.cleaned_data.get("include")]
        spellings: list[tuple[Person, str]] = []
        participants = []
        for form in participant_forms:
            row = form.cleaned_data
            names = [n.strip() for n in row["other_names"].split(";") if n.strip()]
            person: Person | PersonIn | None = row["person"]
            if person is not None:
                spellings += [(person, name) for name in names]
            elif row["new_name"].strip():
                person = PersonIn(
                    name=row["new_name"].strip(), other_names=[OtherNameIn(name=n) for n in names]
                )
            participants.append(
                ParticipantIn(
                    person=person,
                    party=row["party"].pk if row["party"] else "",
                    role=row["role"],
                    description=row["description"],
                    body=row["body"],
                    office=row["office"],
                    rank=row["rank"],
                )
            )
        clauses = [
            ClauseIn(
                position=index,
                text=form.cleaned_data["text"],
                categories=list(form.cleaned_data["categories"]),
            )
            for index, form in enumerate(clause_forms, start=1)
        ]
        date = values["date"]
        agreement = AgreementIn(
            title=values["title"],
            party_a=values["party_a"].pk,
            party_b=values["party_b"].pk,
            kind=values["kind"],
            summary=values["summary"],
            place_of_signature=values["place_of_signature"],
            body_a=values["body_a"],
            body_b=values["body_b"],
            participants=participants,
            clauses=clauses,
            events=[],
        )
        data = IntakeIn(
            agreement=agreement,
            source=source,
            status=values["status"],
            date=PartialDate.of(date, values["date_precision"]) if date else None,
            date_note=values["date_note"],
            spellings=spellings,
        )
        return data, participant_forms, clause_forms

    def show(self, error: ValidationError, participant_forms: list, clause_forms: list) -> None:
        """Each refusal of the services beside the field or row it names."""
        rows = {"participants": participant_forms, "clauses": clause_forms}
        for path_, messages_ in error.message_dict.items():
            for message in messages_:
                match = _PATH.match(path_)
                if match:
                    form = rows[match["collection"]][int(match["index"])]
                    field = (match["field"] or "").split(".")[0]
                    field = {"person": "new_name"}.get(field, field)
                    form.add_error(field if field in form.fields else None, message)
                    continue
                name = path_.split(".")[0].split("[")[0]
                name = {"events": "date", "place": "place_of_signature"}.get(name, name)
                if path_.startswith("source."):
                    name = "source_" + path_.split(".", 1)[1]
                self.form.add_error(name if name in self.form.fields else None, message)


def _initial(proposal: Proposal, report: ReportIn) -> dict[str, Any]:
    parties = [p.code for p in proposal.parties]
    sides = {side.party: side.body_id for side in proposal.sides}
    source = proposal.source
    return {
        "text": report.text,
        "party_a": parties[0] if parties else None,
        "party_b": parties[1] if len(parties) > 1 else None,
        "body_a": sides.get(parties[0]) if parties else None,
        "body_b": sides.get(parties[1]) if len(parties) > 1 else None,
        "kind": proposal.kind.value,
        "title": proposal.title.value,
        "summary": proposal.summary.value,
        "status": proposal.status.value,
        "place_of_signature": proposal.place.value,
        "date": proposal.date.date,
        "date_precision": proposal.date.precision,
        "date_note": proposal.date.note if proposal.date.date else "",
        "source_existing": source.existing_id,
        "source_title": source.title,
        "source_url": source.url,
        "source_publisher": source.publisher,
        "source_published_on": source.published_on,
        "source_language": source.language,
        "source_licence": source.licence,
        "source_excerpt": source.excerpt,
    }


def _participant_initial(participant) -> dict[str, Any]:
    return {
        "include": True,
        "person": participant.person_id,
        "new_name": "" if participant.person_id else participant.name,
        "other_names": "; ".join(participant.other_names),
        "description": participant.description,
        "party": participant.party,
        "role": participant.role,
        "office": participant.office,
        "rank": participant.rank,
        "body": participant.body_id,
    }


def _clause_initial(clause) -> dict[str, Any]:
    slugs = [c.slug for c in clause.categories]
    return {
        "include": True,
        "text": clause.text,
        "categories": list(ClauseCategory.objects.filter(slug__in=slugs)),
    }


class IntakeAdminMixin:
    """Adds the “Add from a news report” page to the agreement admin."""

    def get_urls(self):
        urls = [
            path(
                "intake/",
                self.admin_site.admin_view(self.intake_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_intake",
            )
        ]
        return urls + super().get_urls()

    def intake_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        context: dict[str, Any] = {**self.admin_site.each_context(request), "opts": self.opts}
        context["title"] = "Add from a news report"
        if request.method != "POST":
            return self._render(request, context, report_form=ReportForm())
        if "confirm" not in request.POST:
            report_form = ReportForm(request.POST)
            if not report_form.is_valid():
                return self._render(request, context, report_form=report_form)
            report = ReportIn(**report_form.cleaned_data)
            return self._render(request, context, step=Step2(propose(report), report))
        report = ReportIn(
            text=request.POST.get("text", ""),
            url=request.POST.get("source_url", ""),
            publisher=request.POST.get("source_publisher", ""),
            published_on=_date(request.POST.get("source_published_on", "")),
            language=request.POST.get("source_language", ""),
            licence=request.POST.get("source_licence", ""),
        )
        step = Step2(propose(report), report, data=request.POST)
        if step.is_valid():
            data, participant_forms, clause_forms = step.to_input()
            try:
                agreement = intake_confirm(data=data)
            except ValidationError as error:
                step.show(error, participant_forms, clause_forms)
            else:
                messages.success(request, f"“{agreement.title}” was added from the report, with its source.")
                return HttpResponseRedirect(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
        return self._render(request, context, step=step)

    def _render(self, request: HttpRequest, context: dict, **extra: Any) -> TemplateResponse:
        return TemplateResponse(request, "admin/agreements/agreement/intake.html", {**context, **extra})


def _date(text: str):
    field = forms.DateField(required=False, input_formats=DATE_FORMATS)
    try:
        return field.clean(text)
    except ValidationError:
        return None
