"""/api/people/, /api/bodies/, /api/sources/, /api/categories/, /api/countries/, /api/relations/."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import AgreementRelation, Body, ClauseCategory, Country, Person, Source
from ..services import (
    RelationIn,
    body_create,
    body_update,
    merged_into,
    person_create,
    person_update,
    relation_create,
    relation_delete,
    relation_update,
)
from .base import (
    ALLOW_DUPLICATE,
    ConditionalWritesMixin,
    LocationMixin,
    StrictParametersMixin,
    VersionedModelViewSet,
    boolean_parameter,
    check_id,
    json_object,
)
from .concurrency import expected_version
from .errors import MergedError
from .fields import UNKNOWN_CATEGORY
from .filters import (
    BodyFilterSet,
    CountryFilterSet,
    FilterBackend,
    PersonFilterSet,
    RelationFilterSet,
    SourceFilterSet,
)
from .serializers import (
    AgreementRelationSerializer,
    BodySerializer,
    ClauseCategorySerializer,
    CountrySerializer,
    PersonSerializer,
    PossibleSameRecordsSerializer,
    SourceSerializer,
)


class MergedPointerMixin:
    """A merged record's old id answers with a pointer: 301 to the one kept for a read, 404
    naming it for a write (a redirected write could be repeated as a read by a client)."""

    merged_kind = ""

    def get_object(self):
        try:
            return super().get_object()
        except (Http404, NotFound):
            into = merged_into(self.merged_kind, check_id(self.kwargs["pk"]))
            if into is None:
                raise
            raise MergedError(self.merged_kind, int(self.kwargs["pk"]), into, self.request) from None


def _create_schema(what: str, serializer) -> dict:
    return {
        "create": extend_schema(
            summary=f"Create a {what}",
            description=f"A {what} one of whose names is another spelling of a known {what}'s (the same "
            "letters once folded, or a letter or two apart) is refused with 409 and the known ones, "
            "unless `allow_duplicate=true`.",
            parameters=[ALLOW_DUPLICATE],
            responses={
                201: serializer,
                409: OpenApiResponse(PossibleSameRecordsSerializer, description="Maybe recorded already."),
            },
        )
    }


@extend_schema_view(**_create_schema("person", PersonSerializer))
class PersonViewSet(MergedPointerMixin, VersionedModelViewSet):
    """People who sign agreements, with every other name they appear under."""

    merged_kind = "person"

    queryset = Person.objects.prefetch_related("other_names").order_by("name", "id")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    filter_backends = [FilterBackend]

    def perform_create(self, serializer: PersonSerializer) -> None:
        allow = boolean_parameter(self.request, "allow_duplicate")
        serializer.instance = person_create(data=serializer.to_input(), allow_duplicate=allow)

    def update(self, request: Request, *args, **kwargs) -> Response:
        person = self.get_object()
        version = expected_version(request, person)
        data = request.data
        if kwargs.get("partial"):
            data = {**self.get_serializer(person).data, **json_object(request)}
        serializer = self.get_serializer(person, data=data)
        serializer.is_valid(raise_exception=True)
        person = person_update(person=person, data=serializer.to_input(), expected_version=version)
        return Response(self.get_serializer(self.get_queryset().get(pk=person.pk)).data)


@extend_schema_view(**_create_schema("body", BodySerializer))
class BodyViewSet(MergedPointerMixin, VersionedModelViewSet):
    """Ministries, forces, councils, agencies and regional governments that act for a country."""

    merged_kind = "body"

    queryset = Body.objects.prefetch_related("other_names").order_by("name", "id")
    serializer_class = BodySerializer
    filterset_class = BodyFilterSet
    filter_backends = [FilterBackend]

    def perform_create(self, serializer: BodySerializer) -> None:
        allow = boolean_parameter(self.request, "allow_duplicate")
        serializer.instance = body_create(data=serializer.to_input(), allow_duplicate=allow)

    def update(self, request: Request, *args, **kwargs) -> Response:
        body = self.get_object()
        version = expected_version(request, body)
        data = request.data
        if kwargs.get("partial"):
            data = {**self.get_serializer(body).data, **json_object(request)}
        serializer = self.get_serializer(body, data=data)
        serializer.is_valid(raise_exception=True)
        body = body_update(body=body, data=serializer.to_input(), expected_version=version)
        return Response(self.get_serializer(self.get_queryset().get(pk=body.pk)).data)


class SourceViewSet(VersionedModelViewSet):
    """Where facts come from. A source that anything cites cannot be deleted (409)."""

    queryset = Source.objects.order_by("-published_on", "title", "id")
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    filter_backends = [FilterBackend]


class ClauseCategoryViewSet(
    ConditionalWritesMixin, LocationMixin, StrictParametersMixin, viewsets.ModelViewSet
):
    """The clause-category tree (two levels). Reading is open; changing it is for administrators."""

    queryset = ClauseCategory.objects.select_related("parent").order_by("name")
    serializer_class = ClauseCategorySerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends: list = []

    def get_object(self) -> ClauseCategory:
        try:
            return super().get_object()
        except Http404:
            raise NotFound(UNKNOWN_CATEGORY.format(value=self.kwargs["slug"])) from None


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


class AgreementRelationViewSet(VersionedModelViewSet):
    """How agreements relate: one amends, supersedes, implements, extends or renews another."""

    queryset = AgreementRelation.objects.order_by("id")
    serializer_class = AgreementRelationSerializer
    filterset_class = RelationFilterSet
    filter_backends = [FilterBackend]

    def perform_create(self, serializer: AgreementRelationSerializer) -> None:
        serializer.instance = relation_create(data=RelationIn(**serializer.validated_data))

    def perform_update(self, serializer: AgreementRelationSerializer) -> None:
        relation: AgreementRelation = serializer.instance
        values = {
            name: serializer.validated_data.get(name, getattr(relation, name))
            for name in ("from_agreement", "to_agreement", "kind", "note")
        }
        serializer.instance = relation_update(
            relation=relation, data=RelationIn(**values), expected_version=self.expected
        )

    def perform_destroy(self, instance: AgreementRelation) -> None:
        relation_delete(relation=instance, expected_version=self.expected)
