"""Fields the API's serializers share."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import NameKind
from ..models import ClauseCategory, Country, Person, Source
from ..services import OtherNameIn, PersonIn

MAX_ID = 2**63 - 1  # the largest id a bigint column holds; more is a client error, not a crash


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
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not 2 <= len(data.strip()) <= 4:
            self.fail("invalid")
        try:
            return Country.objects.lookup(data).code
        except Country.DoesNotExist:
            self.fail("unknown", code=data)

    def to_representation(self, value: Any) -> str:
        return value if isinstance(value, str) else value.code


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that refuses numbers no database id can have, instead of overflowing."""

    def to_internal_value(self, data: Any):
        if isinstance(data, bool) or (isinstance(data, int) and not 1 <= data <= MAX_ID):
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and data.isdigit() and int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class OtherNameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=NameKind.choices, default=NameKind.SPELLING)
    language = serializers.CharField(max_length=16, allow_blank=True, default="")
    source = BoundedPrimaryKeyRelatedField(queryset=Source.objects.all(), allow_null=True, default=None)

    def to_input(self, values: dict[str, Any]) -> OtherNameIn:
        return OtherNameIn(
            name=values["name"], kind=values["kind"], language=values["language"], source=values["source"]
        )


class NewPersonSerializer(serializers.Serializer):
    """A person to create with the agreement they signed."""

    name = serializers.CharField(max_length=200)
    other_names = OtherNameSerializer(many=True, default=list)
    wikidata_qid = serializers.RegexField(r"^Q[1-9][0-9]*$", max_length=16, allow_blank=True, default="")
    note = serializers.CharField(allow_blank=True, default="")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "The id of an existing person."},
            {"$ref": "#/components/schemas/NewPersonRequest"},
        ]
    }
)
class PersonRefField(serializers.Field):
    """A signatory's person: an existing person's id (or ``{"id": …}``), or a new person."""

    default_error_messages = {
        "does_not_exist": "No person with id {pk}.",
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
            values = serializer.validated_data
            return PersonIn(
                name=values["name"],
                other_names=[OtherNameSerializer().to_input(o) for o in values["other_names"]],
                wikidata_qid=values["wikidata_qid"],
                note=values["note"],
            )
        self.fail("invalid")

    def to_representation(self, value: Person) -> dict[str, Any]:
        return {"id": value.pk, "name": value.name}


@extend_schema_field({"type": "array", "items": {"type": "string", "description": "Clause category slug."}})
class CategoriesField(serializers.ListField):
    """Clause categories by slug; reads a clause's related manager, writes a list of categories."""

    child = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=ClauseCategory.objects.all(),
        error_messages={"does_not_exist": "Unknown clause category “{value}”."},
    )

    def to_representation(self, data: Any) -> list[str]:
        return [category.slug for category in (data.all() if hasattr(data, "all") else data)]
