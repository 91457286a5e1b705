"""The project's FilterSet base: django-filter's, minus what it rebuilds on every request.

For each request django-filter deep-copies every declared filter (choices, help texts and
all) and builds a new form class from them, making each filter's form field anew. For the
agreement list's nineteen filters that was about 2 ms of a rare-term search's 9 ms in
process (``bench/profile_requests.py``), and none of it depends on the request:

- the form class depends only on the FilterSet class, so it is built once per class, and
  its fields are copied shallowly for each form (Django deep-copies them, choices and
  translated labels included, for forms that change their fields; a filter form never
  does);
- a request's filters only gain ``model`` and ``parent`` (the FilterSet whose ``filter_…``
  methods they call), and nothing changes their options, so a shallow copy of each is
  enough, with its own ``FilterMethod`` bound to the copy.

Behaviour, errors and the OpenAPI schema (read from ``base_filters``) stay as they were.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Model, QuerySet
from django.http import QueryDict
from django_filters import rest_framework as filters
from django_filters.filters import Filter


class FilterSet(filters.FilterSet):
    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        # django-filter's own __init__, but with _bound() in place of copy.deepcopy.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        model = queryset.model
        self.filters = {name: self._bound(declared, model) for name, declared in self.base_filters.items()}

    def _bound(self, declared: Filter, model: type[Model]) -> Filter:
        bound = copy.copy(declared)
        bound.model = model
        bound.parent = self
        if declared.method is not None:
            # The copy shares the declared filter's FilterMethod, which would look for the
            # method on the declared filter's parent; setting it again binds one to the copy.
            bound.method = declared.method
        return bound

    def get_form_class(self) -> type:
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            if not self._fields_depend_on_request():
                form_class.base_fields = _FieldsCopiedShallowly(form_class.base_fields)
                cls._form_class = form_class
        return form_class

    def _fields_depend_on_request(self) -> bool:
        """A filter whose queryset is a function of the request makes a field per request."""
        return any(callable(getattr(declared, "queryset", None)) for declared in self.base_filters.values())


class _FieldsCopiedShallowly(dict):
    """A form's ``base_fields``, which ``Form.__init__`` deep-copies: here a shallow copy of
    each field (its own attributes; widget, choices and validators shared, never changed)."""

    def __deepcopy__(self, memo: dict) -> dict:
        return {name: copy.copy(field) for name, field in self.items()}
