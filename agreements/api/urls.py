"""The REST API under /api/: one router for the app's resources, plus the schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import agreements, parts, reference, webhooks
from .auth import TokenView
from .intake import IntakeView

router = DefaultRouter()
router.register("agreements", agreements.AgreementViewSet, basename="agreement")
router.register("people", reference.PersonViewSet, basename="person")
router.register("bodies", reference.BodyViewSet, basename="body")
router.register("sources", reference.SourceViewSet, basename="source")
router.register("categories", reference.ClauseCategoryViewSet, basename="category")
router.register("countries", reference.CountryViewSet, basename="country")
router.register("relations", reference.AgreementRelationViewSet, basename="relation")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")

PART_VIEWSETS = {
    "participants": parts.ParticipantViewSet,
    "clauses": parts.ClauseViewSet,
    "events": parts.StatusEventViewSet,
    "citations": parts.CitationViewSet,
    "commitments": parts.CommitmentViewSet,
}


def _part_urls():
    for name, viewset in PART_VIEWSETS.items():
        yield path(
            f"agreements/<int:agreement_pk>/{name}/",
            viewset.as_view({"get": "list", "post": "create"}),
            name=f"agreement-{name}-list",
        )
        yield path(
            f"agreements/<int:agreement_pk>/{name}/<int:pk>/",
            viewset.as_view(
                {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
            ),
            name=f"agreement-{name}-detail",
        )


urlpatterns = [
    *_part_urls(),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("intake/", IntakeView.as_view(), name="intake"),
    path("", include(router.urls)),
    path("reports/", include("agreements.api.report_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script as a file: no inline script, so the
    # Content-Security-Policy needs no exception. (Redoc is left out: its page loads web fonts
    # from Google, and the docs must work offline.)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
