"""API views. Thin: parameters in, services for writes, database-built documents out."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ..history import agreement_timeline
from ..models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Clause,
    ClauseCategory,
    Country,
    Person,
    Signatory,
    Source,
    StatusEvent,
)
from ..services import (
    agreement_create,
    agreement_delete,
    agreement_to_input,
    agreement_update,
    person_create,
    person_update,
)
from .concurrency import etag, expected_version, not_modified
from .documents import with_documents
from .errors import SAVED_AGREEMENT
from .export import export_response
from .fields import MAX_ID
from .filters import AgreementFilterSet, FilterBackend, StrictBooleanFilter, StrictOrderingFilter
from .permissions import CanViewHistory
from .renderers import CSVRenderer, errors_in_json
from .serializers import (
    PARTS,
    AgreementRelationSerializer,
    AgreementSerializer,
    CitationSerializer,
    ClauseCategorySerializer,
    ClauseSerializer,
    CountrySerializer,
    HistoryEntrySerializer,
    PersonSerializer,
    SignatorySerializer,
    SourceSerializer,
    StatusEventSerializer,
    ValidationErrorSerializer,
)

PAGINATION_PARAMETERS = {"page", "page_size", "cursor", "format"}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The agreement\'s ETag from your last read, e.g. `"agreement-12-v3"` (or `*`).',
)
PRECONDITION_ERRORS = {
    "412": "The agreement changed since the ETag in If-Match was read.",
    "428": "If-Match is missing.",
}


def _check_id(value: Any) -> int:
    """A path id as an int; ids no database row can have are simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 1 <= number <= MAX_ID:
        raise NotFound()
    return number


class StrictParametersMixin:
    """Refuse query parameters that mean nothing here, rather than ignoring a typo."""

    def check_parameters(self, request: Request, others: set[str] = PAGINATION_PARAMETERS) -> None:
        """Refuse a parameter that is neither a filter, ``ordering`` nor one of ``others``."""
        allowed = set(others)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        if getattr(self, "ordering_fields", None):
            allowed.add("ordering")
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {name: [f"Unknown parameter; use one of {', '.join(sorted(allowed))}."] for name in unknown}
            )
        if "cursor" in request.query_params and "ordering" in request.query_params:
            raise ValidationError({"ordering": ["Cursor mode always walks in id order; leave out ordering."]})

    def list(self, request: Request, *args, **kwargs) -> Response:
        self.check_parameters(request)
        return super().list(request, *args, **kwargs)


def _document_response(
    row: dict[str, Any], status_code: int = status.HTTP_200_OK, **headers: str
) -> Response:
    return Response(
        orjson.Fragment(row["document"]),
        status=status_code,
        headers={"ETag": etag(row["id"], row["version"]), **headers},
    )


def _saving(request: Request, write: Callable[[], Agreement]) -> Agreement:
    """Run a service's write so that the request learns the moment it commits.

    The change is read back after the COMMIT; if the database goes away in between, the
    change is saved but the client gets an error. With a hook on our own commit, that
    error can say so (``errors.py``) and name the saved version, so that a client does not
    send again a create that already happened.
    """
    with transaction.atomic():
        agreement = write()
        saved = (agreement.pk, agreement.version)
        transaction.on_commit(lambda: setattr(request, SAVED_AGREEMENT, saved))
    return agreement


