"""Nested ModelSerializers and a ModelViewSet, written the straightforward way (no prefetching)."""

from __future__ import annotations

from django.db.models import F
from rest_framework import serializers, viewsets

from agreements.models import (
    Agreement,
    AgreementSource,
    Body,
    Clause,
    Commitment,
    ImplementationEvent,
    Participant,
    Person,
    StatusEvent,
)


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name"]


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "name"]


class ParticipantSerializer(serializers.ModelSerializer):
    person = PersonSerializer(allow_null=True)
    body = BodySerializer(allow_null=True)

    class Meta:
        model = Participant
        fields = ["id", "role", "person", "description", "party", "body", "office", "rank", "note", "source"]


class ImplementationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImplementationEvent
        fields = [
            "id",
            "kind",
            "date",
            "date_precision",
            "new_due_on",
            "new_due_on_precision",
            "note",
            "source",
        ]


class CommitmentSerializer(serializers.ModelSerializer):
    clauses = serializers.SlugRelatedField(many=True, read_only=True, slug_field="position")
    events = ImplementationEventSerializer(many=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "position",
            "party",
            "text",
            "clauses",
            "due_on",
            "due_on_precision",
            "due_note",
            "source",
            "events",
            "state",
            "due_current",
            "due_current_precision",
        ]


class ClauseSerializer(serializers.ModelSerializer):
    categories = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")

    class Meta:
        model = Clause
        fields = ["id", "position", "article", "text", "categories", "source"]


class StatusEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusEvent
        fields = ["id", "status", "date", "date_precision", "date_note", "party", "note", "source"]


class CitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementSource
        fields = ["source", "supports"]


class AgreementSerializer(serializers.ModelSerializer):
    body_a = BodySerializer(allow_null=True)
    body_b = BodySerializer(allow_null=True)
    participants = ParticipantSerializer(many=True)
    commitments = CommitmentSerializer(many=True)
    clauses = ClauseSerializer(many=True)
    events = StatusEventSerializer(many=True)
    citations = CitationSerializer(many=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "title",
            "kind",
            "party_a",
            "party_b",
            "body_a",
            "body_b",
            "level",
            "summary",
            "full_text",
            "disclosure",
            "place_of_signature",
            "evidence",
            "unts_registration",
            "wikidata_qid",
            "atop_id",
            "dcad_id",
            "status",
            "signed_on",
            "signed_on_precision",
            "in_force_from",
            "in_force_from_precision",
            "ended_on",
            "ended_on_precision",
            "is_synthetic",
            "version",
            "created_at",
            "updated_at",
            "participants",
            "clauses",
            "events",
            "citations",
            "commitments",
        ]


class NaiveAgreementViewSet(viewsets.ModelViewSet):
    queryset = Agreement.objects.order_by(F("signed_on").desc(nulls_last=True), "-id")
    serializer_class = AgreementSerializer
