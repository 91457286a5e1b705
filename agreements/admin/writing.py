"""How the admin writes: through the services, with their errors put back where the editor looks.

Django's admin would save a ModelForm and its inline formsets itself. Here the forms only
read what the editor typed (field by field); the save is one service call, made at the
moment the last formset has been validated, so that a refusal can still be shown on the
page. Each error the service raises names a field path (``clauses[2].position``); it is
put on that field of that inline row, as the API returns the same path to its clients.

The pieces meet on the object being edited: the form registers an ``Entry`` on its
instance, each formset of the change page adds itself, and the formset validated last
runs ``Entry.write`` (the ModelAdmin's ``write_entry``). ``WritesThroughServices`` then
saves nothing itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import InlineForeignKeyField
from django.http import HttpRequest

_PATH = re.compile(r"^(?P<collection>[a-z_]+)\[(?P<index>\d+)\](?:\.(?P<field>[a-z_]+))?")


@dataclass
class Rows:
    """The rows of one inline as the service receives them: each item and the form it came from.

    ``forms[i]`` is the form of the i-th item sent to the service, or ``None`` for a stored
    part the page did not show (it is kept as it is).
    """

    items: list[Any] = field(default_factory=list)
    forms: list[forms.Form | None] = field(default_factory=list)

    def add(self, item: Any, form: forms.Form | None) -> None:
        self.items.append(item)
        self.forms.append(form)


@dataclass
class Entry:
    """One save of the change page: the form, its formsets, and the write once all are valid."""

    form: forms.ModelForm
    formsets: list[forms.BaseFormSet] = field(default_factory=list)
    writer: Callable[[Entry], models.Model] | None = None
    rows: dict[str, Rows] = field(default_factory=dict)
    saved: models.Model | None = None
    refused: bool = False

    def formset(self, prefix: str) -> ServiceFormSet | None:
        """The page's formset of that inline; ``None`` when the editor may not see it."""
        return next((formset for formset in self.formsets if formset.prefix == prefix), None)

    def rows_of(
        self, prefix: str, stored: Sequence[models.Model], item: Callable[[forms.Form], Any], keep: Callable
    ) -> Rows:
        """The parts the service is to write for one inline (all stored ones when it is not shown)."""
        formset = self.formset(prefix)
        if formset is None:
            rows = Rows()
            for part in stored:
                rows.add(keep(part), None)
            return rows
        return formset.rows(stored, item, keep)

    def write(self) -> None:
        """Run the write in a savepoint; on a refusal, undo it and show each error where it belongs."""
        if self.writer is None or not self.form.is_valid():
            return
        if any(not formset.is_valid() for formset in self.formsets):
            return
        try:
            with transaction.atomic():
                self.saved = self.writer(self)
        except ValidationError as error:
            self.refused = True
            self.show(error)

    def show(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.form.add_error(None, message)
            return
        for path, messages in error.message_dict.items():
            for message in messages:
                self._show_one(path, message)

    def _show_one(self, path: str, message: str) -> None:
        match = _PATH.match(path)
        if match and match["collection"] in self.rows:
            form = self.rows[match["collection"]].forms[int(match["index"])]
            if form is not None:
                name = match["field"]
                form.add_error(name if name in form.fields else None, message)
                return
        name = path.split(".")[0].split("[")[0]
        self.form.add_error(name if name in self.form.fields else None, message)


def entry_of(instance: models.Model) -> Entry | None:
    return instance.__dict__.get("_admin_entry")


class ServiceModelForm(forms.ModelForm):
    """The main form of a change page that writes through a service."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.__dict__["_admin_entry"] = Entry(form=self)

    def validate_unique(self) -> None:
        """Uniqueness is the service's to check, with its own messages."""


class ServicePartForm(forms.ModelForm):
    """An inline row: its fields are read here, its rules checked by the service."""

    def _get_validation_exclusions(self):
        # Constraints that involve the parent (a person signs once, a position is taken once)
        # depend on the other rows and on what is stored: the service checks them over the
        # whole set. Field values (lengths, choices, dates) are still checked here.
        parent = {name for name, field in self.fields.items() if isinstance(field, InlineForeignKeyField)}
        return {*super()._get_validation_exclusions(), *parent}

    def validate_unique(self) -> None:
        """Uniqueness is the service's to check, with its own messages."""


class ServiceFormSet(forms.BaseInlineFormSet):
    """An inline formset that joins its page's ``Entry``; the last one to be validated writes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        entry = entry_of(self.instance)
        if entry is not None:
            entry.formsets.append(self)

    def validate_unique(self) -> None:
        """Duplicates across rows are the service's to find, with its own messages."""

    def clean(self) -> None:
        super().clean()
        entry = entry_of(self.instance)
        if entry is not None and all(
            formset is self or formset._errors is not None for formset in entry.formsets
        ):
            entry.write()

    def is_valid(self) -> bool:
        entry = entry_of(self.instance)
        return super().is_valid() and not (entry is not None and entry.refused)

    def live_forms(self) -> list[forms.Form]:
        """The rows to keep or add: filled in and not marked for deletion."""
        deleted = set(self.deleted_forms)
        return [
            form
            for form in self.forms
            if form not in deleted and (form.instance.pk is not None or form.has_changed())
        ]

    def rows(self, stored: Sequence[models.Model], item: Callable[[forms.Form], Any], keep) -> Rows:
        """Every part the agreement will have: the page's rows, and the stored parts it did not show.

        ``item`` makes a service input of a row's form, ``keep`` of a stored part.
        """
        shown = {form.instance.pk for form in self.forms if form.instance.pk is not None}
        rows = Rows()
        for part in stored:
            if part.pk not in shown:
                rows.add(keep(part), None)
        for form in self.live_forms():
            rows.add(item(form), form)
        return rows


class WritesThroughServices(admin.ModelAdmin):
    """A ModelAdmin whose change page saves by calling a service (``write_entry``), not by ``save()``."""

    def write_entry(self, request: HttpRequest, entry: Entry) -> models.Model:
        raise NotImplementedError

    def get_formset_kwargs(self, request, obj, inline, prefix):
        entry = entry_of(obj)
        if entry is not None:
            entry.writer = lambda e: self.write_entry(request, e)
        return super().get_formset_kwargs(request, obj, inline, prefix)

    def save_form(self, request, form, change):
        return form.instance

    def save_model(self, request, obj, form, change) -> None:
        entry = entry_of(obj)
        if entry is None or entry.saved is None:
            raise RuntimeError(
                "Nothing was written: a WritesThroughServices admin needs at least one inline."
            )
        obj.pk = entry.saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change) -> None:
        """The service has written the parts already."""

    def construct_change_message(self, request, form, formsets, add):
        for formset in formsets:
            deleted = set(formset.deleted_forms)
            formset.new_objects = [
                f.instance for f in formset.extra_forms if f.has_changed() and f not in deleted
            ]
            formset.changed_objects = [
                (f.instance, f.changed_data)
                for f in formset.initial_forms
                if f.has_changed() and f not in deleted
            ]
            formset.deleted_objects = [f.instance for f in formset.initial_forms if f in deleted]
        return super().construct_change_message(request, form, formsets, add)
