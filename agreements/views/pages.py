"""The report pages for people. Thin: validate with the report's form, call the report, render.

Every number on a page comes from ``agreements.reports``, the same functions behind
the JSON and the CSV, and every page links to those two formats.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .. import reports
from ..choices import EventType, Status
from ..dates import format_partial_date
from ..models import Country
from ..pairs import NamedPair, named_pair
from ..reports import inputs
from ..reports.keeping import kept
from ..reports.sql import is_timeout
from ..web.bounds import report_limit, timeout_detail
from ..web.caching import conditional_page
from ..web.converters import CountryCodeConverter
from .limits import limited

# The network page draws the strongest pairs; the table and the downloads have them all.
NETWORK_CHART_EDGES = 300
NETWORK_TABLE_ROWS = 200
# The matrix has agreements as columns up to this many, as rows beyond (``_matrix``), and shows
# at most the latest MATRIX_ROWS; the CSV has every agreement's categories.
MATRIX_ACROSS = 6
MATRIX_ROWS = 120
TIMELINE_ROWS = 60
# The partners chart draws the strongest partners and one bar for all the others.
PARTNERS_DRAWN = 15


def _report_errors(form_class: type[inputs.ReportForm] | None = None):
    """Bad parameters are a 400, unknown countries a 404 and a report over its time limit a 503,
    each with a page that says why.

    With the report's form, the 400 page shows it again with what was typed and each error
    beside its field, so a mistyped date is corrected where it was typed.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                with report_limit():
                    # Caught inside the limit's transaction, which they leave usable: the
                    # 400 page reads the form's choices again.
                    try:
                        return view(request, *args, **kwargs)
                    except (inputs.ReportInputError, inputs.UnknownCountryError) as error:
                        refused = error
            except OperationalError as error:
                if not is_timeout(error):
                    raise
                hint = "narrow it with its filters (a category, a kind, a status, a range of years)."
                context = {"title": "This report took too long", "errors": {"report": [timeout_detail(hint)]}}
                return render(request, "agreements/reports/error.html", context, status=503)
            if isinstance(refused, inputs.UnknownCountryError):
                context = {"title": "Unknown country", "errors": {"country": [str(refused)]}}
                return render(request, "agreements/reports/error.html", context, status=404)
            context = {
                "title": "These parameters cannot be used",
                "errors": refused.errors,
                "form": form_class(request.GET) if form_class else None,
            }
            return render(request, "agreements/reports/error.html", context, status=400)

        return wrapper

    return decorate


def _canonical(request: HttpRequest, name: str, pair: NamedPair) -> HttpResponse:
    """The same page under the pair's one URL (names in alphabetical order), query kept.

    A temporary redirect (302): the order follows the countries' names, which a migration
    may one day change, and a browser keeps a permanent one for good.
    """
    url = reverse(name, kwargs={"a": pair.first, "b": pair.second})
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _links(api_name: str, params: dict[str, str], **kwargs: str) -> dict[str, str]:
    """The JSON and CSV of the report the page shows, with the same parameters."""
    url = reverse(api_name, kwargs=kwargs)
    query = urlencode(params)
    return {
        "json": f"{url}?{query}" if query else url,
        "csv": f"{url}?{urlencode({**params, 'format': 'csv'})}",
    }


@require_GET
@limited
@conditional_page
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
        # Straight to the pair's one URL (names in alphabetical order), not through its redirect.
        names = dict(Country.objects.filter(code__in=[picked["a"], picked["b"]]).values_list("code", "name"))
        a, b = picked["a"], picked["b"]
        if a in names and b in names:
            ordered = named_pair((a, names[a]), (b, names[b]))
            a, b = ordered.first, ordered.second
        return redirect("reports-pair", a=a, b=b)
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
@limited
@conditional_page
@_report_errors(inputs.PairForm)
def pair(request: HttpRequest, a: str, b: str) -> HttpResponse:
    params = inputs.PairForm.validated(request.GET)
    summary = kept(
        "pair",
        lambda: reports.pair_summary(a, b, as_of=params.get("as_of"), level=params["level"]),
        _key(params, a=a, b=b),
        version=request.data_version,
    )
    named = summary.pair
    if not named.is_asked_as(a, b):
        return _canonical(request, "reports-pair", named)
    data = summary.data
    agreements = data["agreements"]
    # "Now" and "on <as_of>" are the same columns unless another day was asked for.
    dated = _dated(params.get("as_of"))
    context = {
        "report": data,
        "pair": named,
        "names": summary.names,
        "dated": dated,
        "form": inputs.PairForm(request.GET or None),
        "links": _links("report-pair", _given(request), a=named.first, b=named.second),
        "changes": _changes_link(named, since=params.get("as_of") if dated else None),
        "matrix": _matrix(agreements, data["categories"]),
        "timeline_truncated": len(agreements) > TIMELINE_ROWS,
        "timeline": {
            "as_of": data["as_of"],
            "dated": dated,
            "statuses": {value: str(label) for value, label in Status.choices},
            "events": {value: str(label) for value, label in EventType.choices},
            "parties": summary.names,
            "agreements": agreements[-TIMELINE_ROWS:],
            "file": f"{named.slug}-timeline",
        },
        "has_synthetic": any(agreement["is_synthetic"] for agreement in agreements),
    }
    return render(request, "agreements/reports/pair.html", context)