# --- Agreements --------------------------------------------------------------------------------


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
        description="One atomic request: if any part is invalid, nothing is written.",
    ),
    update=extend_schema(summary="Replace an agreement", parameters=[IF_MATCH]),
    partial_update=extend_schema(summary="Change some fields of an agreement", parameters=[IF_MATCH]),
    destroy=extend_schema(summary="Delete an agreement with its parts", parameters=[IF_MATCH]),
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
    extra_error_responses = dict.fromkeys(("PUT", "PATCH", "DELETE"), PRECONDITION_ERRORS)

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.order_by(F("signed_on").desc(nulls_last=True), "-id")

    def list(self, request: Request, *args, **kwargs) -> Response:
        self.check_parameters(request)
        page = self.paginate_queryset(with_documents(self.filter_queryset(self.get_queryset())))
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
        row = self._document(_check_id(kwargs["pk"]))
        if not_modified(request, etag(row["id"], row["version"])):
            return Response(
                status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(row["id"], row["version"])}
            )
        return _document_response(row)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = _saving(request, lambda: agreement_create(data=serializer.to_input()))
        location = request.build_absolute_uri(f"{agreement.pk}/")
        return _document_response(self._document(agreement.pk), status.HTTP_201_CREATED, Location=location)

    def update(self, request: Request, *args, **kwargs) -> Response:
        agreement = self._agreement(kwargs["pk"])
        version = expected_version(request, agreement.pk)
        data = self._merged_request(request, agreement, partial=kwargs.get("partial", False))
        serializer = self.get_serializer(agreement, data=data)
        serializer.is_valid(raise_exception=True)
        _saving(
            request,
            lambda: agreement_update(
                agreement=agreement, data=serializer.to_input(), expected_version=version
            ),
        )
        return _document_response(self._document(agreement.pk))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        agreement = self._agreement(kwargs["pk"])
        agreement_delete(agreement=agreement, expected_version=expected_version(request, agreement.pk))
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
        agreement = get_object_or_404(Agreement, pk=_check_id(pk))
        page = self.paginator.pages.paginate_queryset(agreement_timeline(agreement.pk), request, self)
        return self.paginator.pages.get_paginated_response(HistoryEntrySerializer(page, many=True).data)

    def _agreement(self, pk: Any) -> Agreement:
        agreement = get_object_or_404(Agreement, pk=_check_id(pk))
        self.check_object_permissions(self.request, agreement)
        return agreement

    def _document(self, pk: int) -> dict[str, Any]:
        return get_object_or_404(with_documents(Agreement.objects.filter(pk=pk)))

    def _merged_request(self, request: Request, agreement: Agreement, *, partial: bool) -> dict[str, Any]:
        """The request with what it leaves out taken from the stored agreement.

        A PATCH keeps every top-level field it does not send; a PUT keeps only the
        collections of parts it does not send (its scalar fields are all replaced).
        """
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object."]})
        current = json.loads(self._document(agreement.pk)["document"])
        kept = current if partial else {name: current[name] for name in PARTS}
        return {**kept, **request.data}


# --- The parts of an agreement, as their own resources -----------------------------------------


