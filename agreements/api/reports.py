"""The reports as JSON and CSV under /api/reports/.

Each view validates the query string with the report's form (a 400 naming the
parameter), calls the report function the pages call, and returns JSON or, for
``?format=csv`` or a ``.csv`` URL, a streamed CSV. The pair summary's JSON is the
document the database built, sent on without decoding. The serializers below only
describe the responses for the OpenAPI schema.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

import orjson
from django import forms
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import reports
from ..choices import AgreementKind, EventType, Status
from ..dates import DatePrecision
from ..reports import inputs, tables
from ..views.csv import ROWS_PER_CHUNK, csv_response
from .errors import flatten

INVALID = "The report cannot be made with these parameters; see errors."

# --- Rendering ----------------------------------------------------------------------------------


class PreRenderedJSON:
    """JSON that is already encoded (by the database); the renderer sends it as it is."""

    __slots__ = ("content",)

    def __init__(self, content: bytes) -> None:
        self.content = content


class ReportJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None) -> bytes:
        if isinstance(data, PreRenderedJSON):
            return data.content
        return super().render(data, accepted_media_type, renderer_context)


class CSVRenderer(BaseRenderer):
    """Selects CSV (``?format=csv`` or ``Accept: text/csv``); the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None) -> bytes:
        raise NotImplementedError("Report views answer CSV with a streamed response.")


class ReportView(APIView):
    """Validate, compute, answer in the format asked for. Subclasses set the form and two hooks."""

    renderer_classes = [ReportJSONRenderer, CSVRenderer]
    form_class: type[inputs.ReportForm]

    def get(self, request: Request, format: str | None = None, **kwargs: str):
        try:
            params = self.form_class.validated(request.query_params)
            report = self.compute(params, **kwargs)
        except inputs.ReportInputError as error:
            # The API's error format (errors.py), with a detail that fits a read.
            return Response({"detail": INVALID, "errors": flatten(error.errors)}, status=400)
        except inputs.UnknownCountryError as error:
            raise NotFound(str(error)) from None
        if request.accepted_renderer.format == "csv":
            return csv_response(self.table(report), self.filename(report, "csv"))
        return self.json(report)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON in the API's error format, whichever format was asked for.
        if response.status_code >= 400 and not isinstance(response, StreamingHttpResponse):
            request.accepted_renderer = ReportJSONRenderer()
            request.accepted_media_type = ReportJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def compute(self, params: dict, **kwargs: str) -> Any:
        raise NotImplementedError

    def table(self, report: Any) -> tables.Table:
        raise NotImplementedError

    def filename(self, report: Any, extension: str) -> str:
        raise NotImplementedError

    def json(self, report: Any) -> Response | StreamingHttpResponse:
        raise NotImplementedError


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


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages by parameter name.",
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is invalid; the errors name it."),
    404: OpenApiResponse(ErrorSerializer, description="No country has that code."),
}
CSV = OpenApiResponse(OpenApiTypes.STR, description="The same report as CSV (streamed), with a header row.")


def without_schema(view: type[APIView]) -> type[APIView]:
    """The same view for the ``.csv``/``.json`` URLs, kept out of the schema (it has ``?format=``)."""
    return extend_schema_view(get=extend_schema(exclude=True))(type(f"{view.__name__}Suffixed", (view,), {}))


# --- Response shapes (for the schema) ----------------------------------------------------------


class CountrySerializer(serializers.Serializer):
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


class SignatoryOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    party = serializers.CharField()
    office = serializers.CharField()
    rank = serializers.CharField()


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
    signatories = SignatoryOutSerializer(many=True)
    events = EventOutSerializer(many=True)
    periods = PeriodOutSerializer(many=True)


class NotesSerializer(serializers.Serializer):
    partial_dates = serializers.CharField()
    in_force = serializers.CharField()


class PairSummarySerializer(serializers.Serializer):
    party_a = CountrySerializer()
    party_b = CountrySerializer()
    as_of = serializers.DateField()
    notes = NotesSerializer()
    total = serializers.IntegerField()
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
    categories = serializers.ListField(child=serializers.CharField(), help_text="Top-level category slugs.")


class PartnersSerializer(serializers.Serializer):
    country = CountrySerializer()
    as_of = serializers.DateField()
    filters = serializers.DictField(child=serializers.CharField())
    partners = PartnerSerializer(many=True)


class NodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    cow_code = serializers.IntegerField(allow_null=True)
    agreements = serializers.IntegerField()
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


class PanelSerializer(serializers.Serializer):
    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()), help_text="One list per pair and year."
    )


# --- The views ----------------------------------------------------------------------------------


def _country(country) -> dict[str, Any]:
    return {"code": country.code, "name": country.name, "cow_code": country.cow_code}


