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

from ..choices import (
    AgreementKind,
    BodyKind,
    CommitmentState,
    Disclosure,
    EventType,
    Evidence,
    ImplementationKind,
    Level,
    ParticipantRole,
    Status,
)
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
    BodyIn,
    CitationIn,
    ClauseIn,
    CommitmentIn,
    EventIn,
    ImplementationEventIn,
    ParticipantIn,
    PersonIn,
)
from .fields import (
    BodyRefField,
    BoundedPrimaryKeyRelatedField,
    CategoriesField,
    ClausePositionsField,
    CountryCodeField,
    NewPersonSerializer,
    OtherNameSerializer,
    PersonRefField,
    SlugLookupField,
    wikidata_field,
)
from .strict import StrictModelSerializer, StrictSerializer
from .values import CalendarDateField, ChoiceField


def _source_field(**kwargs) -> BoundedPrimaryKeyRelatedField:
    return BoundedPrimaryKeyRelatedField(
        queryset=Source.objects.all(), allow_null=True, default=None, help_text="Source id.", **kwargs
    )


def _text(max_length: int | None = None, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, default="", **kwargs)


# --- An agreement and its parts ----------------------------------------------------------------


class ParticipantSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    role = ChoiceField(
        choices=ParticipantRole.choices,
        default=ParticipantRole.SIGNED,
        help_text="What they did: signed, initialled, witnessed (in the presence of), negotiated "
        "(head of delegation) or attended. Signed when left out.",
    )
    person = PersonRefField(
        allow_null=True,
        default=None,
        help_text="An existing person's id, a new person to create, or null when the sources do not "
        "name them (then give a description).",
    )
    description = _text(
        300, help_text="Who it was when not named, e.g. “Iraqi counterpart, not named in the sources”."
    )
    party = CountryCodeField(help_text="The party acted for: one of the agreement's two.")
    body = BodyRefField(
        allow_null=True, default=None, help_text="The body acted for (one of the party's), if known."
    )
    office = _text(200, help_text="Office held at the time.")
    rank = _text(100, help_text="Rank held at the time.")
    note = _text(300)
    source = _source_field()

    def to_input(self, values: dict[str, Any]) -> ParticipantIn:
        return ParticipantIn(
            party=values["party"],
            person=values["person"],
            role=values["role"],
            description=values["description"],
            body=values["body"],
            office=values["office"],
            rank=values["rank"],
            note=values["note"],
            source=values["source"],
        )


class ClauseSerializer(StrictSerializer):
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


class StatusEventSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    status = ChoiceField(choices=EventType.choices)
    date = CalendarDateField(
        help_text="For month or year precision, any day in the period; the period's first day is stored."
    )
    date_precision = ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
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


class CitationSerializer(StrictSerializer):
    source = BoundedPrimaryKeyRelatedField(queryset=Source.objects.all(), help_text="Source id.")
    supports = _text(300, help_text="What this source establishes.")

    def to_input(self, values: dict[str, Any]) -> CitationIn:
        return CitationIn(source=values["source"], supports=values["supports"])


class ImplementationEventSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    kind = ChoiceField(choices=ImplementationKind.choices)
    date = CalendarDateField(
        help_text="For month or year precision, any day in the period; the period's first day is stored."
    )
    date_precision = ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    new_due_on = CalendarDateField(
        allow_null=True, default=None, help_text="For an extension (and only then): the new due date."
    )
    new_due_on_precision = ChoiceField(
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        allow_blank=True,
        help_text="Ignored without new_due_on (empty there in responses).",
    )
    note = _text()
    source = _source_field()

    def to_input(self, values: dict[str, Any]) -> ImplementationEventIn:
        new_due = values["new_due_on"]
        return ImplementationEventIn(
            kind=values["kind"],
            date=PartialDate.of(values["date"], values["date_precision"]),
            new_due=PartialDate.of(new_due, values["new_due_on_precision"] or DatePrecision.DAY)
            if new_due
            else None,
            note=values["note"],
            source=values["source"],
        )


class CommitmentSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(
        min_value=1,
        max_value=32767,
        required=False,
        help_text="Order within the agreement (default: its place in the list).",
    )
    party = CountryCodeField(
        allow_null=True, default=None, help_text="The party that undertook it; null when both did."
    )
    text = serializers.CharField(help_text="What was undertaken.")
    clauses = ClausePositionsField(
        default=list, max_length=500, help_text="Positions of the clauses it comes from."
    )
    due_on = CalendarDateField(allow_null=True, default=None, help_text="The deadline, if any.")
    due_on_precision = ChoiceField(
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        allow_blank=True,
        help_text="Ignored without due_on (empty there in responses).",
    )
    due_note = _text(300, help_text="How the due date was derived, e.g. “within six months of signature”.")
    source = _source_field()
    events = ImplementationEventSerializer(many=True, default=list, max_length=100)
    state = ChoiceField(
        choices=CommitmentState.choices, read_only=True, help_text="Derived from the events, now."
    )
    due_current = CalendarDateField(
        read_only=True, allow_null=True, help_text="The due date in effect after extensions."
    )
    due_current_precision = serializers.CharField(read_only=True)

    def to_input(self, values: dict[str, Any], index: int | None = None) -> CommitmentIn:
        """``index``: the commitment's place in an agreement's list, its position when none is given
        (a commitment added on its own without one goes after the others)."""
        due = values["due_on"]
        return CommitmentIn(
            position=values.get("position") or (None if index is None else index + 1),
            text=values["text"],
            party=values["party"],
            clauses=values["clauses"],
            due=PartialDate.of(due, values["due_on_precision"] or DatePrecision.DAY) if due else None,
            due_note=values["due_note"],
            source=values["source"],
            events=[ImplementationEventSerializer().to_input(event) for event in values["events"]],
        )


PARTS = {
    "participants": ParticipantSerializer,
    "clauses": ClauseSerializer,
    "events": StatusEventSerializer,
    "citations": CitationSerializer,
    "commitments": CommitmentSerializer,
}


class AgreementSerializer(StrictSerializer):
    """An agreement with all of its parts.

    A PATCH changes only the top-level fields it sends. Collections left out of a PUT
    or PATCH are left as they are; send ``[]`` to remove all of them. Parts are matched
    by natural key: a clause or a commitment by position, a participant by person and
    role (an unnamed one by description, party and role), an event by status, party and
    date, a citation by source.
    """

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=500)
    kind = ChoiceField(choices=AgreementKind.choices, default=AgreementKind.AGREEMENT)
    party_a = CountryCodeField(help_text="ISO code; the two parties may be given in any order.")
    party_b = CountryCodeField(help_text="ISO code; stored so that party_a < party_b.", schema_example="IQ")
    body_a = BodyRefField(
        allow_null=True,
        default=None,
        help_text="The body (ministry, force, agency, regional government) that committed for party_a "
        "as given; null for the state as a whole. It follows its party when the pair is stored.",
    )
    body_b = BodyRefField(
        allow_null=True, default=None, help_text="The body that committed for party_b as given."
    )
    level = ChoiceField(
        choices=Level.choices,
        allow_null=True,
        default=None,
        help_text="state, government or sub_national. Null or left out: derived from the sides' bodies "
        "(sub_national when one is below the state), else kept (a new agreement: state). A level that "
        "contradicts the sides is a 400.",
    )
    summary = _text()
    full_text = _text()
    disclosure = ChoiceField(
        choices=Disclosure.choices,
        default=Disclosure.UNKNOWN,
        help_text="published; withheld (officially not disclosed); unknown (not found, or not looked for).",
    )
    place_of_signature = _text(200)
    evidence = ChoiceField(choices=Evidence.choices, default=Evidence.NEWS_REPORTS)
    unts_registration = _text(32)
    wikidata_qid = wikidata_field()
    atop_id = _text(32)
    dcad_id = _text(32)
    status = ChoiceField(
        choices=[("", "No events yet"), *Status.choices], read_only=True, help_text="Derived from the events."
    )
    signed_on = CalendarDateField(read_only=True, allow_null=True)
    signed_on_precision = serializers.CharField(read_only=True)
    in_force_from = CalendarDateField(read_only=True, allow_null=True)
    in_force_from_precision = serializers.CharField(read_only=True)
    ended_on = CalendarDateField(read_only=True, allow_null=True)
    ended_on_precision = serializers.CharField(read_only=True)
    is_synthetic = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Increases with every change; see ETag.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    participants = ParticipantSerializer(many=True, required=False, max_length=100)
    clauses = ClauseSerializer(many=True, required=False, max_length=500)
    events = StatusEventSerializer(many=True, required=False, max_length=100)
    citations = CitationSerializer(many=True, required=False, max_length=100)
    commitments = CommitmentSerializer(many=True, required=False, max_length=200)

    def to_input(self) -> AgreementIn:
        """The validated request as the services' input (collections not sent are ``None``)."""
        values = self.validated_data
        parts = {
            name: [to_part_input(serializer(), item, index) for index, item in enumerate(values[name])]
            if name in values
            else None
            for name, serializer in PARTS.items()
        }
        names = ("title", "party_a", "party_b", "body_a", "body_b", "level", *AGREEMENT_FIELDS)
        return AgreementIn(**{name: values[name] for name in names}, **parts)


