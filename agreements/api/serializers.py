"""Serializers: validation of what clients send, and the description of what they get.

Writes are validated here field by field and then handed, as the services' input
dataclasses, to the same services the admin uses; whatever the services refuse comes
back as a 400 keyed by field path. Agreement reads do not go through these
serializers at run time (see ``documents``), but ``AgreementSerializer`` describes the
same document in the schema, and a test keeps the two identical.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ..choices import AgreementKind, EventType, Evidence, Status
from ..dates import DatePrecision, PartialDate
from ..models import (
    Agreement,
    AgreementRelation,
    ClauseCategory,
    Country,
    Source,
)
from ..services import (
    AGREEMENT_FIELDS,
    AgreementIn,
    CitationIn,
    ClauseIn,
    EventIn,
    PersonIn,
    SignatoryIn,
)
from .fields import (
    BoundedPrimaryKeyRelatedField,
    CategoriesField,
    CountryCodeField,
    NewPersonSerializer,
    PersonRefField,
    SlugLookupField,
    wikidata_field,
)


def _source_field(**kwargs) -> BoundedPrimaryKeyRelatedField:
    return BoundedPrimaryKeyRelatedField(
        queryset=Source.objects.all(), allow_null=True, default=None, help_text="Source id.", **kwargs
    )


def _text(max_length: int | None = None, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, default="", **kwargs)


# --- An agreement and its parts ----------------------------------------------------------------


class SignatorySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    person = PersonRefField(help_text="An existing person's id, or a new person to create.")
    party = CountryCodeField(help_text="The party signed for: one of the agreement's two.")
    office = _text(200, help_text="Office held at signature.")
    rank = _text(100, help_text="Rank held at signature.")
    note = _text(300)
    source = _source_field()

    def to_input(self, values: dict[str, Any]) -> SignatoryIn:
        return SignatoryIn(
            person=values["person"],
            party=values["party"],
            office=values["office"],
            rank=values["rank"],
            note=values["note"],
            source=values["source"],
        )


class ClauseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(min_value=1, max_value=32767, help_text="Order within the agreement.")
    article = _text(50, help_text="Article reference, e.g. Art. 3(2).")
    text = serializers.CharField(help_text="The clause's text, or a summary when the text is not public.")
    categories = CategoriesField(default=list, max_length=50)
    source = _source_field()

    def to_input(self, values: dict[str, Any]) -> ClauseIn:
        return ClauseIn(
            position=values["position"],
            text=values["text"],
            article=values["article"],
            categories=values["categories"],
            source=values["source"],
        )


class StatusEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=EventType.choices)
    date = serializers.DateField(
        help_text="For month or year precision, any day in the period; the period's first day is stored."
    )
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    date_note = _text(300, help_text="How the date was derived from the sources.")
    party = CountryCodeField(
        allow_null=True, default=None, help_text="The acting party; null when the event concerns both."
    )
    note = _text()
    source = _source_field()

    def to_input(self, values: dict[str, Any]) -> EventIn:
        return EventIn(
            status=values["status"],
            date=PartialDate.of(values["date"], values["date_precision"]),
            party=values["party"],
            date_note=values["date_note"],
            note=values["note"],
            source=values["source"],
        )


class CitationSerializer(serializers.Serializer):
    source = BoundedPrimaryKeyRelatedField(queryset=Source.objects.all(), help_text="Source id.")
    supports = _text(300, help_text="What this source establishes.")

    def to_input(self, values: dict[str, Any]) -> CitationIn:
        return CitationIn(source=values["source"], supports=values["supports"])


PARTS = {
    "signatories": SignatorySerializer,
    "clauses": ClauseSerializer,
    "events": StatusEventSerializer,
    "citations": CitationSerializer,
}


class AgreementSerializer(serializers.Serializer):
    """An agreement with all of its parts.

    A PATCH changes only the top-level fields it sends. Collections left out of a PUT
    or PATCH are left as they are; send ``[]`` to remove all of them. Parts are matched
    by natural key: a clause by position, a signatory by person, an event by status,
    party and date, a citation by source.
    """

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=AgreementKind.choices, default=AgreementKind.AGREEMENT)
    party_a = CountryCodeField(help_text="ISO code; the two parties may be given in any order.")
    party_b = CountryCodeField(help_text="ISO code; stored so that party_a < party_b.")
    summary = _text()
    full_text = _text()
    text_public = serializers.BooleanField(
        default=False, help_text="Whether the full text has been published."
    )
    place_of_signature = _text(200)
    evidence = serializers.ChoiceField(choices=Evidence.choices, default=Evidence.NEWS_REPORTS)
    unts_registration = _text(32)
    wikidata_qid = wikidata_field()
    atop_id = _text(32)
    dcad_id = _text(32)
    status = serializers.ChoiceField(
        choices=[("", "No events yet"), *Status.choices], read_only=True, help_text="Derived from the events."
    )
    signed_on = serializers.DateField(read_only=True, allow_null=True)
    signed_on_precision = serializers.CharField(read_only=True)
    in_force_from = serializers.DateField(read_only=True, allow_null=True)
    in_force_from_precision = serializers.CharField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    ended_on_precision = serializers.CharField(read_only=True)
    is_synthetic = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Increases with every change; see ETag.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    signatories = SignatorySerializer(many=True, required=False, max_length=100)
    clauses = ClauseSerializer(many=True, required=False, max_length=500)
    events = StatusEventSerializer(many=True, required=False, max_length=100)
    citations = CitationSerializer(many=True, required=False, max_length=100)

    def to_input(self) -> AgreementIn:
        """The validated request as the services' input (collections not sent are ``None``)."""
        values = self.validated_data
        parts = {
            name: [serializer().to_input(item) for item in values[name]] if name in values else None
            for name, serializer in PARTS.items()
        }
        scalars = {name: values[name] for name in ("title", "party_a", "party_b", *AGREEMENT_FIELDS)}
        return AgreementIn(**scalars, **parts)