class AgreementPartViewSet(viewsets.GenericViewSet):
    """Signatories, clauses, events or sources cited of one agreement.

    Each write is a change of the agreement: it goes through ``agreement_update`` with
    the whole, changed collection (so every rule of the agreement applies), needs the
    agreement's ETag in ``If-Match``, and answers with the agreement's new ETag.
    """

    collection = ""  # the agreement's related name, and the document's key
    key_attribute = "pk"  # how a part is named in its URL
    pagination_class = None  # an agreement has tens of parts, not thousands
    filter_backends: list = []
    extra_error_responses = dict.fromkeys(("POST", "PUT", "PATCH", "DELETE"), PRECONDITION_ERRORS)

    def list(self, request: Request, agreement_pk: int) -> Response:
        row = self._document(agreement_pk)
        return Response(json.loads(row["document"])[self.collection], headers=self._etag(row))

    def retrieve(self, request: Request, agreement_pk: int, pk: int) -> Response:
        row = self._document(agreement_pk)
        return Response(self._find(row, pk), headers=self._etag(row))

    def create(self, request: Request, agreement_pk: int) -> Response:
        return self._write(request, agreement_pk, None, request.data)

    def update(self, request: Request, agreement_pk: int, pk: int, partial: bool = False) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object."]})
        data = {**self._find(self._document(agreement_pk), pk), **request.data} if partial else request.data
        return self._write(request, agreement_pk, pk, data)

    def partial_update(self, request: Request, agreement_pk: int, pk: int) -> Response:
        return self.update(request, agreement_pk, pk, partial=True)

    def destroy(self, request: Request, agreement_pk: int, pk: int) -> Response:
        return self._write(request, agreement_pk, pk, None)

    def _write(self, request: Request, agreement_pk: int, pk: int | None, data: Any) -> Response:
        """Replace, add (``pk`` None) or remove (``data`` None) one part, through the service."""
        agreement = get_object_or_404(Agreement.objects.with_details(), pk=_check_id(agreement_pk))
        version = expected_version(request, agreement.pk)
        current = agreement_to_input(agreement)
        before = self._keys(agreement)
        items = list(getattr(current, self.collection))  # in the same order as ``before``
        if pk is None:
            index = len(items)
        elif _check_id(pk) in before:
            index = before.index(pk)
        else:
            raise NotFound()
        if data is None:
            del items[index]
        else:
            serializer = self.get_serializer(data=data)
            serializer.is_valid(raise_exception=True)
            items[index : index + (pk is not None)] = [serializer.to_input(serializer.validated_data)]
        changed = _saving(
            request,
            lambda: agreement_update(
                agreement=agreement,
                data=replace(current, **{self.collection: items}),
                expected_version=version,
            ),
        )
        row = self._document(changed.pk)
        if data is None:
            return Response(status=status.HTTP_204_NO_CONTENT, headers=self._etag(row))
        after = self._keys(changed)
        # The part keeps its id unless its natural key changed (e.g. a clause's position).
        written = pk if pk in after else next(key for key in after if key not in before)
        code = status.HTTP_201_CREATED if pk is None else status.HTTP_200_OK
        return Response(self._find(row, written), status=code, headers=self._etag(row))

    def _keys(self, agreement: Agreement) -> list[int]:
        return [getattr(part, self.key_attribute) for part in getattr(agreement, self.collection).all()]

    def _document(self, agreement_pk: int) -> dict[str, Any]:
        return get_object_or_404(with_documents(Agreement.objects.filter(pk=_check_id(agreement_pk))))

    def _find(self, row: dict[str, Any], pk: int) -> dict[str, Any]:
        name = "source" if self.key_attribute == "source_id" else "id"
        for part in json.loads(row["document"])[self.collection]:
            if part[name] == pk:
                return part
        raise NotFound()

    @staticmethod
    def _etag(row: dict[str, Any]) -> dict[str, str]:
        return {"ETag": etag(row["id"], row["version"])}


@extend_schema(tags=["agreements"])
class SignatoryViewSet(AgreementPartViewSet):
    queryset = Signatory.objects.all()
    serializer_class = SignatorySerializer
    collection = "signatories"


@extend_schema(tags=["agreements"])
class ClauseViewSet(AgreementPartViewSet):
    queryset = Clause.objects.all()
    serializer_class = ClauseSerializer
    collection = "clauses"


@extend_schema(tags=["agreements"])
class StatusEventViewSet(AgreementPartViewSet):
    queryset = StatusEvent.objects.all()
    serializer_class = StatusEventSerializer
    collection = "events"


@extend_schema(tags=["agreements"])
class CitationViewSet(AgreementPartViewSet):
    """Sources cited for an agreement, named in the URL by the source's id."""

    queryset = AgreementSource.objects.all()
    serializer_class = CitationSerializer
    collection = "citations"
    key_attribute = "source_id"


# --- People, sources and reference data ----------------------------------------------------------


class PersonFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=200, help_text="Any of the person's names, in part.")

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.matching(value)


