"""Pages for people: the reports (/reports/…) and a read-only page per agreement."""

from django.urls import path

from .views import pages
from .web import converters  # noqa: F401  (registers the URL converters)

urlpatterns = [
    path("reports/", pages.index, name="reports"),
    path("reports/pairs/<country:a>-<country:b>/", pages.pair, name="reports-pair"),
    path("reports/pairs/<country:a>-<country:b>/changes/", pages.changes, name="reports-pair-changes"),
    path("reports/countries/<country:code>/", pages.country, name="reports-country"),
    path("reports/network/", pages.network, name="reports-network"),
    path("reports/commitments/", pages.commitments, name="reports-commitments"),
    path("agreements/<int:pk>/", pages.agreement, name="agreement-detail"),
]
