"""Strict request bodies: a key the API does not know is a 400 naming its path.

Dropping an unknown key silently answers 201 for a request that did not do what its
client meant (a ``"witnesses": [...]`` that simply vanished). Each serializer checks the
keys of the object it reads, so nested objects are checked where they are read and
the error's path is the one the client sent (``clauses[1].colour``, see ``errors.flatten``).
Read-only keys (``id``, ``status``, ``created_at`` …) are fields, so a client may send
back what it read: they are ignored, as documented in docs/api.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from rest_framework import serializers

from .values import CalendarDateField, ChoiceField


def unknown_keys(data: Any, fields: Mapping[str, serializers.Field]) -> dict[str, list[str]]:
    """An error for each key of ``data`` that is not one of ``fields``, keyed by the key."""
    if not isinstance(data, Mapping):
        return {}
    writable = ", ".join(name for name, field in fields.items() if not field.read_only)
    return {
        str(key): [f"“{key}” is not a field here; the fields you can send are: {writable}."]
        for key in data
        if key not in fields
    }


class StrictMixin:
    """Refuse keys that are not fields of the serializer (before reading the known ones)."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = unknown_keys(data, self.fields)
        if unknown:
            raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)


class StrictSerializer(StrictMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictMixin, serializers.ModelSerializer):
    # The model's dates and choices read and complain as every other field does (``values``).
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: CalendarDateField,
    }
    serializer_choice_field = ChoiceField