class PersonViewSet(StrictParametersMixin, viewsets.ModelViewSet):
    """People who sign agreements, with every other name they appear under."""

    queryset = Person.objects.prefetch_related("other_names").order_by("name", "id")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    filter_backends = [FilterBackend]
    lookup_value_regex = r"[0-9]+"

    def get_object(self) -> Person:
        _check_id(self.kwargs["pk"])
        return super().get_object()

    def perform_create(self, serializer: PersonSerializer) -> None:
        serializer.instance = person_create(data=serializer.to_input())

    def update(self, request: Request, *args, **kwargs) -> Response:
        person = self.get_object()
        data = request.data
        if kwargs.get("partial"):
            if not isinstance(data, dict):
                raise ValidationError({"non_field_errors": ["Send a JSON object."]})
            data = {**self.get_serializer(person).data, **data}
        serializer = self.get_serializer(person, data=data)
        serializer.is_valid(raise_exception=True)
        person = person_update(person=person, data=serializer.to_input())
        return Response(self.get_serializer(self.get_queryset().get(pk=person.pk)).data)


class SourceFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=200, help_text="Title, publisher or URL, in part.")
    publisher = filters.CharFilter(lookup_expr="iexact", max_length=200)

    class Meta:
        model = Source
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Source], name: str, value: str) -> QuerySet[Source]:
        return queryset.filter(
            Q(title__icontains=value) | Q(publisher__icontains=value) | Q(url__icontains=value)
        )


class SourceViewSet(StrictParametersMixin, viewsets.ModelViewSet):
    """Where facts come from. A source that anything cites cannot be deleted (409)."""

    queryset = Source.objects.order_by("-published_on", "title", "id")
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    filter_backends = [FilterBackend]
    lookup_value_regex = r"[0-9]+"

    def get_object(self) -> Source:
        _check_id(self.kwargs["pk"])
        return super().get_object()


class ClauseCategoryViewSet(StrictParametersMixin, viewsets.ModelViewSet):
    """The clause-category tree (two levels). Reading is open; changing it is for administrators."""

    queryset = ClauseCategory.objects.select_related("parent").order_by("name")
    serializer_class = ClauseCategorySerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends: list = []


class CountryFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=100, help_text="Name or code, in part.")
    former = StrictBooleanFilter(field_name="is_former", help_text="Only former (or only current) states.")

    class Meta:
        model = Country
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Country], name: str, value: str) -> QuerySet[Country]:
        return queryset.filter(
            Q(name__icontains=value) | Q(official_name__icontains=value) | Q(code__iexact=value)
        )


class CountryViewSet(StrictParametersMixin, viewsets.ReadOnlyModelViewSet):
    """States, current and former, from ISO 3166. Look one up by alpha-2, alpha-3 or alpha-4 code."""

    queryset = Country.objects.order_by("name")
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet
    filter_backends = [FilterBackend]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z]{2,4}"

    def get_object(self) -> Country:
        try:
            return Country.objects.lookup(self.kwargs["code"])
        except Country.DoesNotExist:
            raise NotFound(f"Unknown country code “{self.kwargs['code']}”.") from None


class RelationFilterSet(filters.FilterSet):
    agreement = filters.NumberFilter(
        method="filter_agreement", min_value=1, max_value=MAX_ID, help_text="Either side of the relation."
    )
    kind = filters.ChoiceFilter(choices=AgreementRelation._meta.get_field("kind").choices)

    class Meta:
        model = AgreementRelation
        fields: list[str] = []

    def filter_agreement(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(Q(from_agreement=value) | Q(to_agreement=value))


class AgreementRelationViewSet(StrictParametersMixin, viewsets.ModelViewSet):
    """How agreements relate: one amends, supersedes, implements, extends or renews another."""

    queryset = AgreementRelation.objects.order_by("id")
    serializer_class = AgreementRelationSerializer
    filterset_class = RelationFilterSet
    filter_backends = [FilterBackend]
    lookup_value_regex = r"[0-9]+"

    def get_object(self) -> AgreementRelation:
        _check_id(self.kwargs["pk"])
        return super().get_object()