def to_part_input(serializer: serializers.Serializer, values: dict[str, Any], index: int) -> Any:
    """A part's validated values as the services' input; ``index`` numbers commitments left unnumbered."""
    if isinstance(serializer, CommitmentSerializer):
        return serializer.to_input(values, index)
    return serializer.to_input(values)


# --- The rest -----------------------------------------------------------------------------------


class CountrySerializer(StrictModelSerializer):
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


class ClauseCategorySerializer(StrictModelSerializer):
    parent = SlugLookupField(
        slug_field="slug", queryset=ClauseCategory.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = ClauseCategory
        fields = ["id", "slug", "name", "description", "parent", "version"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = ClauseCategory(pk=getattr(self.instance, "pk", None), **attrs)
        try:
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class SourceSerializer(StrictModelSerializer):
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
            "version",
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
    version = serializers.IntegerField(read_only=True, help_text="Increases with every change; see ETag.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        fields = ["id", "name", "other_names", "wikidata_qid", "note", "version", "created_at", "updated_at"]

    def to_input(self) -> PersonIn:
        return self.person_input(self.validated_data)


class BodySerializer(StrictSerializer):
    """A ministry, force, council, agency or regional government that acts for a country."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    other_names = OtherNameSerializer(many=True, default=list, max_length=100)
    kind = ChoiceField(choices=BodyKind.choices, default=BodyKind.MINISTRY)
    country = CountryCodeField(help_text="The country it belongs to.")
    subdivision = _text(
        8, help_text="For a body below the state: its ISO 3166-2 subdivision, e.g. IQ-KR (empty otherwise)."
    )
    is_sub_national = serializers.BooleanField(
        read_only=True, help_text="Below the state: a subdivision, or a regional government."
    )
    note = _text()
    version = serializers.IntegerField(read_only=True, help_text="Increases with every change; see ETag.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_input(self) -> BodyIn:
        values = self.validated_data
        return BodyIn(
            name=values["name"],
            country=values["country"],
            kind=values["kind"],
            subdivision=values["subdivision"],
            other_names=[OtherNameSerializer().to_input(o) for o in values["other_names"]],
            note=values["note"],
        )


class AgreementRelationSerializer(StrictModelSerializer):
    from_agreement = BoundedPrimaryKeyRelatedField(queryset=Agreement.objects.all())
    to_agreement = BoundedPrimaryKeyRelatedField(queryset=Agreement.objects.all())

    class Meta:
        model = AgreementRelation
        fields = ["id", "from_agreement", "to_agreement", "kind", "note", "version"]


class ChangeSerializer(StrictSerializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(StrictSerializer):
    date = serializers.DateTimeField()
    user = serializers.CharField(help_text="Username; empty when not known (e.g. a command).")
    interface = serializers.CharField(help_text="admin, api, web, command or system.")
    action = ChoiceField(choices=["created", "changed", "deleted"])
    object_type = ChoiceField(
        choices=[
            "agreement",
            "participant",
            "clause",
            "status event",
            "source cited",
            "commitment",
            "implementation event",
        ]
    )
    object_id = serializers.IntegerField()
    label = serializers.CharField()
    version = serializers.IntegerField(
        allow_null=True, help_text="For agreement entries: the version produced."
    )
    history_id = serializers.IntegerField()
    changes = ChangeSerializer(many=True)


class ErrorSerializer(StrictSerializer):
    """The body of every error answer (4xx, and 503 when the database is unreachable)."""

    detail = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages keyed by field path, e.g. `clauses[2].categories[0]`.",
    )


class PossibleDuplicateSerializer(StrictSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    signed_on = CalendarDateField(allow_null=True)
    signed_on_precision = serializers.CharField()
    why = serializers.CharField(help_text="Why it may be the same agreement.")


class PossibleDuplicatesSerializer(ErrorSerializer):
    possible_duplicates = PossibleDuplicateSerializer(many=True)


class KnownRecordSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The known person's or body's name.")
    matched = serializers.CharField(help_text="Their name (or other name) that the new one is like.")
    score = serializers.IntegerField(help_text="0–100: 100 is another spelling of the same name.")
    why = serializers.CharField()


class PossibleSameRecordsSerializer(ErrorSerializer):
    possible_duplicates = KnownRecordSerializer(many=True)


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(StrictSerializer):
    token = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the token stops working; null: when it is revoked."
    )
