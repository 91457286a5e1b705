"""/api/agreements/: agreements read as database-built documents and written through the services."""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.db.models import F, QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ..history import agreement_timeline
from ..models import Agreement
from ..reports.documents import documents_in_order, documents_with_rows, with_documents
from ..services import agreement_create, agreement_delete, agreement_update
from ..web.csv import export_response
from .base import (
    ALLOW_DUPLICATE,
    StrictParametersMixin,
    agreement_document,
    boolean_parameter,
    check_id,
    document_response,
    found,
    json_object,
    saving,
)
from .concurrency import etag, expected_version, not_modified
from .filters import AgreementFilterSet, FilterBackend, StrictOrderingFilter
from .pagination import with_links
from .permissions import CanViewHistory
from .renderers import CSVRenderer, errors_in_json
from .serializers import (
    PARTS,
    AgreementSerializer,
    HistoryEntrySerializer,
    PossibleDuplicatesSerializer,
    ValidationErrorSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="List agreements", description="Filter, search, order and page through agreements."
    ),
    retrieve=extend_schema(
        summary="Get an agreement",
        description="The response has an `ETag`; send it back as `If-Match` to change the agreement.",
    ),
    create=extend_schema(
        summary="Create an agreement with all its parts",
        description="One atomic request: if any part is invalid, nothing is written. An agreement that "
        "may already be recorded (the same pair signed within 30 days, or a signatory in common and a "
        "similar title) is refused with 409 and the candidates, unless `allow_duplicate=true`.",
        parameters=[ALLOW_DUPLICATE],
        responses={
            201: AgreementSerializer,
            409: OpenApiResponse(
                PossibleDuplicatesSerializer,
                description="It may already be recorded; see possible_duplicates.",
            ),
        },
    ),
    update=extend_schema(summary="Replace an agreement"),
    partial_update=extend_schema(summary="Change some fields of an agreement"),
    destroy=extend_schema(summary="Delete an agreement with its parts"),
)
class AgreementViewSet(StrictParametersMixin, viewsets.ModelViewSet):
    """Agreements, read as documents the database builds and written through the services."""

    queryset = Agreement.objects.all()
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    filter_backends = [FilterBackend, StrictOrderingFilter]
    ordering_fields = [
        "id",
        "title",
        "kind",
        "status",
        "signed_on",
        "in_force_from",
        "created_at",
        "updated_at",
    ]
    lookup_value_regex = r"[0-9]+"
    format_hints = {
        "csv": "The list as CSV is the export, with the same filters: /api/agreements/export.csv."
    }
    # Writes need If-Match, reads carry an ETag (the schema declares them, with 412, 428: api/schema.py).
    conditional_writes = True

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.order_by(F("signed_on").desc(nulls_last=True), "-id")

    def is_expensive(self, request: Request) -> bool:
        """The export counts against the stricter rate limit (api/throttling.py)."""
        return self.action == "export"

    def list(self, request: Request, *args, **kwargs) -> Response:
        self.check_parameters(request)
        return self.conditional(request, self.page)

    def page(self) -> Response:
        agreements = self.filter_queryset(self.get_queryset())
        request = self.request
        cursor, first = self.paginator.is_cursor(request), self.paginator.is_first_page(request)
        if documents_with_rows(agreements, cursor=cursor, first=first):
            page = self.paginate_queryset(with_documents(agreements))  # one query
        else:  # keys first, then documents for the page's rows alone (see documents_in_order)
            page = documents_in_order([row["id"] for row in self.paginate_queryset(agreements.values("id"))])
        return self.get_paginated_response([orjson.Fragment(row["document"]) for row in page])

    @extend_schema(
        summary="Export agreements as CSV",
        description="Every agreement that the same filters select, in the same order as the list, one "
        "row each with its own fields (no parts), streamed. Dates are ISO with a precision column "
        "beside each; yes/no is 1/0. Also at `/api/agreements/export.csv`.",
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV with a header row."),
            (400, "application/json"): OpenApiResponse(
                ValidationErrorSerializer,
                description="A filter or ordering parameter is unknown or malformed; `errors` names it.",
            ),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[CSVRenderer],
        pagination_class=None,
    )
    def export(self, request: Request, *args, **kwargs) -> StreamingHttpResponse:
        self.check_parameters(request, others={"format"})
        return export_response(self.filter_queryset(self.get_queryset()))

    def finalize_response(self, request: Request, response, *args, **kwargs):
        # On the export's URL every answer but the CSV itself (errors, OPTIONS, a refused
        # method, where ``action`` is None) is JSON.
        if CSVRenderer in self.renderer_classes:
            errors_in_json(request, response)
        return super().finalize_response(request, response, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        pk = check_id(kwargs["pk"], "agreement")
        if request.headers.get("If-None-Match"):
            # A conditional read asks for the version alone first: a 304 never builds the document.
            version = Agreement.objects.filter(pk=pk).values_list("version", flat=True).first()
            if version is not None and not_modified(request, etag(pk, version)):
                return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(pk, version)})
        row = self._document(pk)
        if not_modified(request, etag(row["id"], row["version"])):
            return Response(
                status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(row["id"], row["version"])}
            )
        return document_response(row)

    def create(self, request: Request, *args, **kwargs) -> Response:
        allow_duplicate = boolean_parameter(request, "allow_duplicate")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = saving(
            request, lambda: agreement_create(data=serializer.to_input(), allow_duplicate=allow_duplicate)
        )
        location = request.build_absolute_uri(f"{agreement.pk}/")
        return document_response(self._document(agreement.pk), status.HTTP_201_CREATED, Location=location)

    def update(self, request: Request, *args, **kwargs) -> Response:
        agreement = self._agreement(kwargs["pk"])
        version = expected_version(request, agreement)
        data = self._merged_request(request, agreement, partial=kwargs.get("partial", False))
        serializer = self.get_serializer(agreement, data=data)
        serializer.is_valid(raise_exception=True)
        saving(
            request,
            lambda: agreement_update(
                agreement=agreement, data=serializer.to_input(), expected_version=version
            ),
        )
        return document_response(self._document(agreement.pk))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        agreement = self._agreement(kwargs["pk"])
        agreement_delete(agreement=agreement, expected_version=expected_version(request, agreement))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The history of an agreement and its parts",
        description="Every recorded change, newest first, with who made it, through which interface, "
        "and the values before and after. Needs a signed-in user who may view agreements.",
        responses={200: HistoryEntrySerializer(many=True)},
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    @action(detail=True, methods=["get"], permission_classes=[CanViewHistory], filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        agreement = found(Agreement.objects.filter(pk=check_id(pk, "agreement")), pk)
        page = self.paginator.pages.paginate_queryset(agreement_timeline(agreement.pk), request, self)
        pages = self.paginator.pages
        return with_links(pages, pages.get_paginated_response(HistoryEntrySerializer(page, many=True).data))

    def _agreement(self, pk: Any) -> Agreement:
        agreement = found(Agreement.objects.filter(pk=check_id(pk, "agreement")), pk)
        self.check_object_permissions(self.request, agreement)
        return agreement

    def _document(self, pk: int) -> dict[str, Any]:
        return agreement_document(pk)

    def _merged_request(self, request: Request, agreement: Agreement, *, partial: bool) -> dict[str, Any]:
        """The request with what it leaves out taken from the stored agreement.

        A PATCH keeps every top-level field it does not send; a PUT keeps only the
        collections of parts it does not send (its scalar fields are all replaced).
        """
        body = json_object(request)
        current = json.loads(self._document(agreement.pk)["document"])
        kept = current if partial else {name: current[name] for name in PARTS}
        # The stored level is derived from the sides, or was stated: left out, it is derived
        # again from the (possibly changed) sides, or kept.
        kept.pop("level", None)
        return {**kept, **body}