# --- The rest -----------------------------------------------------------------------------------


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = [
            "code",
            "alpha_2",
            "alpha_3",
            "numeric",
            "name",
            "official_name",
            "is_former",
            "withdrawn",
            "cow_code",
        ]


class ClauseCategorySerializer(serializers.ModelSerializer):
    parent = SlugLookupField(
        slug_field="slug", queryset=ClauseCategory.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = ClauseCategory
        fields = ["id", "slug", "name", "description", "parent"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = ClauseCategory(pk=getattr(self.instance, "pk", None), **attrs)
        try:
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "publisher",
            "url",
            "published_on",
            "published_on_precision",
            "accessed_on",
            "language",
            "licence",
            "excerpt",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        published, precision = attrs.get("published_on"), attrs.get("published_on_precision")
        if published and precision:
            attrs["published_on"] = PartialDate.of(published, precision).value
        return attrs


class PersonSerializer(NewPersonSerializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        fields = ["id", "name", "other_names", "wikidata_qid", "note", "created_at", "updated_at"]

    def to_input(self) -> PersonIn:
        return self.person_input(self.validated_data)


class AgreementRelationSerializer(serializers.ModelSerializer):
    from_agreement = BoundedPrimaryKeyRelatedField(queryset=Agreement.objects.all())
    to_agreement = BoundedPrimaryKeyRelatedField(queryset=Agreement.objects.all())

    class Meta:
        model = AgreementRelation
        fields = ["id", "from_agreement", "to_agreement", "kind", "note"]


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    user = serializers.CharField(help_text="Username; empty when not known (e.g. a command).")
    interface = serializers.CharField(help_text="admin, api, web, command or system.")
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    object_type = serializers.ChoiceField(
        choices=["agreement", "signatory", "clause", "status event", "source cited"]
    )
    object_id = serializers.IntegerField()
    label = serializers.CharField()
    version = serializers.IntegerField(
        allow_null=True, help_text="For agreement entries: the version produced."
    )
    history_id = serializers.IntegerField()
    changes = ChangeSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (4xx, and 503 when the database is unreachable)."""

    detail = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages keyed by field path, e.g. `clauses[2].categories[0]`.",
    )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the token stops working; null: when it is revoked."
    )
