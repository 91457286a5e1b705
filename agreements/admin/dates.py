"""The admin's date boxes: YYYY-MM-DD shown and read whatever the browser's language, with an example.

The calendar beside each box writes the same form (it follows the first of
``DATE_INPUT_FORMATS``, tracker/formats/en/formats.py).
"""

from __future__ import annotations

from django.contrib.admin.widgets import AdminDateWidget
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

ISO_EXAMPLE = "2017-07-23"


class IsoDateInput(AdminDateWidget):
    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"placeholder": "YYYY-MM-DD", "size": 11, **(attrs or {})}, format="%Y-%m-%d")

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<small class="date-example">e.g. {}</small>', box, ISO_EXAMPLE)


# formfield_overrides for every admin with a date field.
ISO_DATE_INPUTS = {models.DateField: {"widget": IsoDateInput}}
