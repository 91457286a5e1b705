"""What a report may be asked, checked once for the pages, the JSON and the CSV.

Each report's parameters are a Django form: the pages render it (labelled controls),
and every interface validates the query string with it, so a bad ``as_of``, year range
or filter value is a 400 naming the parameter wherever it comes in. Unknown
parameters are refused too: ignoring a misspelt filter would quietly return
everything.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from ..choices import LEVEL_OR_SCOPE_CHOICES, AgreementKind, LevelScope, Status
from ..dates import iso_day_problem
from ..models import Agreement, ClauseCategory, Country
from ..parsing import parse_boolean, repeated_parameters, unknown_parameters

FIRST_PANEL_YEAR = 1945
# Parameters every report accepts besides its own: the response format.
COMMON_PARAMETERS = frozenset({"format"})
# Fields that read a parameter given several times; every other parameter is given once.
MULTI_VALUED_FIELDS = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


class ReportInputError(ValueError):
    """The request asked for something the report cannot answer; ``errors`` names each parameter."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {name: list(messages) for name, messages in errors.items()}
        super().__init__("; ".join(f"{name}: {' '.join(m)}" for name, m in self.errors.items()))


class UnknownCountryError(LookupError):
    """No country has this code."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"There is no country with the code “{code}”.")


def resolve_countries(*codes: str) -> dict[str, Country]:
    """The countries with these codes (any case), in one query; raises ``UnknownCountryError``."""
    wanted = [code.strip().upper() for code in codes]
    found = Country.objects.in_bulk(wanted)
    for code in wanted:
        if code not in found:
            raise UnknownCountryError(code)
    return found


def today() -> datetime.date:
    return timezone.localdate()


class _RawCheckboxInput(forms.CheckboxInput):
    """A checkbox that hands the field what was sent, instead of ``bool()`` of it."""

    def value_from_datadict(self, data, files, name):
        return data.get(name, "")


class _StrictBooleanField(forms.BooleanField):
    """A checkbox that refuses what is not a yes or a no (``parsing.parse_boolean``).

    Django's BooleanField reads any other non-empty text as "yes"; an unticked box sends nothing.
    """

    widget = _RawCheckboxInput

    def to_python(self, value) -> bool:
        if isinstance(value, bool) or value is None or str(value).strip() == "":
            return bool(value)
        try:
            return parse_boolean(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class _CountryCodeField(forms.CharField):
    """An optional country code (any case) that must exist; empty means every country."""

    def __init__(self) -> None:
        super().__init__(
            required=False,
            max_length=4,
            label="Only pairs with this country",
            help_text="A country code, e.g. IR; every pair when empty.",
        )

    def clean(self, value) -> str:
        code = super().clean(value).strip().upper()
        if code and not Country.objects.filter(code=code).exists():
            raise forms.ValidationError(f"There is no country with the code “{code}”.")
        return code


class _YearField(forms.IntegerField):
    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, min_value=1800, max_value=2200, **kwargs)


class ReportForm(forms.Form):
    """A report's parameters. ``validated`` returns the cleaned values or raises ``ReportInputError``."""

    @classmethod
    def validated(cls, data: Mapping[str, str]) -> dict:
        form = cls(data)
        errors: dict[str, list[str]] = {}
        if not form.is_valid():
            errors = {name: list(messages) for name, messages in form.errors.items() if name != "__all__"}
            if "__all__" in form.errors:
                errors["non_field_errors"] = list(form.errors["__all__"])
        errors |= unknown_parameters(data, {*form.fields, *COMMON_PARAMETERS})
        multi_valued = {name for name, field in form.fields.items() if isinstance(field, MULTI_VALUED_FIELDS)}
        errors |= repeated_parameters(data, multi_valued)
        if errors:
            raise ReportInputError(errors)
        return form.cleaned_data


