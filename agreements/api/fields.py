"""Fields the API's serializers share."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import NameKind
from ..models import Body, ClauseCategory, Country, Person, Source
from ..models.people import wikidata_qid_validator
from ..parsing import is_whole_number, no_such_record
from ..services import OtherNameIn, PersonIn
from .strict import StrictSerializer
from .values import ChoiceField

# A category is named by its slug; the endpoint lists them all.
UNKNOWN_CATEGORY = "No clause category “{value}”; the categories are listed at /api/categories/."
MAX_ID = 2**63 - 1  # the largest id a bigint column holds; more is a client error, not a crash
# DRF's own wording for a NUL byte in a CharField, so every field says it the same way.
NUL_MESSAGE = "Null characters are not allowed."


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[A-Za-z]{2,4}$",
        "description": "ISO 3166 code: alpha-2 (IR), alpha-3 (IRN) or, for a former state, alpha-4 (SUHH).",
        "example": "IR",
    }
)
class CountryCodeField(serializers.Field):
    """A country given by ISO code (any case); represented by its stored code."""

    default_error_messages = {
        "unknown": "Unknown country code “{code}”.",
        "invalid": "Give an ISO 3166 country code as a string, e.g. “IR”.",
        "null_characters": NUL_MESSAGE,
    }

    def __init__(self, *, schema_example: str | None = None, **kwargs: Any) -> None:
        # The schema's example (api/schema.py), where "IR" would not make a valid request (party_b).
        self.schema_example = schema_example
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not 2 <= len(data.strip()) <= 4:
            self.fail("invalid")
        if "\x00" in data:
            # PostgreSQL cannot even compare a text value holding NUL: the lookup would be a 500.
            self.fail("null_characters")
        try:
            return Country.objects.lookup(data).code
        except Country.DoesNotExist:
            self.fail("unknown", code=data)

    def to_representation(self, value: Any) -> str:
        return value if isinstance(value, str) else value.code


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that refuses numbers no database id can have, instead of overflowing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.queryset is not None:  # “No source with id 99999.”, as everywhere else
            what = self.queryset.model._meta.verbose_name
            self.error_messages["does_not_exist"] = no_such_record(what, "{pk_value}")

    def to_internal_value(self, data: Any):
        if isinstance(data, bool) or (isinstance(data, int) and not 1 <= data <= MAX_ID):
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and is_whole_number(data) and int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class SlugLookupField(serializers.SlugRelatedField):
    """A related object by a text key (a category's slug), refusing NUL bytes before the lookup.

    PostgreSQL rejects a query parameter that holds NUL, so DRF's field would answer 500.
    """

    default_error_messages = {"null_characters": NUL_MESSAGE}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)


class OtherNameSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    kind = ChoiceField(choices=NameKind.choices, default=NameKind.SPELLING)
    language = serializers.CharField(max_length=16, allow_blank=True, default="")
    source = BoundedPrimaryKeyRelatedField(queryset=Source.objects.all(), allow_null=True, default=None)

    def to_input(self, values: dict[str, Any]) -> OtherNameIn:
        return OtherNameIn(
            name=values["name"], kind=values["kind"], language=values["language"], source=values["source"]
        )


def wikidata_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=16, allow_blank=True, default="", validators=[wikidata_qid_validator], help_text="e.g. Q42"
    )


class NewPersonSerializer(StrictSerializer):
    """A person: their canonical name and the other names they appear under."""

    name = serializers.CharField(max_length=200)
    other_names = OtherNameSerializer(many=True, default=list, max_length=100)
    wikidata_qid = wikidata_field()
    note = serializers.CharField(allow_blank=True, default="")

    @staticmethod
    def person_input(values: dict[str, Any]) -> PersonIn:
        return PersonIn(
            name=values["name"],
            other_names=[OtherNameSerializer().to_input(o) for o in values["other_names"]],
            wikidata_qid=values["wikidata_qid"],
            note=values["note"],
        )


class PersonRefField(serializers.Field):
    """A participant's person: an existing person's id (or ``{"id": …}``), or a new person."""

    default_error_messages = {
        "does_not_exist": no_such_record("person", "{pk}"),
        "invalid": "Give a person's id, or an object with the new person's name.",
    }

    def to_internal_value(self, data: Any) -> Person | PersonIn:
        if isinstance(data, dict) and "id" in data:
            data = data["id"]
        if isinstance(data, int) and not isinstance(data, bool):
            if not 1 <= data <= MAX_ID:
                self.fail("does_not_exist", pk=data)
            try:
                return Person.objects.get(pk=data)
            except Person.DoesNotExist:
                self.fail("does_not_exist", pk=data)
        if isinstance(data, dict):
            serializer = NewPersonSerializer(data=data)
            serializer.is_valid(raise_exception=True)
            return serializer.person_input(serializer.validated_data)
        self.fail("invalid")

    def to_representation(self, value: Person) -> dict[str, Any]:
        return {"id": value.pk, "name": value.name}


class BodyRefField(serializers.Field):
    """A body by id (or ``{"id": …}``, as documents show it); represented as ``{"id", "name"}``."""

    default_error_messages = {
        "does_not_exist": no_such_record("body", "{pk}"),
        "invalid": "Give a body's id (see /api/bodies/).",
    }

    def to_internal_value(self, data: Any) -> Body:
        if isinstance(data, dict) and "id" in data:
            data = data["id"]
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("invalid")
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk=data)
        try:
            return Body.objects.get(pk=data)
        except Body.DoesNotExist:
            self.fail("does_not_exist", pk=data)

    def to_representation(self, value: Body) -> dict[str, Any]:
        return {"id": value.pk, "name": value.name}


class BodyRefFieldExtension(OpenApiSerializerFieldExtension):
    """Describes ``BodyRefField``: an id in requests, ``{"id", "name"}`` in responses."""

    target_class = BodyRefField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                "required": ["id", "name"],
            }
        return {"type": "integer", "description": "The id of a body (see /api/bodies/)."}


@extend_schema_field({"type": "array", "items": {"type": "string", "description": "Clause category slug."}})
class CategoriesField(serializers.ListField):
    """Clause categories by slug; reads a clause's related manager, writes a list of categories."""

    child = SlugLookupField(
        slug_field="slug",
        queryset=ClauseCategory.objects.all(),
        error_messages={"does_not_exist": UNKNOWN_CATEGORY},
    )

    def to_representation(self, data: Any) -> list[str]:
        return [category.slug for category in (data.all() if hasattr(data, "all") else data)]


class ClausePositionsField(serializers.ListField):
    """The clauses a commitment comes from, by position; reads a commitment's related manager."""

    child = serializers.IntegerField(min_value=1, max_value=32767)

    def to_representation(self, data: Any) -> list[int]:
        if hasattr(data, "all"):
            return sorted(clause.position for clause in data.all())
        return list(data)


class PersonRefFieldExtension(OpenApiSerializerFieldExtension):
    """Describes ``PersonRefField`` as "an id, or a new person" with the person as a component."""

    target_class = PersonRefField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                "required": ["id", "name"],
            }
        person = auto_schema.resolve_serializer(NewPersonSerializer, direction).ref
        return {"oneOf": [{"type": "integer", "description": "The id of an existing person."}, person]}
