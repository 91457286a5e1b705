"""/api/reports/…: each report as JSON (in the schema) and as CSV (``?format=csv`` or ``.csv``)."""

from django.urls import path

from ..web import converters  # noqa: F401  (registers the URL converters)
from .report_schema import without_schema
from .reports import CommitmentsView, NetworkView, PairChangesView, PairSummaryView, PanelView, PartnersView

urlpatterns = [
    path("pairs/<country:a>-<country:b>/", PairSummaryView.as_view(), name="report-pair"),
    path("pairs/<country:a>-<country:b>.<report_format:format>", without_schema(PairSummaryView).as_view()),
    path("pairs/<country:a>-<country:b>/changes/", PairChangesView.as_view(), name="report-pair-changes"),
    path(
        "pairs/<country:a>-<country:b>/changes.<report_format:format>",
        without_schema(PairChangesView).as_view(),
    ),
    path("countries/<country:code>/", PartnersView.as_view(), name="report-partners"),
    path("countries/<country:code>.<report_format:format>", without_schema(PartnersView).as_view()),
    path("network/", NetworkView.as_view(), name="report-network"),
    path("network.<report_format:format>", without_schema(NetworkView).as_view()),
    path("commitments/", CommitmentsView.as_view(), name="report-commitments"),
    path("commitments.<report_format:format>", without_schema(CommitmentsView).as_view()),
    path("dyad-years/", PanelView.as_view(), name="report-dyad-years"),
    path("dyad-years.<report_format:format>", without_schema(PanelView).as_view()),
]