# A year, a month or a day written the ISO way, whether or not the calendar has it.
ISO_LIKE = re.compile(r"\d{4}(-\d{1,2}){0,2}")
# Report dates are days of recorded history: a year outside this range is a typing error, and
# refusing it keeps date arithmetic (a window after as_of, the day after "to") inside Python's range.
FIRST_DAY, LAST_DAY = datetime.date(1800, 1, 1), datetime.date(2200, 12, 31)


class IsoDateField(forms.DateField):
    """A day written YYYY-MM-DD in a plain text box, with a visible example.

    Not ``<input type="date">``: the browser would show and read it in its own locale's
    order (mm/dd/yyyy in an American browser), so what a reader sees would depend on their
    machine. The form, not the browser, checks it, and says how to write it.
    """

    widget = forms.TextInput(
        attrs={"inputmode": "numeric", "placeholder": "YYYY-MM-DD", "size": 11, "autocomplete": "off"}
    )

    def __init__(self, *, label: str, help_text: str, example: str = "2018-03-01") -> None:
        super().__init__(
            required=False,
            input_formats=["%Y-%m-%d"],
            label=label,
            help_text=f"YYYY-MM-DD, e.g. {example}; {help_text}",
            error_messages={"invalid": f"Give a date as YYYY-MM-DD, e.g. {example}."},
        )

    def clean(self, value) -> datetime.date | None:
        try:
            day = super().clean(value)
        except forms.ValidationError as error:
            if error.code != "invalid" or not ISO_LIKE.fullmatch(str(value).strip()):
                raise  # another form altogether: the field's message shows the one to use
            # The form is right but the day is not: "30 February 2020 does not exist.", or a month.
            raise forms.ValidationError(iso_day_problem(value), code="invalid") from None
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                f"Give a date between {FIRST_DAY.year} and {LAST_DAY.year}.", code="out_of_range"
            )
        return day


class AsOfForm(ReportForm):
    as_of = IsoDateField(label="As of", help_text="today when empty.")


def _level_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False,
        label="Level",
        choices=LEVEL_OR_SCOPE_CHOICES,
        help_text="State-level when empty: sub-national arrangements are counted only when asked for.",
        error_messages={"invalid_choice": "Unknown level “%(value)s”; use state_level, sub_national or all."},
    )


class LevelForm(ReportForm):
    level = _level_field()

    def clean_level(self) -> str:
        return self.cleaned_data["level"] or LevelScope.STATE_LEVEL


