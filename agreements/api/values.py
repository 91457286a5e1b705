"""Fields that read one value the same way everywhere, and say what is wrong in one voice:
a day the calendar does not have, a choice that is not one (with the valid ones)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..dates import iso_day_problem

# More choices than this are not listed in a message; the endpoint or the schema lists them.
LISTED_CHOICES = 30


def invalid_choice(value: Any, choices: Any) -> str:
    """“alliance” is not a valid choice; choose one of agreement, memorandum, …"""
    valid = [str(key) for key in choices if str(key) != ""]
    listed = ", ".join(valid) if len(valid) <= LISTED_CHOICES else ", ".join(valid[:LISTED_CHOICES]) + " …"
    return f"“{value}” is not a valid choice; choose one of {listed}."


class CalendarDateField(serializers.DateField):
    """A day as YYYY-MM-DD; a malformed or impossible one is told as such ("30 February 2020
    does not exist.", not "wrong format")."""

    def to_internal_value(self, value: Any):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError:
            if isinstance(value, str):
                raise serializers.ValidationError(iso_day_problem(value), code="invalid") from None
            raise


class ChoiceField(serializers.ChoiceField):
    """A choice whose error names the value sent and the valid ones."""

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            raise serializers.ValidationError(
                invalid_choice(data, self.choices), code="invalid_choice"
            ) from None
