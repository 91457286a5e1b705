"""The OpenAPI schema says what the server does, so that generated clients can trust it.

drf-spectacular documents the success responses it can see; this adds what it cannot:

* to every operation, the error answers the API really gives (all in the shapes of
  ``ErrorSerializer`` and ``ValidationErrorSerializer``);
* no ``default`` in a request body: generated clients send a field's default whenever the
  caller leaves it out, which turns a one-field PATCH into a reset of every other field. What
  the server does with an absent field is said in the field's description instead;
* the version check of a view with ``conditional_writes = True``: a required ``If-Match`` on
  its writes, 412 and 428, and the ``ETag`` its answers carry;
* the headers clients act on: ``Location`` on 201, ``Retry-After`` on 429 and 503, ``Link``
  on paginated lists;
* anonymous access (``{}`` in ``security``) on the reads that are open.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import is_patched_serializer
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions
from rest_framework.fields import empty

from .permissions import ReadOrModelPermissions
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


# The version check (``conditional_writes`` on a view), worded for the resource whose version is
# checked: the view's model, or its agreement for an agreement's parts (``conditional_noun`` overrides).
IF_MATCH_DESCRIPTION = (
    "The ETag of your last read of the {noun}{example} (several may be listed; `*`: any version). "
    "Without it the write is refused with 428; with a version that is no longer current, 412."
)
PRECONDITION_ERRORS = {
    "412": "The {noun} changed since the ETag in If-Match was read; the answer's ETag is the current one.",
    "428": "If-Match is missing.",
}
ETAG = {
    "schema": {"type": "string"},
    "description": "The {noun}'s current version (a strong entity tag): send it back as If-Match "
    "to change it.",
}
LOCATION = {
    "schema": {"type": "string", "format": "uri"},
    "description": "The API URL of what was created.",
}
RETRY_AFTER = {
    "schema": {"type": "integer", "minimum": 0},
    "description": "Seconds to wait before asking again (absent when asking again will not help, e.g. a "
    "report that ran out of time).",
}
LINK = {
    "schema": {"type": "string"},
    "description": "RFC 8288 links to the neighbouring pages, e.g. "
    '`<https://host/api/people/?page=3>; rel="next", <https://host/api/people/?page=1>; rel="prev"`; '
    "absent when there is neither.",
}
# The reads answered by the data version (``web/caching.py``): lists and reports.
DATA_ETAG = {
    "schema": {"type": "string"},
    "description": "A strong entity tag of this answer at the current data version (it changes with any "
    "write, the day, the query, the format and who asks): send it back as If-None-Match to get a 304 "
    "while nothing changed.",
}
LAST_MODIFIED = {
    "schema": {"type": "string"},
    "description": "When the data last changed (or the day began), as an HTTP date; If-Modified-Since "
    "with it gets a 304 while nothing changed.",
}
CACHE_CONTROL = {
    "schema": {"type": "string"},
    "description": "Anonymous answers: `public, max-age=…, stale-while-revalidate=…` (a proxy or CDN may "
    "keep them); signed-in ones: `private, no-cache`.",
}
NOT_MODIFIED = (
    "Not modified: the ETag in If-None-Match (or the date in If-Modified-Since) is still current. "
    "No body; the headers are those of the 200."
)
IF_NONE_MATCH = (
    "The ETag of your last read of this answer (several may be listed, `*` any): a 304 with no body "
    "while it is current."
)
IF_MODIFIED_SINCE = (
    "The Last-Modified of your last read: a 304 while nothing changed since (If-None-Match wins)."
)
# Where a write's If-Match is needed: changing or deleting the resource itself, and adding to one
# that the path names (an agreement's parts). Creating a new top-level resource needs none.
CONDITIONAL_METHODS = {"PUT", "PATCH", "DELETE"}
STANDARD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}


def left_out(default: Any) -> str:
    """What the server stores for a field a create or a replace leaves out, in a sentence."""
    if default is None:
        return "Left out: null."
    if default == []:
        return "Left out: an empty list."
    if default == "":
        return "Left out: empty."
    return f"Left out: `{json.dumps(default, ensure_ascii=False)}`."


class TokenScheme(OpenApiAuthenticationExtension):
    """The API token, sent as ``Token <key>`` or as ``Bearer <key>``: two schemes, either will do."""

    target_class = "agreements.api.authentication.ExpiringTokenAuthentication"
    name = ["tokenAuth", "bearerAuth"]

    def get_security_definition(self, auto_schema) -> list[dict]:
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "An API token (POST /api/auth/token/) as `Token <token>`.",
            },
            {
                "type": "http",
                "scheme": "bearer",
                "description": "The same API token as `Bearer <token>`.",
            },
        ]

    def get_security_requirement(self, auto_schema) -> list[dict]:
        return [{"tokenAuth": []}, {"bearerAuth": []}]


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
        for code, response in responses.items():
            # drf-spectacular writes a DELETE's 204 without asking for its headers.
            if code == "204":
                declared = self._get_response_headers_for_code(code, direction)
                headers = {**declared, **response.get("headers", {})}
                if headers:
                    response["headers"] = headers
        if self._cached_read() and "304" not in responses:
            responses["304"] = {
                "description": NOT_MODIFIED,
                "headers": self._get_response_headers_for_code("304", direction),
            }
        errors = dict(READ_ERRORS if self.method in ("GET", "HEAD") else WRITE_ERRORS)
        if self.method == "GET" and self._is_list_view():
            errors["400"] = "A filter, ordering or page parameter is unknown or malformed; `errors` names it."
            if self._get_paginator():
                errors["404"] = "There is no such page."
        if self.method == "GET":
            # Every route also answers with a format suffix (`/api/agreements/7.json/`) and
            # `?format=`: a format not served here is a 400 naming it, on a detail as on a list.
            errors.setdefault(
                "400",
                "A parameter is malformed, or the format asked for (`?format=` or a suffix such as "
                "`.json`) is not served here; `errors` names it.",
            )
        if self.path_regex and "{" in self.path:
            errors["404"] = "Not found."
        if self._needs_if_match():
            errors.update(
                {code: text.format(noun=self._noun()) for code, text in PRECONDITION_ERRORS.items()}
            )
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

    # --- Request bodies: no defaults; say what an absent field means -----------------------------

    def _get_serializer_field_meta(self, field, direction: str) -> dict:
        meta = super()._get_serializer_field_meta(field, direction)
        # In a response every field is present, so a default says nothing there either.
        default = meta.pop("default", empty)
        if direction != "request" or field.read_only or field.default is empty:
            return meta
        if "left out" in meta.get("description", "").lower():
            return meta  # the field says it better itself ("Signed when left out.")
        if default is empty:  # drf-spectacular leaves out null and callable defaults
            default = field.default() if callable(field.default) else field.default
        if is_patched_serializer(field.parent, direction):
            sentence = "Left out of a PATCH: unchanged."
        else:
            sentence = left_out(default)
        description = meta.get("description", "").strip()
        if description and description[-1] not in ".!?)”":
            description += "."
        meta["description"] = f"{description} {sentence}".strip()
        return meta

    def _insert_field_validators(self, field, schema: dict) -> None:
        """A blank-or-pattern string as one pattern, not a ``oneOf`` of two strings.

        drf-spectacular writes ``allow_blank`` with a pattern as ``oneOf: [{pattern}, {maxLength: 0}]``,
        which generated clients turn into a union of two string types, and which the validator
        rejected when a default of ``''`` sat in the pattern's branch.
        """
        super()._insert_field_validators(field, schema)
        branches = schema.get("oneOf")
        if not branches or len(branches) != 2 or branches[1] != {"type": "string", "maxLength": 0}:
            return
        inner = branches[0]
        if "pattern" not in inner or "format" in inner:
            return
        schema.pop("oneOf")
        inner.pop("minLength", None)
        schema.update(inner, pattern=f"(?:{inner['pattern']})|^$")

    def _map_serializer_field(self, field, direction: str, bypass_extensions: bool = False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # A field may give an example of its own (party_b: not the same country as party_a's).
        example = getattr(field, "schema_example", None)
        if schema is not None and example is not None and "$ref" not in schema:
            schema["example"] = example
        return schema

    def get_operation(self, *args: Any, **kwargs: Any) -> dict | None:
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            # A numeric id in a path is read as a whole number (``base.check_id``): say so, so that
            # generated clients take an int rather than any string of digits.
            if parameter["in"] == "path" and parameter["schema"] == {"type": "string", "pattern": "^[0-9]+$"}:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return operation

    # --- The version check ----------------------------------------------------------------------

    def _conditional(self) -> bool:
        return bool(getattr(self.view, "conditional_writes", False))

    def _noun(self) -> str:
        noun = getattr(self.view, "conditional_noun", None)
        if noun:
            return noun
        queryset = getattr(self.view, "queryset", None)
        if "{agreement_pk}" in self.path or queryset is None:
            return "agreement"
        return str(queryset.model._meta.verbose_name)

    def _needs_if_match(self) -> bool:
        if not self._conditional():
            return False
        if self.method in CONDITIONAL_METHODS:
            return True
        # Adding to a resource the path names (an agreement's parts) changes that resource.
        return self.method == "POST" and "{" in self.path

    def _sends_etag(self) -> bool:
        """Whether this operation's success carries the resource's ETag.

        Every standard action of a conditional view does, except a paginated list (many
        resources, no one version) and a deletion of the resource itself (nothing is left).
        """
        if not self._conditional() or getattr(self.view, "action", None) not in STANDARD_ACTIONS:
            return False
        if self.method == "GET" and self._is_list_view():
            return self._get_paginator() is None
        return True

    def _cached_read(self) -> bool:
        """A GET answered by the data version (web/caching.py): a list, a report."""
        if self.method != "GET" or not getattr(self.view, "cached_reads", False):
            return False
        action = getattr(self.view, "action", None)
        return action is None or action == "list"

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        names = {getattr(parameter, "name", None) for parameter in parameters}
        if self._cached_read():
            for name, description in (
                ("If-None-Match", IF_NONE_MATCH),
                ("If-Modified-Since", IF_MODIFIED_SINCE),
            ):
                if name not in names:
                    parameters.append(
                        OpenApiParameter(name, str, OpenApiParameter.HEADER, description=description)
                    )
        if self._needs_if_match() and "If-Match" not in names:
            noun = self._noun()
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description=IF_MATCH_DESCRIPTION.format(
                        noun=noun, example=', e.g. `"agreement-12-v3"`' if noun == "agreement" else ""
                    ),
                )
            )
        return parameters

    def _get_response_headers_for_code(self, status_code, direction: str = "response") -> dict:
        headers = dict(super()._get_response_headers_for_code(status_code, direction))
        code = str(status_code)
        noun = self._noun()
        etag = {**ETAG, "description": ETAG["description"].format(noun=noun)}
        if code in ("200", "201") and self._sends_etag():
            headers.setdefault("ETag", etag)
        if code == "204" and self._sends_etag() and self.path.count("{") > 1:
            # Removing a part leaves its agreement, at a new version.
            headers.setdefault("ETag", etag)
        if code == "412" and self._needs_if_match():
            headers.setdefault("ETag", etag)
        if code == "201":
            headers.setdefault("Location", LOCATION)
        if code == "200" and self.method == "GET" and self._is_list_view() and self._get_paginator():
            headers.setdefault("Link", LINK)
        if code in ("429", "503"):
            headers.setdefault("Retry-After", RETRY_AFTER)
        if code in ("200", "304") and self._cached_read():
            headers.update(
                {"ETag": DATA_ETAG, "Last-Modified": LAST_MODIFIED, "Cache-Control": CACHE_CONTROL}
            )
        return headers

    # --- Who may call it ------------------------------------------------------------------------

    def get_auth(self) -> list[dict]:
        auths = super().get_auth()
        if {} not in auths and self._anonymous_may_call():
            auths.append({})
        return auths

    def _anonymous_may_call(self) -> bool:
        """Reads the permissions let anyone make: the schema then lists "no credentials" too."""
        if self.method not in permissions.SAFE_METHODS:
            return False
        for permission in self.view.get_permissions():
            if isinstance(permission, ReadOrModelPermissions):
                if settings.API_REQUIRE_LOGIN_FOR_READS:
                    return False
            elif not isinstance(permission, permissions.AllowAny):
                return False
        return True
