"""What every API view shares: ids in paths, strict query parameters, If-Match, document answers.

A resource's viewset is then its queryset, serializer, filters and the service it writes
through (NetBox's shape): the cross-cutting work lives here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import Agreement
from ..parsing import BOOLEAN_HELP, no_such_record, parse_boolean, repeated_parameters, unknown_parameters
from ..reports.documents import document_row
from ..reports.inputs import MULTI_VALUED_FIELDS
from ..services import record_delete, record_update
from ..web import caching
from .concurrency import etag, etag_of, expected_version, kind_of, not_modified
from .errors import SAVED_AGREEMENT
from .fields import MAX_ID

PAGINATION_PARAMETERS = {"page", "page_size", "cursor", "format"}
ALLOW_DUPLICATE = OpenApiParameter(
    "allow_duplicate",
    OpenApiTypes.BOOL,
    description="true: create it even if it may already be recorded (no 409). " + BOOLEAN_HELP + ".",
)


def check_id(value: Any, what: str = "record") -> int:
    """A path id as an int; ids no database row can have are simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(no_such_record(what, value)) from None
    if not 1 <= number <= MAX_ID:
        raise NotFound(no_such_record(what, value))
    return number


def found(queryset: QuerySet, key: Any) -> Any:
    """The one row of ``queryset`` (filtered by ``key``), or a 404 saying “No agreement with id 7.”"""
    try:
        return queryset.get()
    except queryset.model.DoesNotExist:
        raise NotFound(no_such_record(queryset.model._meta.verbose_name, key)) from None


def agreement_document(pk: Any) -> dict[str, Any]:
    """Agreement ``pk``'s ``{"id", "version", "document"}`` row, or a 404 naming the id."""
    row = document_row(check_id(pk, "agreement"))
    if row is None:
        raise NotFound(no_such_record(Agreement._meta.verbose_name, pk))
    return row


def boolean_parameter(request: Request, name: str) -> bool:
    """A yes/no query parameter (``parsing.parse_boolean``); absent is no, anything unreadable a 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return False
    try:
        return parse_boolean(raw)
    except ValueError as error:
        raise ValidationError({name: [str(error)]}) from None


def json_object(request: Request) -> dict[str, Any]:
    """The request body, which must be a JSON object."""
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    return request.data


class StrictParametersMixin:
    """Refuse query parameters that mean nothing here, rather than ignoring a typo."""

    # The list is answered by the data version (ETag, 304, Cache-Control; api/schema.py says so).
    cached_reads = True

    def check_parameters(self, request: Request, others: set[str] = PAGINATION_PARAMETERS) -> None:
        """Refuse a parameter that is neither a filter, ``ordering`` nor one of ``others``."""
        allowed = set(others)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        if getattr(self, "ordering_fields", None):
            allowed.add("ordering")
        problems = unknown_parameters(request.query_params, allowed)
        problems |= repeated_parameters(request.query_params, self.multi_valued_parameters())
        if problems:
            raise ValidationError(problems)
        if "cursor" in request.query_params and "ordering" in request.query_params:
            raise ValidationError({"ordering": ["Cursor mode always walks in id order; leave out ordering."]})

    def multi_valued_parameters(self) -> set[str]:
        """The filters that take several values (``status=signed&status=in_force``)."""
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is None:
            return set()
        return {
            name
            for name, declared in filterset_class.base_filters.items()
            if issubclass(declared.field_class, MULTI_VALUED_FIELDS)
        }

    def list(self, request: Request, *args, **kwargs) -> Response:
        self.check_parameters(request)
        return self.conditional(
            request, lambda: super(StrictParametersMixin, self).list(request, *args, **kwargs)
        )

    @staticmethod
    def conditional(request: Request, answer: Callable[[], Any]) -> Any:
        """A list has no record's version: its ETag is the data version's (web/caching.py), and a
        client that has the page gets a 304 before the list's queries run."""
        found = caching.validators(request)
        if (unchanged := caching.not_modified(request, found)) is not None:
            return unchanged
        return caching.finish(answer(), found)


class LocationMixin:
    """A 201 names what it created by its URL in the API.

    DRF's own ``Location`` is the body's ``url`` field, which for a source is the source's
    web address: a client following it would leave the API.
    """

    def get_success_headers(self, data: Any) -> dict[str, str]:
        field = "id" if self.lookup_field == "pk" else self.lookup_field
        key = data.get(field) if isinstance(data, dict) else None
        if key is None:
            return {}
        return {"Location": self.request.build_absolute_uri(f"{key}/")}


class ConditionalWritesMixin:
    """ETag on reads, If-Match on writes (``concurrency``), for a resource of versioned records.

    A read answers with the record's ETag (304 when If-None-Match already has it); a change
    or a deletion needs If-Match, checked before the body is and then again, inside the
    write's transaction, by the service (``services.base.lock``); a created or changed
    record's answer carries its new ETag, and a creation's ``Location`` is its API URL.
    """

    conditional_writes = True  # the schema declares If-Match, 412, 428 and ETag from this

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        row = self.get_object()
        tag = etag_of(row)
        if not_modified(request, tag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        return Response(self.get_serializer(row).data, headers={"ETag": tag})

    def update(self, request: Request, *args, **kwargs) -> Response:
        self.expected = expected_version(request, self.get_object())
        return super().update(request, *args, **kwargs)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        self.expected = expected_version(request, self.get_object())
        return super().destroy(request, *args, **kwargs)

    def perform_update(self, serializer) -> None:
        serializer.instance = record_update(
            row=serializer.instance, values=serializer.validated_data, expected_version=self.expected
        )

    def perform_destroy(self, instance) -> None:
        record_delete(row=instance, expected_version=self.expected)

    def finalize_response(self, request: Request, response: Response, *args, **kwargs):
        data = getattr(response, "data", None)
        if (
            response.status_code in (status.HTTP_200_OK, status.HTTP_201_CREATED)
            and self.action in ("create", "update", "partial_update")
            and isinstance(data, dict)
            and {"id", "version"} <= set(data)
        ):
            response["ETag"] = etag(data["id"], data["version"], kind_of(self.queryset.model))
        return super().finalize_response(request, response, *args, **kwargs)


class ModelViewSet(LocationMixin, StrictParametersMixin, viewsets.ModelViewSet):
    """A resource with numeric ids, strict parameters and the API's errors."""

    lookup_value_regex = r"[0-9]+"

    def get_object(self):
        key = self.kwargs[self.lookup_field]
        what = self.queryset.model._meta.verbose_name
        check_id(key, what)
        try:
            return super().get_object()
        except Http404:
            raise NotFound(no_such_record(what, key)) from None


class VersionedModelViewSet(ConditionalWritesMixin, ModelViewSet):
    """A resource of versioned records: all of the above and conditional requests."""


def document_response(row: dict[str, Any], status_code: int = status.HTTP_200_OK, **headers: str) -> Response:
    """An agreement's database-built document as the answer, with its ETag."""
    return Response(
        orjson.Fragment(row["document"]),
        status=status_code,
        headers={"ETag": etag(row["id"], row["version"]), **headers},
    )


def saving(request: Request, write: Callable[[], Agreement]) -> Agreement:
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