def _dated(as_of: datetime.date | None) -> bool:
    """Whether the reader asked about another day than today."""
    return as_of is not None and as_of != inputs.today()


def _changes_link(pair: NamedPair, *, since: datetime.date | None) -> dict[str, Any]:
    """The pair between two days: since the day the reader chose (if past), else over the last year."""
    end = inputs.today()
    since = since if since is not None and since <= end else None
    start = since or inputs.year_before(end)
    url = reverse("reports-pair-changes", kwargs={"a": pair.first, "b": pair.second})
    return {"url": f"{url}?{urlencode({'from': start.isoformat(), 'to': end.isoformat()})}", "since": since}


def _matrix(agreements: list[dict[str, Any]], categories: list[dict[str, Any]]) -> dict[str, Any]:
    """The category × agreement matrix as a grid, turned on its side when the agreements would not fit.

    Up to ``MATRIX_ACROSS`` agreements are columns (short titles and dates as their heads);
    beyond that each agreement is a row and the categories are the columns, so the table
    grows downwards, where a page has room, and prints on A4 without losing columns. At most
    the latest ``MATRIX_ROWS`` are shown; the CSV has every agreement's categories.
    """
    shown = agreements[-MATRIX_ROWS:]
    covered = [set(category["agreement_ids"]) for category in categories]
    transposed = len(shown) > MATRIX_ACROSS
    if transposed:
        rows = [{"agreement": a, "cells": [a["id"] in ids for ids in covered]} for a in shown]
    else:
        rows = [
            {"category": category, "cells": [agreement["id"] in ids for agreement in shown]}
            for category, ids in zip(categories, covered, strict=True)
        ]
    return {
        "agreements": shown,
        "categories": categories,
        "rows": rows,
        "transposed": transposed,
        "truncated": len(agreements) > len(shown),
    }


@require_GET
@limited
@conditional_page
@_report_errors(inputs.PartnersForm)
def country(request: HttpRequest, code: str) -> HttpResponse:
    params = inputs.PartnersForm.validated(request.GET)
    filters = inputs.FilterForm.filters(params)
    report = kept(
        "partners",
        lambda: reports.country_partners(code, as_of=params.get("as_of"), filters=filters),
        _key(params, code=code),
        version=request.data_version,
    )
    dated = _dated(params.get("as_of"))
    context = {
        "report": report,
        "dated": dated,
        "form": inputs.PartnersForm(request.GET or None),
        "links": _links("report-partners", _given(request), code=report.country.code),
        "statuses": [(value, str(label)) for value, label in Status.choices],
        "chart": _partners_chart(report, dated),
        "chart_others": max(0, len(report.partners) - PARTNERS_DRAWN),
    }
    return render(request, "agreements/reports/country.html", context)


