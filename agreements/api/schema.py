"""The OpenAPI schema tells the truth about errors too.

drf-spectacular documents the success responses it can see; this adds, to every
operation, the error answers the API really gives (all in the shapes of
``ErrorSerializer`` and ``ValidationErrorSerializer``), so that clients and
schemathesis can rely on them.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema

from .serializers import ErrorSerializer, ValidationErrorSerializer

# Refused by the server (gunicorn, tracker/gunicorn_worker.py) before the application, for
# any operation: a client can always send a longer URL or header than it accepts.
TRANSPORT_ERRORS = {
    "414": "The request line (the URL with its query string) is longer than 8,190 bytes.",
    "431": "A header is longer than 8,190 bytes, or there are more than 100 headers.",
}
READ_ERRORS = {
    "401": "Not authenticated (only when reads require login, or the credentials are wrong).",
    "403": "Authenticated, but not allowed.",
    "406": "The Accept header asks for a format the API cannot produce.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
    "503": (
        "The database is unreachable for a moment (retry after Retry-After seconds); a report took "
        "longer than its time limit (`detail` says what to narrow); or the server is busy with other "
        "large downloads (retry after Retry-After seconds)."
    ),
    **TRANSPORT_ERRORS,
}
WRITE_ERRORS = {
    "400": "Invalid request; `errors` names each field path at fault. Nothing was written.",
    "401": "Not authenticated.",
    "403": "Authenticated, but not allowed.",
    "409": "Conflicts with other data (e.g. a deletion of something still referred to).",
    "415": "The body is not JSON.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
    "503": (
        "The database was unreachable; retry after Retry-After seconds. `detail` says whether "
        "the change was saved (then with its ETag and Location)."
    ),
    **TRANSPORT_ERRORS,
}


SUMMARIES = {
    "list": "List {plural}",
    "create": "Add {a} {singular}",
    "retrieve": "Read {a} {singular}",
    "update": "Replace {a} {singular}",
    "partial_update": "Change fields of {a} {singular}",
    "destroy": "Delete {a} {singular}",
}
PART_SUMMARIES = {
    "list": "List an agreement's {plural}",
    "create": "Add {a} {singular} to an agreement",
    "retrieve": "Read one of an agreement's {plural}",
    "update": "Replace one of an agreement's {plural}",
    "partial_update": "Change fields of one of an agreement's {plural}",
    "destroy": "Remove {a} {singular} from an agreement",
}


class AutoSchema(BaseAutoSchema):
    def get_summary(self) -> str | None:
        """A one-line title for each operation of a model viewset, so the docs' list reads well.

        An explicit ``extend_schema(summary=…)`` wins; operations that are not one of the
        standard actions keep drf-spectacular's default (none).
        """
        summary = super().get_summary()
        templates = PART_SUMMARIES if "{agreement_pk}" in self.path else SUMMARIES
        template = templates.get(getattr(self.view, "action", None) or "")
        queryset = getattr(self.view, "queryset", None)
        if summary or template is None or queryset is None:
            return summary
        meta = queryset.model._meta
        singular, plural = str(meta.verbose_name), str(meta.verbose_name_plural)
        summary = template.format(a="an" if singular[0] in "aeiou" else "a", singular=singular, plural=plural)
        return summary[0].upper() + summary[1:]

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        errors = dict(READ_ERRORS if self.method in ("GET", "HEAD") else WRITE_ERRORS)
        if self.method == "GET" and self._is_list_view():
            errors["400"] = "A filter, ordering or page parameter is unknown or malformed; `errors` names it."
            if self._get_paginator():
                errors["404"] = "There is no such page."
        if self.path_regex and "{" in self.path:
            errors["404"] = "Not found."
        errors.update(getattr(self.view, "extra_error_responses", {}).get(self.method, {}))
        for code, description in errors.items():
            if code in responses:
                continue
            serializer = ValidationErrorSerializer if code == "400" else ErrorSerializer
            response = self._get_response_for_code(serializer, code)
            response["description"] = description
            # Errors are JSON whatever the success format (a CSV-only view included).
            content = response.get("content", {})
            if content and "application/json" not in content:
                response["content"] = {"application/json": next(iter(content.values()))}
            responses[code] = response
        return responses
