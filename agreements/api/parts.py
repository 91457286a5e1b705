"""/api/agreements/{id}/{participants,clauses,events,citations,commitments}/: an agreement's parts.

Each write is a change of the agreement, made by the part services (``services.parts``):
it needs the agreement's ETag in ``If-Match`` and answers with the agreement's new ETag.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import Agreement, AgreementSource, Clause, Commitment, Participant, StatusEvent
from ..parsing import no_such_record
from ..services import (
    PartNotFoundError,
    agreement_part_add,
    agreement_part_remove,
    agreement_part_replace,
)
from .base import agreement_document, check_id, found, json_object, saving
from .concurrency import etag, expected_version
from .serializers import (
    CitationSerializer,
    ClauseSerializer,
    CommitmentSerializer,
    ParticipantSerializer,
    StatusEventSerializer,
)


class AgreementPartViewSet(viewsets.GenericViewSet):
    """Participants, clauses, events, sources cited or commitments of one agreement."""

    collection = ""  # the agreement's related name, and the document's key
    document_key = "id"  # how the document names a part (the key in its URL)
    pagination_class = None  # an agreement has tens of parts, not thousands
    filter_backends: list = []
    # Every write, adding a part too, needs the agreement's ETag in If-Match (api/schema.py declares it).
    conditional_writes = True

    def list(self, request: Request, agreement_pk: int) -> Response:
        row = self._document(agreement_pk)
        return Response(json.loads(row["document"])[self.collection], headers=self._etag(row))

    def retrieve(self, request: Request, agreement_pk: int, pk: int) -> Response:
        row = self._document(agreement_pk)
        return Response(self._find(row, pk), headers=self._etag(row))

    def create(self, request: Request, agreement_pk: int) -> Response:
        agreement, version = self._agreement(request, agreement_pk)
        item = self._item(request.data)
        changed, key = self._write(
            request,
            lambda: agreement_part_add(
                agreement=agreement, collection=self.collection, item=item, expected_version=version
            ),
        )
        response = self._answer(changed, key, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{key}/")
        return response

    def update(self, request: Request, agreement_pk: int, pk: int, partial: bool = False) -> Response:
        current = self._find(self._document(agreement_pk), pk)  # a missing part is a 404 first
        data = {**current, **json_object(request)} if partial else request.data
        agreement, version = self._agreement(request, agreement_pk)
        item = self._item(data)
        changed, key = self._write(
            request,
            lambda: agreement_part_replace(
                agreement=agreement, collection=self.collection, key=pk, item=item, expected_version=version
            ),
        )
        return self._answer(changed, key, status.HTTP_200_OK)

    def partial_update(self, request: Request, agreement_pk: int, pk: int) -> Response:
        return self.update(request, agreement_pk, pk, partial=True)

    def destroy(self, request: Request, agreement_pk: int, pk: int) -> Response:
        agreement, version = self._agreement(request, agreement_pk)
        changed, _ = self._write(
            request,
            lambda: (
                agreement_part_remove(
                    agreement=agreement, collection=self.collection, key=pk, expected_version=version
                ),
                None,
            ),
        )
        return Response(status=status.HTTP_204_NO_CONTENT, headers=self._etag(self._document(changed.pk)))

    def _agreement(self, request: Request, agreement_pk: int) -> tuple[Agreement, int | None]:
        agreement = found(Agreement.objects.filter(pk=check_id(agreement_pk, "agreement")), agreement_pk)
        return agreement, expected_version(request, agreement)

    def _item(self, data: Any) -> Any:
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.to_input(serializer.validated_data)

    @staticmethod
    def _write(request: Request, write: Callable[[], tuple[Agreement, Any]]) -> tuple[Agreement, Any]:
        """Run a part service through ``saving``; the agreement it left and the part's key."""
        written: dict[str, Any] = {}

        def run() -> Agreement:
            written["agreement"], written["key"] = write()
            return written["agreement"]

        try:
            saving(request, run)
        except PartNotFoundError as error:  # removed since it was read
            raise NotFound(str(error)) from None
        return written["agreement"], written["key"]

    def _answer(self, agreement: Agreement, key: Any, code: int) -> Response:
        row = self._document(agreement.pk)
        return Response(self._find(row, key), status=code, headers=self._etag(row))

    def _document(self, agreement_pk: int) -> dict[str, Any]:
        return agreement_document(agreement_pk)

    def _find(self, row: dict[str, Any], key: Any) -> dict[str, Any]:
        for part in json.loads(row["document"])[self.collection]:
            if part[self.document_key] == key:
                return part
        raise NotFound(no_such_record(self.queryset.model._meta.verbose_name, key))

    @staticmethod
    def _etag(row: dict[str, Any]) -> dict[str, str]:
        return {"ETag": etag(row["id"], row["version"])}


@extend_schema(tags=["agreements"])
class ParticipantViewSet(AgreementPartViewSet):
    queryset = Participant.objects.all()
    serializer_class = ParticipantSerializer
    collection = "participants"


@extend_schema(tags=["agreements"])
class CommitmentViewSet(AgreementPartViewSet):
    """What a party undertook, with its implementation events (sent and replaced with it)."""

    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    collection = "commitments"


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
    document_key = "source"
