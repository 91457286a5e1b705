"""Nested ModelSerializers and a ModelViewSet, written the straightforward way (no prefetching)."""

from __future__ import annotations

from django.db.models import F
from rest_framework import serializers, viewsets

from agreements.models import Agreement, AgreementSource, Clause, Person, Signatory, StatusEvent


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name"]


class SignatorySerializer(serializers.ModelSerializer):
    person = PersonSerializer()

    class Meta:
        model = Signatory
        fields = ["id", "person", "party", "office", "rank", "note", "source"]


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
    signatories = SignatorySerializer(many=True)
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
            "summary",
            "full_text",
            "text_public",
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
            "signatories",
            "clauses",
            "events",
            "citations",
        ]


class NaiveAgreementViewSet(viewsets.ModelViewSet):
    queryset = Agreement.objects.order_by(F("signed_on").desc(nulls_last=True), "-id")
    serializer_class = AgreementSerializer
