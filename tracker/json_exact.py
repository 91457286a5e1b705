"""Django's JSON serialization format, with datetimes and times kept to the microsecond.

Django's encoder cuts microseconds to milliseconds (ECMA-262's date format), so a
``dumpdata`` / ``loaddata`` round trip would change every ``created_at``, ``updated_at``
and history date. ``SERIALIZATION_MODULES`` puts this module in place of the built-in
``json`` format, so the portable export (docs/operations.md, "Backup and restore") is exact.
"""

import datetime
from typing import Any

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.timezone import is_aware


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            if is_aware(o):
                raise ValueError("JSON can't represent timezone-aware times.")
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()


Deserializer = django_json.Deserializer