@extend_schema_view(
    get=extend_schema(
        summary="What two countries have with each other",
        description="Agreements in date order with their status now and on `as_of`, counts by status and "
        "kind, the category × agreement matrix, first and latest signature. "
        + reports.pair.PARTIAL_DATES_NOTE,
        parameters=[
            country_path("a", "One country's code."),
            country_path("b", "The other country's code (order does not matter)."),
            *parameters_from(inputs.AsOfForm),
        ],
        responses={(200, "application/json"): PairSummarySerializer, (200, "text/csv"): CSV, **ERRORS},
    )
)
class PairSummaryView(ReportView):
    form_class = inputs.AsOfForm

    def compute(self, params: dict, *, a: str, b: str) -> reports.PairSummary:
        return reports.pair_summary(a, b, as_of=params.get("as_of"))

    def table(self, report: reports.PairSummary) -> tables.Table:
        return tables.pair_summary_table(report)

    def filename(self, report: reports.PairSummary, extension: str) -> str:
        data = report.data
        return f"pair-{data['party_a']['code']}-{data['party_b']['code']}-{data['as_of']}.{extension}"

    def json(self, report: reports.PairSummary) -> Response:
        return Response(PreRenderedJSON(report.json))


@extend_schema_view(
    get=extend_schema(
        summary="Every counterpart of a country, ranked",
        parameters=[country_path("code", "The country's code."), *parameters_from(inputs.PartnersForm)],
        responses={(200, "application/json"): PartnersSerializer, (200, "text/csv"): CSV, **ERRORS},
    )
)
class PartnersView(ReportView):
    form_class = inputs.PartnersForm

    def compute(self, params: dict, *, code: str) -> reports.CountryPartners:
        return reports.country_partners(
            code, as_of=params.get("as_of"), filters=inputs.FilterForm.filters(params)
        )

    def table(self, report: reports.CountryPartners) -> tables.Table:
        return tables.partners_table(report)

    def filename(self, report: reports.CountryPartners, extension: str) -> str:
        return f"partners-{report.country.code}-{report.as_of}.{extension}"

    def json(self, report: reports.CountryPartners) -> Response:
        return Response(
            {
                "country": _country(report.country),
                "as_of": report.as_of,
                "filters": report.filters.as_params(),
                "partners": report.partners,
            }
        )


@extend_schema_view(
    get=extend_schema(
        summary="The pair network: countries and the pairs between them",
        parameters=parameters_from(inputs.NetworkForm),
        responses={(200, "application/json"): NetworkSerializer, (200, "text/csv"): CSV, **ERRORS},
    )
)
class NetworkView(ReportView):
    form_class = inputs.NetworkForm

    def compute(self, params: dict) -> reports.PairNetwork:
        return reports.pair_network(filters=inputs.FilterForm.filters(params))

    def table(self, report: reports.PairNetwork) -> tables.Table:
        return tables.network_table(report)

    def filename(self, report: reports.PairNetwork, extension: str) -> str:
        return f"pair-network.{extension}"

    def json(self, report: reports.PairNetwork) -> Response:
        edges = [
            {key: value for key, value in edge.items() if not key.endswith("__name")} for edge in report.edges
        ]
        return Response({"filters": report.filters.as_params(), "nodes": report.nodes, "edges": edges})


@extend_schema_view(
    get=extend_schema(
        summary="Dyad-year panel: one row per pair and year (streamed)",
        description=reports.panel.__doc__,
        parameters=parameters_from(inputs.PanelForm),
        responses={(200, "application/json"): PanelSerializer, (200, "text/csv"): CSV, **ERRORS},
    )
)
class PanelView(ReportView):
    form_class = inputs.PanelForm

    def compute(self, params: dict) -> reports.DyadYearPanel:
        return reports.dyad_year_panel(
            start_year=params["start_year"],
            end_year=params["end_year"],
            country=params.get("country") or None,
            all_pairs=bool(params.get("all_pairs")),
        )

    def table(self, report: reports.DyadYearPanel) -> tables.Table:
        return tables.panel_table(report)

    def filename(self, report: reports.DyadYearPanel, extension: str) -> str:
        scope = f"-{report.country}" if report.country else ""
        return f"dyad-years{scope}-{report.start_year}-{report.end_year}.{extension}"

    def json(self, report: reports.DyadYearPanel) -> StreamingHttpResponse:
        def chunks():
            head = {"start_year": report.start_year, "end_year": report.end_year, "columns": report.columns}
            yield orjson.dumps(head)[:-1] + b',"rows":['
            rows = report.rows()
            separator = b""
            while chunk := list(islice(rows, ROWS_PER_CHUNK)):
                yield separator + b",".join(orjson.dumps(row) for row in chunk)
                separator = b","
            yield b"]}"

        return StreamingHttpResponse(chunks(), content_type="application/json")