@dataclass(frozen=True)
class AgreementFilters:
    """Which agreements a report counts. A category includes its subcategories; the level is
    state-level unless asked (``choices.LEVEL_NOTE``)."""

    level: str = LevelScope.STATE_LEVEL
    category: ClauseCategory | None = None
    kind: str = ""
    status: str = ""
    signed_from: int | None = None
    signed_to: int | None = None

    def apply(self, agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
        agreements = agreements.at_level(self.level)
        if self.category is not None:
            agreements = agreements.in_category(self.category)
        if self.kind:
            agreements = agreements.filter(kind=self.kind)
        if self.status:
            agreements = agreements.filter(status=self.status)
        # A year- or month-precision signature is stored as its period's first day, so it
        # falls in the year it is known to belong to.
        if self.signed_from is not None:
            agreements = agreements.filter(signed_on__gte=datetime.date(self.signed_from, 1, 1))
        if self.signed_to is not None:
            agreements = agreements.filter(signed_on__lt=datetime.date(self.signed_to + 1, 1, 1))
        return agreements

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (for links to the other formats)."""
        params = {
            "level": "" if self.level == LevelScope.STATE_LEVEL else self.level,
            "category": self.category.slug if self.category else "",
            "kind": self.kind,
            "status": self.status,
            "signed_from": "" if self.signed_from is None else str(self.signed_from),
            "signed_to": "" if self.signed_to is None else str(self.signed_to),
        }
        return {name: value for name, value in params.items() if value}


class _CategoryField(forms.ModelChoiceField):
    def __init__(self) -> None:
        super().__init__(
            queryset=ClauseCategory.objects.select_related("parent").order_by("parent__name", "name"),
            to_field_name="slug",
            required=False,
            label="Clause category",
            help_text="Includes its subcategories.",
            empty_label="Any category",
            error_messages={
                "invalid_choice": "No clause category “%(value)s”; "
                "the categories are listed at /api/categories/."
            },
        )

    def label_from_instance(self, category: ClauseCategory) -> str:
        return f"{category.parent.name} › {category.name}" if category.parent_id else category.name


class FilterForm(LevelForm):
    category = _CategoryField()
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "Any kind"), *AgreementKind.choices],
        error_messages={"invalid_choice": "Unknown kind “%(value)s”."},
    )
    status = forms.ChoiceField(
        required=False,
        label="Current status",
        choices=[("", "Any status"), *Status.choices],
        error_messages={"invalid_choice": "Unknown status “%(value)s”."},
    )
    signed_from = _YearField(label="Signed from (year)")
    signed_to = _YearField(label="Signed to (year)")

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start is not None and end is not None and start > end:
            self.add_error("signed_to", "The last year comes before the first year.")
        return cleaned

    @staticmethod
    def filters(cleaned: Mapping) -> AgreementFilters:
        return AgreementFilters(
            level=cleaned.get("level") or LevelScope.STATE_LEVEL,
            category=cleaned.get("category"),
            kind=cleaned.get("kind") or "",
            status=cleaned.get("status") or "",
            signed_from=cleaned.get("signed_from"),
            signed_to=cleaned.get("signed_to"),
        )


class PairForm(LevelForm, AsOfForm):
    pass


class PartnersForm(FilterForm, AsOfForm):
    pass


class NetworkForm(FilterForm):
    pass


class PanelForm(LevelForm):
    start_year = _YearField(label="First year", help_text=f"{FIRST_PANEL_YEAR} when empty.")
    end_year = _YearField(label="Last year", help_text="The current year when empty.")
    country = _CountryCodeField()
    all_pairs = _StrictBooleanField(
        required=False,
        label="Every pair of states",
        help_text="Include pairs that never had an agreement (much larger).",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        start = cleaned.get("start_year") or FIRST_PANEL_YEAR
        end = cleaned.get("end_year") or today().year
        if "start_year" in cleaned and "end_year" in cleaned and start > end:
            self.add_error("end_year", f"The last year ({end}) comes before the first year ({start}).")
        cleaned["start_year"], cleaned["end_year"] = start, end
        return cleaned


class CommitmentsForm(LevelForm, AsOfForm):
    within_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3660,
        label="Falling due within (days)",
        help_text="After as_of; 90 when empty.",
    )
    country = _CountryCodeField()

    def clean_within_days(self) -> int:
        return self.cleaned_data["within_days"] or 90


def year_before(day: datetime.date) -> datetime.date:
    # 29 February has no match a year before: the 28th.
    return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else day.day))


class _ChangesForm(LevelForm):
    def clean(self) -> dict:
        cleaned = super().clean()
        if "from" not in cleaned or "to" not in cleaned:
            return cleaned  # a field's own error already names it
        end = cleaned["to"] or today()
        start = cleaned["from"] or max(year_before(end), FIRST_DAY)
        if start > end:
            self.add_error("to", f"The end ({end.isoformat()}) comes before the start ({start.isoformat()}).")
        cleaned["from"], cleaned["to"] = start, end
        return cleaned


# "from" is a Python keyword, so the form's fields are given by name rather than as class attributes.
ChangesForm = type(
    "ChangesForm",
    (_ChangesForm,),
    {
        "__module__": __name__,
        "__doc__": "The pair between two days: ``from`` and ``to`` (both included), and the level.",
        "field_order": ["from", "to", "level"],
        "from": IsoDateField(label="From", help_text="a year before “to” when empty.", example="2020-01-01"),
        "to": IsoDateField(label="To", help_text="today when empty.", example="2026-12-01"),
    },
)
