"""The report pages for people. Thin: validate with the report's form, call the report, render.

Every number on a page comes from ``agreements.reports``, the same functions behind
the JSON and the CSV, and every page links to those two formats.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import reports
from ..choices import Status
from ..models import Country
from ..reports import inputs
from ..reports.sql import is_timeout
from ..web.bounds import report_limit, timeout_detail
from ..web.converters import CountryCodeConverter
from ..web.throttling import wait_seconds

# The network page draws the strongest pairs; the table and the downloads have them all.
NETWORK_CHART_EDGES = 300
NETWORK_TABLE_ROWS = 200
# A matrix wider than this is unreadable; the CSV has every agreement's categories.
MATRIX_COLUMNS = 40
TIMELINE_ROWS = 60


def _limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The pages count against the client's rate limit, as its API requests do (429 beyond it)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        wait = wait_seconds(request)
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            context = {
                "title": "Too many requests",
                "errors": {"rate limit": [f"Too many requests from your address; try again in {seconds} s."]},
            }
            response = render(request, "agreements/reports/error.html", context, status=429)
            response["Retry-After"] = str(seconds)
            return response
        return view(request, *args, **kwargs)

    return wrapper


def _report_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Bad parameters are a 400, unknown countries a 404 and a report over its time limit a 503,
    each with a page that says why."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            with report_limit():
                return view(request, *args, **kwargs)
        except OperationalError as error:
            if not is_timeout(error):
                raise
            hint = "narrow it with its filters (a category, a kind, a status, a range of years)."
            context = {"title": "This report took too long", "errors": {"report": [timeout_detail(hint)]}}
            return render(request, "agreements/reports/error.html", context, status=503)
        except inputs.ReportInputError as error:
            context = {"title": "These parameters cannot be used", "errors": error.errors}
            return render(request, "agreements/reports/error.html", context, status=400)
        except inputs.UnknownCountryError as error:
            context = {"title": "Unknown country", "errors": {"country": [str(error)]}}
            return render(request, "agreements/reports/error.html", context, status=404)

    return wrapper


def _links(api_name: str, params: dict[str, str], **kwargs: str) -> dict[str, str]:
    """The JSON and CSV of the report the page shows, with the same parameters."""
    url = reverse(api_name, kwargs=kwargs)
    query = urlencode(params)
    return {
        "json": f"{url}?{query}" if query else url,
        "csv": f"{url}?{urlencode({**params, 'format': 'csv'})}",
    }


@require_GET
@_limited
def index(request: HttpRequest) -> HttpResponse:
    """Pick two countries (pair report) or one (partners); the network and the panel download."""
    picked = {name: request.GET.get(name, "").strip().upper() for name in ("a", "b", "country")}
    malformed = {
        name: [f"“{value}” is not a country code."]
        for name, value in picked.items()
        if value and not re.fullmatch(CountryCodeConverter.regex, value)
    }
    if malformed:
        context = {"title": "These parameters cannot be used", "errors": malformed}
        return render(request, "agreements/reports/error.html", context, status=400)
    if picked["a"] and picked["b"]:
        return redirect("reports-pair", a=picked["a"], b=picked["b"])
    if picked["country"]:
        return redirect("reports-country", code=picked["country"])
    countries = Country.objects.order_by("name").values_list("code", "name", "is_former")
    context = {
        "countries": countries,
        "panel_form": inputs.PanelForm(),
        "panel_url": reverse("report-dyad-years"),
    }
    return render(request, "agreements/reports/index.html", context)


@require_GET
@_limited
@_report_errors
def pair(request: HttpRequest, a: str, b: str) -> HttpResponse:
    params = inputs.PairForm.validated(request.GET)
    summary = reports.pair_summary(a, b, as_of=params.get("as_of"), level=params["level"])
    data = summary.data
    agreements = data["agreements"]
    # The report keeps the pair in code order (Iraq, Iran); the page names the two countries in
    # the order the reader asked for them, so "Iran and Iraq" is not answered with "Iraq and Iran".
    asked = [data["party_a"], data["party_b"]]
    if asked[0]["code"] != a:
        asked.reverse()
    context = {
        "report": data,
        "first": asked[0],
        "second": asked[1],
        "form": inputs.PairForm(request.GET or None),
        "links": _links("report-pair", _given(request), a=a, b=b),
        "matrix_agreements": agreements[-MATRIX_COLUMNS:],
        "matrix_truncated": len(agreements) > MATRIX_COLUMNS,
        "timeline_truncated": len(agreements) > TIMELINE_ROWS,
        "timeline": {
            "as_of": data["as_of"],
            "statuses": {value: str(label) for value, label in Status.choices},
            "agreements": agreements[-TIMELINE_ROWS:],
        },
        "has_synthetic": any(agreement["is_synthetic"] for agreement in agreements),
    }
    return render(request, "agreements/reports/pair.html", context)


@require_GET
@_limited
@_report_errors
def country(request: HttpRequest, code: str) -> HttpResponse:
    params = inputs.PartnersForm.validated(request.GET)
    filters = inputs.FilterForm.filters(params)
    report = reports.country_partners(code, as_of=params.get("as_of"), filters=filters)
    context = {
        "report": report,
        "form": inputs.PartnersForm(request.GET or None),
        "links": _links("report-partners", _given(request), code=report.country.code),
        "statuses": [(value, str(label)) for value, label in Status.choices],
        "chart": {
            "country": report.country.name,
            "partners": [
                {"name": p["partner_name"], "agreements": p["agreements"], "in_force": p["in_force_on_as_of"]}
                for p in report.partners[:20]
            ],
        },
    }
    return render(request, "agreements/reports/country.html", context)


@require_GET
@_limited
@_report_errors
def network(request: HttpRequest) -> HttpResponse:
    params = inputs.NetworkForm.validated(request.GET)
    report = reports.pair_network(filters=inputs.FilterForm.filters(params))
    edges = report.edges[:NETWORK_CHART_EDGES]
    drawn = {code for edge in edges for code in (edge["party_a"], edge["party_b"])}
    context = {
        "report": report,
        "form": inputs.NetworkForm(request.GET or None),
        "links": _links("report-network", _given(request)),
        "table_edges": report.edges[:NETWORK_TABLE_ROWS],
        "chart_truncated": len(report.edges) > NETWORK_CHART_EDGES,
        "table_truncated": len(report.edges) > NETWORK_TABLE_ROWS,
        "chart": {
            "nodes": [
                {"id": n["code"], "name": n["name"], "agreements": n["agreements"]}
                for n in report.nodes
                if n["code"] in drawn
            ],
            "edges": [
                {"source": e["party_a"], "target": e["party_b"], "agreements": e["agreements"]} for e in edges
            ],
        },
    }
    return render(request, "agreements/reports/network.html", context)


@require_GET
@_limited
@_report_errors
def commitments(request: HttpRequest) -> HttpResponse:
    """What falls due soon and what is overdue, across every pair (or one country's)."""
    params = inputs.CommitmentsForm.validated(request.GET)
    report = reports.commitments_report(
        as_of=params.get("as_of"),
        window_days=params["within_days"],
        level=params["level"],
        country=params.get("country") or None,
    )
    context = {
        "report": report,
        "form": inputs.CommitmentsForm(request.GET or None),
        "links": _links("report-commitments", _given(request)),
        "overdue_note": reports.commitments.OVERDUE_NOTE,
    }
    return render(request, "agreements/reports/commitments.html", context)


@require_GET
@_limited
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """One agreement, read-only, with everything the pair report summarises."""
    item = reports.agreement_for_page(pk)
    if item is None:
        context = {"title": "No such agreement", "errors": {"agreement": [f"There is no agreement {pk}."]}}
        return render(request, "agreements/reports/error.html", context, status=404)
    return render(request, "agreements/agreement_detail.html", {"agreement": item})


def _given(request: HttpRequest) -> dict[str, str]:
    """The non-empty query parameters, for links to the other formats."""
    return {name: value for name, value in request.GET.items() if value and name != "format"}
