"""Pages for people: the reports (/reports/…) and a read-only page per agreement."""

from django.urls import path

from .views import feeds, following, pages
from .web import converters  # noqa: F401  (registers the URL converters)

urlpatterns = [
    path("reports/", pages.index, name="reports"),
    path("reports/pairs/<country:a>-<country:b>/", pages.pair, name="reports-pair"),
    path("reports/pairs/<country:a>-<country:b>/changes/", pages.changes, name="reports-pair-changes"),
    path("reports/countries/<country:code>/", pages.country, name="reports-country"),
    path("reports/network/", pages.network, name="reports-network"),
    path("reports/commitments/", pages.commitments, name="reports-commitments"),
    path("agreements/<int:pk>/", pages.agreement, name="agreement-detail"),
    # Atom feeds of what changed (reports.outbox).
    path("reports/feed/", feeds.everything, name="feed-all"),
    path("reports/pairs/<country:a>-<country:b>/feed/", feeds.pair, name="feed-pair"),
    path("reports/countries/<country:code>/feed/", feeds.country, name="feed-country"),
    path("reports/categories/<slug:slug>/feed/", feeds.category, name="feed-category"),
    path("reports/commitments/<commitment_feed:state>/feed/", feeds.commitments, name="feed-commitments"),
    # Following: what a reader watches, and the digests' unsubscribe link.
    path("watches/", following.watches, name="watches"),
    path("watches/unsubscribe/<str:token>/", following.unsubscribe, name="unsubscribe"),
]
