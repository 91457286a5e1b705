"""The reports as JSON and CSV under /api/reports/.

Each view validates the query string with the report's form (a 400 naming the
parameter), calls the report function the pages call, and returns JSON or, for
``?format=csv`` or a ``.csv`` URL, a streamed CSV. The pair summary's JSON is the
document the database built, sent on without decoding. ``report_schema`` describes the
responses for the OpenAPI schema.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

import orjson
from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import reports
from ..choices import LEVEL_NOTE
from ..parsing import parse_boolean
from ..reports import inputs, keeping, tables
from ..web import caching
from ..web.bounds import bounded_stream, report_limit
from ..web.csv import ROWS_PER_CHUNK, csv_response
from .errors import flatten
from .renderers import CSVRenderer, errors_in_json
from .report_schema import (
    CSV,
    ERRORS,
    ChangesSerializer,
    CommitmentsSerializer,
    NetworkSerializer,
    PairSummarySerializer,
    PanelSerializer,
    PartnersSerializer,
    country_path,
    parameters_from,
)

INVALID = "The report cannot be made with these parameters; see errors."
# A panel of more years than this (or of every pair of states) counts against the stricter
# rate limit of expensive requests.
EXPENSIVE_PANEL_YEARS = 50

# The pages redirect to the pair's one URL (names in alphabetical order); a program gets the same
# document whichever order it asks in, without a redirect to follow: the document is keyed by
# party_a and party_b in code order, the order the data are stored in.
SAME_ANSWER = (
    "Either order of the two codes gives the same answer, with party_a and party_b in code order (the "
    "order the data are stored in); the pages name a pair alphabetically (“Iran and Iraq”) and redirect "
    "to that order."
)

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


class ReportView(APIView):
    """Validate, compute, answer in the format asked for. Subclasses set the form and two hooks."""

    renderer_classes = [ReportJSONRenderer, CSVRenderer]
    form_class: type[inputs.ReportForm]
    # What to ask for instead when the report takes longer than its time limit (api/errors.py).
    narrow_hint = "narrow it with its filters (a category, a kind, a status, a range of years)."

    # Answered by the data version (ETag, 304, Cache-Control; api/schema.py says so).
    cached_reads = True
    # The report's name in the shared cache, the same as its page's (views/pages.py).
    report_name: str
    # Whether the report's result is kept in the shared cache (reports/keeping.py); a streamed
    # report is read as it is sent, so it is not.
    keep_results = True

    def get(self, request: Request, format: str | None = None, **kwargs: str):
        # Before the parameters are read: an ETag was only ever given to a valid request, and
        # the 304 costs the data version's query alone (web/caching.py).
        found = caching.validators(request)
        if (unchanged := caching.not_modified(request, found)) is not None:
            return unchanged
        return caching.finish(self.answer(request, found.version, **kwargs), found)

    def answer(self, request: Request, version, **kwargs: str):
        try:
            params = self.form_class.validated(request.query_params)
            with report_limit():
                if self.keep_results:
                    report = keeping.kept(
                        self.report_name,
                        lambda: self.compute(params, **kwargs),
                        (sorted(kwargs.items()), sorted(params.items())),
                        version=version,
                    )
                else:
                    report = self.compute(params, **kwargs)
        except inputs.ReportInputError as error:
            # The API's error format (errors.py), with a detail that fits a read.
            return Response({"detail": INVALID, "errors": flatten(error.errors)}, status=400)
        except inputs.UnknownCountryError as error:
            raise NotFound(str(error)) from None
        if request.accepted_renderer.format == "csv":
            return self.csv(report, self.filename(report, "csv"))
        return self.json(report)

    def finalize_response(self, request, response, *args, **kwargs):
        # Only a report body is CSV; errors (in the API's error format) and OPTIONS metadata
        # are JSON whichever format was asked for.
        errors_in_json(request, response, ReportJSONRenderer())
        return super().finalize_response(request, response, *args, **kwargs)

    def compute(self, params: dict, **kwargs: str) -> Any:
        raise NotImplementedError

    def csv(self, report: Any, filename: str) -> StreamingHttpResponse:
        return csv_response(self.table(report), filename)

    def table(self, report: Any) -> tables.Table:
        raise NotImplementedError

    def filename(self, report: Any, extension: str) -> str:
        raise NotImplementedError

    def json(self, report: Any) -> Response | StreamingHttpResponse:
        raise NotImplementedError


# --- The views ----------------------------------------------------------------------------------


def _country(country) -> dict[str, Any]:
    return {"code": country.code, "name": country.name, "cow_code": country.cow_code}


@extend_schema_view(
    get=extend_schema(
        summary="What two countries have with each other",
        description="Agreements in date order with their status now and on `as_of`, counts by status and "
        "kind, the category × agreement matrix, first and latest signature. "
        + reports.pair.PARTIAL_DATES_NOTE
        + " "
        + SAME_ANSWER,
        parameters=[
            country_path("a", "One country's code."),
            country_path("b", "The other country's code (order does not matter)."),
            *parameters_from(inputs.PairForm),
        ],
        responses={(200, "application/json"): PairSummarySerializer, (200, "text/csv"): CSV, **ERRORS},
    )
)
class PairSummaryView(ReportView):
    report_name = "pair"
    form_class = inputs.PairForm

    def compute(self, params: dict, *, a: str, b: str) -> reports.PairSummary:
        return reports.pair_summary(a, b, as_of=params.get("as_of"), level=params["level"])

    def table(self, report: reports.PairSummary) -> tables.Table:
        return tables.pair_summary_table(report)

    def filename(self, report: reports.PairSummary, extension: str) -> str:
        # The pair's one name, as the page titles it: iran-and-iraq-2018-03-01.csv
        return f"{report.pair.slug}-{report.data['as_of']}.{extension}"

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
    report_name = "partners"
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
    report_name = "network"
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
    report_name = "panel"
    form_class = inputs.PanelForm
    keep_results = False

    def is_expensive(self, request: Request) -> bool:
        """Every pair of states, or many years (read leniently: the form refuses what is malformed)."""
        params = request.query_params
        try:
            if parse_boolean(params.get("all_pairs") or "false"):
                return True
            start = int(params.get("start_year") or inputs.FIRST_PANEL_YEAR)
            end = int(params.get("end_year") or inputs.today().year)
        except ValueError:
            return False
        return end - start + 1 > EXPENSIVE_PANEL_YEARS

    def compute(self, params: dict) -> reports.DyadYearPanel:
        panel = reports.dyad_year_panel(
            start_year=params["start_year"],
            end_year=params["end_year"],
            country=params.get("country") or None,
            all_pairs=bool(params.get("all_pairs")),
            level=params["level"],
        )
        if not self.request.user.is_authenticated:
            self.check_anonymous_size(panel)
        return panel

    @staticmethod
    def check_anonymous_size(panel: reports.DyadYearPanel) -> None:
        """Anonymous clients get panels up to ``PANEL_ANONYMOUS_MAX_ROWS`` rows (pairs × years)."""
        limit = settings.PANEL_ANONYMOUS_MAX_ROWS
        pairs = panel.pair_count()
        if pairs * panel.years <= limit:
            return
        message = (
            f"This panel would have {pairs * panel.years:,} rows ({pairs:,} pairs × {panel.years} years); "
            f"without signing in a panel may have {limit:,} at most. Ask for fewer years (start_year, "
            "end_year), the pairs of one country (country) or leave out all_pairs; or send an API token "
            "(POST /api/auth/token/) for the full panel, or take every agreement from "
            "/api/agreements/export.csv."
        )
        raise inputs.ReportInputError({"non_field_errors": [message]})

    def table(self, report: reports.DyadYearPanel) -> tables.Table:
        return tables.panel_table(report)

    def csv(self, report: reports.DyadYearPanel, filename: str) -> StreamingHttpResponse:
        return csv_response(self.table(report), filename, stream=True)

    def filename(self, report: reports.DyadYearPanel, extension: str) -> str:
        scope = f"-{report.country}" if report.country else ""
        return f"dyad-years{scope}-{report.start_year}-{report.end_year}.{extension}"

    def json(self, report: reports.DyadYearPanel) -> StreamingHttpResponse:
        def chunks():
            head = {
                "start_year": report.start_year,
                "end_year": report.end_year,
                "level": report.level,
                "columns": report.columns,
            }
            yield orjson.dumps(head)[:-1] + b',"rows":['
            rows = report.rows()
            separator = b""
            while chunk := list(islice(rows, ROWS_PER_CHUNK)):
                yield separator + b",".join(orjson.dumps(row) for row in chunk)
                separator = b","
            yield b"]}"

        return StreamingHttpResponse(
            bounded_stream(chunks(), self.filename(report, "json")), content_type="application/json"
        )


@extend_schema_view(
    get=extend_schema(
        summary="Commitments overdue, and falling due soon, across pairs",
        description=reports.commitments.OVERDUE_NOTE + " " + LEVEL_NOTE,
        parameters=parameters_from(inputs.CommitmentsForm),
        responses={(200, "application/json"): CommitmentsSerializer, (200, "text/csv"): CSV, **ERRORS},
    )
)
class CommitmentsView(ReportView):
    report_name = "commitments"
    form_class = inputs.CommitmentsForm

    def compute(self, params: dict) -> reports.CommitmentsReport:
        return reports.commitments_report(
            as_of=params.get("as_of"),
            window_days=params["within_days"],
            level=params["level"],
            country=params.get("country") or None,
        )

    def table(self, report: reports.CommitmentsReport) -> tables.Table:
        return tables.commitments_table(report)

    def filename(self, report: reports.CommitmentsReport, extension: str) -> str:
        scope = f"-{report.country}" if report.country else ""
        return f"commitments{scope}-{report.as_of}.{extension}"

    def json(self, report: reports.CommitmentsReport) -> Response:
        return Response(
            {
                "as_of": report.as_of,
                "window_days": report.window_days,
                "level": report.level,
                "country": report.country,
                "notes": {"overdue": reports.commitments.OVERDUE_NOTE, "level": LEVEL_NOTE},
                "overdue": report.overdue,
                "due_soon": report.due_soon,
            }
        )


@extend_schema_view(
    get=extend_schema(
        summary="What changed for two countries between two days",
        description="Agreements signed, status changes (with their events), commitments due, met or missed, "
        "and the corrections recorded in the history, between `from` and `to` (both included). "
        + reports.changes.CHANGES_NOTE
        + " "
        + SAME_ANSWER,
        parameters=[
            country_path("a", "One country's code."),
            country_path("b", "The other country's code (order does not matter)."),
            *parameters_from(inputs.ChangesForm),
        ],
        responses={(200, "application/json"): ChangesSerializer, (200, "text/csv"): CSV, **ERRORS},
    )
)
class PairChangesView(ReportView):
    report_name = "changes"
    form_class = inputs.ChangesForm

    def compute(self, params: dict, *, a: str, b: str) -> reports.PairChanges:
        return reports.pair_changes(a, b, start=params["from"], end=params["to"], level=params["level"])

    def table(self, report: reports.PairChanges) -> tables.Table:
        return tables.changes_table(report)

    def filename(self, report: reports.PairChanges, extension: str) -> str:
        return f"{report.pair.slug}-changes-{report.start}-to-{report.end}.{extension}"

    def json(self, report: reports.PairChanges) -> Response:
        return Response(report.document())