def _partners_chart(report: reports.CountryPartners, dated: bool) -> dict[str, Any]:
    """The strongest partners, one bar for the rest, and a logarithmic scale when one dominates.

    With one partner far ahead (a neighbour with hundreds of agreements), a linear scale draws
    one long bar and slivers; the numbers are also written at the end of each bar.
    """
    drawn, rest = report.partners[:PARTNERS_DRAWN], report.partners[PARTNERS_DRAWN:]
    bars = [
        {"name": p["partner_name"], "agreements": p["agreements"], "in_force": p["in_force_on_as_of"]}
        for p in drawn
    ]
    if rest:
        bars.append(
            {
                "name": f"{len(rest)} other partner{'s' if len(rest) > 1 else ''}",
                "agreements": sum(p["agreements"] for p in rest),
                "in_force": sum(p["in_force_on_as_of"] for p in rest),
                "others": True,
            }
        )
    # One partner far ahead of the next, or of the typical one (the "others" bar aside).
    counts = sorted((p["agreements"] for p in drawn), reverse=True)
    dominant = len(counts) > 2 and (
        counts[0] >= 8 * max(1, counts[1]) or counts[0] >= 20 * max(1, counts[len(counts) // 2])
    )
    in_force = f"In force on {format_partial_date(report.as_of, 'day')}" if dated else "In force now"
    return {
        "country": report.country.name,
        "partners": bars,
        "log": dominant,
        "in_force_label": in_force,
        "file": f"{slugify(report.country.name)}-partners",
    }


@require_GET
@limited
@conditional_page
@_report_errors(inputs.NetworkForm)
def network(request: HttpRequest) -> HttpResponse:
    params = inputs.NetworkForm.validated(request.GET)
    report = kept(
        "network",
        lambda: reports.pair_network(filters=inputs.FilterForm.filters(params)),
        _key(params),
        version=request.data_version,
    )
    edges = report.edges[:NETWORK_CHART_EDGES]
    drawn = {code for edge in edges for code in (edge["party_a"], edge["party_b"])}
    context = {
        "report": report,
        "form": inputs.NetworkForm(request.GET or None),
        "links": _links("report-network", _given(request)),
        "table_edges": report.edges[:NETWORK_TABLE_ROWS],
        "table_nodes": report.nodes[:NETWORK_TABLE_ROWS],
        "chart_truncated": len(report.edges) > NETWORK_CHART_EDGES,
        "table_truncated": len(report.edges) > NETWORK_TABLE_ROWS,
        "nodes_truncated": len(report.nodes) > NETWORK_TABLE_ROWS,
        "chart": {
            "nodes": [
                {"id": n["code"], "name": n["name"], "agreements": n["agreements"], "in_force": n["in_force"]}
                for n in report.nodes
                if n["code"] in drawn
            ],
            "edges": [
                {
                    "source": e["party_a"],
                    "target": e["party_b"],
                    "name": named_pair(
                        (e["party_a"], e["party_a__name"]), (e["party_b"], e["party_b__name"])
                    ).name,
                    "agreements": e["agreements"],
                    "in_force": e["in_force"],
                }
                for e in edges
            ],
            "file": "pair-network",
        },
    }
    return render(request, "agreements/reports/network.html", context)


@require_GET
@limited
@conditional_page
@_report_errors(inputs.CommitmentsForm)
def commitments(request: HttpRequest) -> HttpResponse:
    """What falls due soon and what is overdue, across every pair (or one country's)."""
    params = inputs.CommitmentsForm.validated(request.GET)
    report = kept(
        "commitments",
        lambda: reports.commitments_report(
            as_of=params.get("as_of"),
            window_days=params["within_days"],
            level=params["level"],
            country=params.get("country") or None,
        ),
        _key(params),
        version=request.data_version,
    )
    context = {
        "report": report,
        "form": inputs.CommitmentsForm(request.GET or None),
        "links": _links("report-commitments", _given(request)),
        "overdue_note": reports.commitments.OVERDUE_NOTE,
    }
    return render(request, "agreements/reports/commitments.html", context)


@require_GET
@limited
@conditional_page
@_report_errors(inputs.ChangesForm)
def changes(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """The pair between two days: what was signed, changed status, fell due, and was corrected."""
    params = inputs.ChangesForm.validated(request.GET)
    report = kept(
        "changes",
        lambda: reports.pair_changes(a, b, start=params["from"], end=params["to"], level=params["level"]),
        _key(params, a=a, b=b),
        version=request.data_version,
    )
    if not report.pair.is_asked_as(a, b):
        return _canonical(request, "reports-pair-changes", report.pair)
    context = {
        "report": report,
        "pair": report.pair,
        "names": report.names,
        "form": inputs.ChangesForm(request.GET or None),
        "links": _links("report-pair-changes", _given(request), a=report.pair.first, b=report.pair.second),
        "pair_url": reverse("reports-pair", kwargs={"a": report.pair.first, "b": report.pair.second}),
        "notes": reports.changes.CHANGES_NOTE,
    }
    return render(request, "agreements/reports/changes.html", context)


@require_GET
@limited
@conditional_page
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """One agreement, read-only, with everything the pair report summarises."""
    item = reports.agreement_for_page(pk)
    if item is None:
        context = {"title": "No such agreement", "errors": {"agreement": [f"There is no agreement {pk}."]}}
        return render(request, "agreements/reports/error.html", context, status=404)
    pair = named_pair((item.party_a_id, item.party_a.name), (item.party_b_id, item.party_b.name))
    return render(request, "agreements/agreement_detail.html", {"agreement": item, "pair": pair})


def _key(params: dict[str, Any], **kwargs: str) -> tuple:
    """A report's parameters as the shared cache keys it, the same as the report API's."""
    return (sorted(kwargs.items()), sorted(params.items()))


def _given(request: HttpRequest) -> dict[str, str]:
    """The non-empty query parameters, for links to the other formats."""
    return {name: value for name, value in request.GET.items() if value and name != "format"}
