"""How the report endpoints look in the OpenAPI schema.

The pair summary's JSON is built by the database, so these serializers are never used to
serialize anything: they describe the documents the reports return, and the query
parameters come from the reports' own forms, so the schema cannot drift from validation.
"""

from __future__ import annotations

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.views import APIView

from ..choices import (
    AgreementKind,
    CommitmentState,
    Disclosure,
    EventType,
    ImplementationKind,
    Level,
    ParticipantRole,
    Status,
)
from ..dates import DatePrecision
from .serializers import ErrorSerializer, ValidationErrorSerializer

# --- Schema helpers -----------------------------------------------------------------------------


def parameters_from(form_class: type[forms.Form]) -> list[OpenApiParameter]:
    """The form's fields as query parameters, so the schema cannot drift from the validation."""
    parameters = []
    for name, field in form_class.base_fields.items():
        kind = OpenApiTypes.STR
        enum = None
        if isinstance(field, forms.DateField):
            kind = OpenApiTypes.DATE
        elif isinstance(field, forms.IntegerField):
            kind = OpenApiTypes.INT
        elif isinstance(field, forms.BooleanField):
            kind = OpenApiTypes.BOOL
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            enum = [value for value, _ in field.choices if value]
        description = " ".join(str(part) for part in (field.label or name, field.help_text) if part)
        parameters.append(OpenApiParameter(name, kind, enum=enum, description=description))
    parameters.append(
        OpenApiParameter(
            "format", OpenApiTypes.STR, enum=["json", "csv"], description="Response format; JSON by default."
        )
    )
    return parameters


def country_path(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=description,
        pattern="^[A-Za-z]{2}([A-Za-z]{2})?$",
    )


# The API's own error shapes: one format for the whole API.
ERRORS = {
    400: OpenApiResponse(
        ValidationErrorSerializer, description="A parameter is invalid; the errors name it."
    ),
    404: OpenApiResponse(ErrorSerializer, description="No country has that code."),
}
CSV = OpenApiResponse(OpenApiTypes.STR, description="The same report as CSV (streamed), with a header row.")


def without_schema(view: type[APIView]) -> type[APIView]:
    """The same view for the ``.csv``/``.json`` URLs, kept out of the schema (it has ``?format=``)."""
    return extend_schema_view(get=extend_schema(exclude=True))(type(f"{view.__name__}Suffixed", (view,), {}))


# --- Response shapes (for the schema) ----------------------------------------------------------


class ReportCountrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    cow_code = serializers.IntegerField(allow_null=True, help_text="Correlates of War state number.")


class SignatureSerializer(serializers.Serializer):
    date = serializers.DateField()
    precision = serializers.ChoiceField(DatePrecision.choices)
    agreement = serializers.IntegerField()


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField(allow_null=True, help_text="Empty or null: no status (yet) on that day.")
    agreements = serializers.IntegerField()


class KindCountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(AgreementKind.choices)
    agreements = serializers.IntegerField()


class CategoryCoverageSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="Slug of the top-level category, if any.")
    agreements = serializers.IntegerField(help_text="Agreements with a clause in it (or its subcategories).")
    agreement_ids = serializers.ListField(child=serializers.IntegerField())


class ParticipantOutSerializer(serializers.Serializer):
    role = serializers.ChoiceField(ParticipantRole.choices)
    name = serializers.CharField(allow_null=True, help_text="Null when the sources do not name them.")
    named = serializers.BooleanField()
    description = serializers.CharField(help_text="Who it was, when not named.")
    party = serializers.CharField()
    body = serializers.CharField(allow_null=True, help_text="The body acted for, if known.")
    office = serializers.CharField()
    rank = serializers.CharField()


class ImplementationOutSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ImplementationKind.choices)
    date = serializers.DateField()
    precision = serializers.ChoiceField(DatePrecision.choices)
    new_due = serializers.DateField(allow_null=True, help_text="For an extension: the new due date.")
    new_due_precision = serializers.CharField()


class CommitmentOutSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    party = serializers.CharField(allow_null=True, help_text="Null when both parties undertook it.")
    text = serializers.CharField()
    due_on_as_of = serializers.DateField(allow_null=True, help_text="The due date in effect on as_of.")
    due_precision = serializers.CharField()
    due_note = serializers.CharField()
    state_on_as_of = serializers.ChoiceField(CommitmentState.choices)
    overdue_on_as_of = serializers.BooleanField()
    events = ImplementationOutSerializer(many=True)


class EventOutSerializer(serializers.Serializer):
    status = serializers.ChoiceField(EventType.choices)
    date = serializers.DateField()
    precision = serializers.ChoiceField(DatePrecision.choices)
    party = serializers.CharField(allow_null=True, help_text="The acting party; null when both act.")


class PeriodOutSerializer(serializers.Serializer):
    status = serializers.ChoiceField(Status.choices)
    start = serializers.DateField()
    start_precision = serializers.ChoiceField(DatePrecision.choices)
    end = serializers.DateField(allow_null=True, help_text="Exclusive; null while the period lasts.")
    end_precision = serializers.CharField(help_text="day, month, year, or empty while the period lasts.")


class PairAgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(AgreementKind.choices)
    level = serializers.ChoiceField(Level.choices)
    body_a = serializers.CharField(allow_null=True, help_text="The body that committed for party A.")
    body_b = serializers.CharField(allow_null=True, help_text="The body that committed for party B.")
    disclosure = serializers.ChoiceField(Disclosure.choices)
    status = serializers.CharField(help_text="Current status (see StatusEnum); empty without events.")
    status_on_as_of = serializers.CharField(allow_null=True, help_text="Status on as_of; null before any.")
    in_force_on_as_of = serializers.BooleanField()
    ratified_by_party_a_on_as_of = serializers.BooleanField(help_text="Ratified or approved by party A.")
    ratified_by_party_b_on_as_of = serializers.BooleanField(help_text="Ratified or approved by party B.")
    signed_on = serializers.DateField(allow_null=True)
    signed_on_precision = serializers.CharField()
    in_force_from = serializers.DateField(allow_null=True)
    in_force_from_precision = serializers.CharField()
    ended_on = serializers.DateField(allow_null=True)
    ended_on_precision = serializers.CharField()
    is_synthetic = serializers.BooleanField()
    categories = serializers.ListField(
        child=serializers.CharField(), help_text="Slugs tagged on its clauses."
    )
    participants = ParticipantOutSerializer(many=True, help_text="By party, signatories first.")
    events = EventOutSerializer(many=True)
    periods = PeriodOutSerializer(many=True)
    commitments = CommitmentOutSerializer(many=True)


class NotesSerializer(serializers.Serializer):
    partial_dates = serializers.CharField()
    in_force = serializers.CharField()
    level = serializers.CharField()
    overdue = serializers.CharField()


class PairSummarySerializer(serializers.Serializer):
    party_a = ReportCountrySerializer()
    party_b = ReportCountrySerializer()
    as_of = serializers.DateField()
    level = serializers.CharField(help_text="The level counted: state_level unless asked.")
    notes = NotesSerializer()
    total = serializers.IntegerField()
    signatories_not_named = serializers.IntegerField(help_text="Signatories the sources do not name.")
    commitments = serializers.IntegerField()
    commitments_overdue_on_as_of = serializers.IntegerField()
    in_force_on_as_of = serializers.IntegerField()
    first_signed = SignatureSerializer(allow_null=True)
    latest_signed = SignatureSerializer(allow_null=True)
    by_status = StatusCountSerializer(many=True)
    by_status_on_as_of = StatusCountSerializer(many=True)
    by_kind = KindCountSerializer(many=True)
    categories = CategoryCoverageSerializer(many=True, help_text="The category × agreement matrix.")
    agreements = PairAgreementSerializer(many=True)


class StatusCountsSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {status: serializers.IntegerField() for status in Status.values}


class PartnerSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    partner = serializers.CharField()
    partner_name = serializers.CharField()
    partner_cow_code = serializers.IntegerField(allow_null=True)
    agreements = serializers.IntegerField()
    in_force_on_as_of = serializers.IntegerField()
    by_status = StatusCountsSerializer(help_text="Agreements by current status.")
    first_signed = serializers.DateField(allow_null=True)
    first_signed_precision = serializers.CharField()
    latest_signed = serializers.DateField(allow_null=True)
    latest_signed_precision = serializers.CharField()
    categories = serializers.ListField(
        child=serializers.CharField(), help_text="Top-level category slugs, in the order of their names."
    )
    category_names = serializers.ListField(
        child=serializers.CharField(), help_text="The same categories' names, in the same order."
    )


class PartnersSerializer(serializers.Serializer):
    country = ReportCountrySerializer()
    as_of = serializers.DateField()
    filters = serializers.DictField(child=serializers.CharField())
    partners = PartnerSerializer(many=True)


class NodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    cow_code = serializers.IntegerField(allow_null=True)
    agreements = serializers.IntegerField()
    in_force = serializers.IntegerField(help_text="Agreements whose current status is in force.")
    partners = serializers.IntegerField()


class EdgeSerializer(serializers.Serializer):
    party_a = serializers.CharField()
    party_b = serializers.CharField()
    agreements = serializers.IntegerField()
    in_force = serializers.IntegerField(help_text="Agreements whose current status is in force.")
    first_year = serializers.IntegerField(allow_null=True)
    latest_year = serializers.IntegerField(allow_null=True)


class NetworkSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.CharField())
    nodes = NodeSerializer(many=True)
    edges = EdgeSerializer(many=True)


class CommitmentRowSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    title = serializers.CharField()
    party_a = serializers.CharField()
    party_a_name = serializers.CharField()
    party_b = serializers.CharField()
    party_b_name = serializers.CharField()
    level = serializers.ChoiceField(Level.choices)
    position = serializers.IntegerField()
    party = serializers.CharField(allow_null=True)
    party_name = serializers.CharField(allow_null=True, help_text="Null when both parties undertook it.")
    text = serializers.CharField()
    due = serializers.DateField(help_text="The due date in effect on as_of (after extensions).")
    due_precision = serializers.ChoiceField(DatePrecision.choices)
    state = serializers.ChoiceField(CommitmentState.choices, help_text="On as_of.")
    overdue = serializers.BooleanField()


class CommitmentsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    window_days = serializers.IntegerField()
    level = serializers.CharField()
    country = serializers.CharField(allow_null=True)
    notes = serializers.DictField(child=serializers.CharField())
    overdue = CommitmentRowSerializer(many=True)
    due_soon = CommitmentRowSerializer(many=True, help_text="Falling due within window_days of as_of.")


class PanelSerializer(serializers.Serializer):
    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField()
    level = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()), help_text="One list per pair and year."
    )


# --- The pair between two days ------------------------------------------------------------------


class ChangesSummarySerializer(serializers.Serializer):
    agreements_signed = serializers.IntegerField()
    status_changes = serializers.IntegerField(
        help_text="Agreements whose status at `to` differs from before."
    )
    commitments_due = serializers.IntegerField()
    commitments_met = serializers.IntegerField()
    commitments_missed = serializers.IntegerField()
    corrections = serializers.IntegerField(help_text="Saves recorded in the history between the two days.")
    in_force_before = serializers.IntegerField(help_text="Agreements in force the day before `from`.")
    in_force_at_end = serializers.IntegerField(help_text="Agreements in force on `to`.")


class StatusBeforeAndAfterSerializer(serializers.Serializer):
    status = serializers.CharField(allow_null=True, help_text="Null: not yet signed or begun on that day.")
    before = serializers.IntegerField(help_text="Agreements with this status the day before `from`.")
    end = serializers.IntegerField(help_text="Agreements with this status on `to`.")


class SignedInWindowSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(AgreementKind.choices)
    signed_on = serializers.DateField()
    signed_on_precision = serializers.ChoiceField(DatePrecision.choices)
    status_at_end = serializers.CharField(allow_null=True)


class EventInWindowSerializer(serializers.Serializer):
    event = serializers.ChoiceField(EventType.choices)
    date = serializers.DateField()
    precision = serializers.ChoiceField(DatePrecision.choices)
    party = serializers.CharField(allow_null=True, help_text="The acting party; null when both act.")
    status_before = serializers.CharField(allow_null=True, help_text="The status the day before.")
    status_after = serializers.CharField(allow_null=True, help_text="The status at the end of its day.")


class StatusChangeSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    title = serializers.CharField()
    status_before = serializers.CharField(allow_null=True, help_text="The day before `from`.")
    status_at_end = serializers.CharField(allow_null=True, help_text="On `to`.")
    status_changed = serializers.BooleanField()
    events = EventInWindowSerializer(many=True, help_text="Its status events dated in the window.")


class CommitmentInWindowSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    title = serializers.CharField()
    position = serializers.IntegerField()
    party = serializers.CharField(allow_null=True, help_text="Null when both parties undertook it.")
    text = serializers.CharField()
    due = serializers.DateField(allow_null=True, help_text="The due date in effect on `to`.")
    due_precision = serializers.CharField(allow_null=True)
    state_at_end = serializers.ChoiceField(CommitmentState.choices)
    overdue_at_end = serializers.BooleanField()
    due_in_window = serializers.BooleanField()
    met = serializers.BooleanField(help_text="Reported met in the window.")
    missed = serializers.BooleanField(
        help_text="Due in the window and overdue at `to`, or reported unmet in it."
    )
    events = ImplementationOutSerializer(many=True, help_text="What was reported of it in the window.")


class ChangeOutSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField(allow_null=True, help_text="Null when the part was added.")
    after = serializers.CharField()


class CorrectionEntrySerializer(serializers.Serializer):
    what = serializers.CharField(help_text="The change in a line, e.g. “Added clause 3”.")
    changes = ChangeOutSerializer(many=True)


class CorrectionSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    title = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    action = serializers.ChoiceField(["created", "changed", "deleted"])
    entries = CorrectionEntrySerializer(many=True)


class ChangesNotesSerializer(serializers.Serializer):
    changes = serializers.CharField()
    level = serializers.CharField()


class ChangesSerializer(serializers.Serializer):
    party_a = ReportCountrySerializer()
    party_b = ReportCountrySerializer()
    name = serializers.CharField(help_text="The pair as people read it: “Iran and Iraq”.")
    # "from" is a Python keyword: the field is added under that name below.
    to = serializers.DateField()
    level = serializers.CharField()
    notes = ChangesNotesSerializer()
    summary = ChangesSummarySerializer()
    agreements = serializers.IntegerField(help_text="The pair's agreements at this level.")
    status_counts = StatusBeforeAndAfterSerializer(many=True)
    signed = SignedInWindowSerializer(many=True, help_text="Signed between the two days.")
    status_changes = StatusChangeSerializer(many=True)
    commitments = CommitmentInWindowSerializer(many=True)
    corrections = CorrectionSerializer(many=True, help_text="Newest first.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {"from": serializers.DateField(), **fields}
