"""Admins for what agreements refer to: countries, categories, people and sources."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import Body, BodyName, ClauseCategory, Country, Person, PersonName, Source
from ..services import (
    BodyIn,
    OtherNameIn,
    PersonIn,
    PossibleSameRecordError,
    body_create,
    body_merge,
    body_update,
    person_create,
    person_merge,
    person_update,
)
from .dates import ISO_DATE_INPUTS
from .merging import merge_action
from .writing import Entry, ServiceFormSet, ServiceModelForm, ServicePartForm, WritesThroughServices


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    """Countries come from ISO 3166 by migration; editors look them up, never edit them."""

    list_display = ["name", "code", "alpha_3", "cow_code", "is_former", "withdrawn"]
    list_filter = ["is_former"]
    # Django's autocomplete refuses a model admin without search fields; the search itself
    # is get_search_results below.
    search_fields = ["name", "search_names", "code", "alpha_3"]
    search_help_text = "Any name (Turkey, UK, Ivory Coast …) or ISO code."

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Country], search_term: str
    ) -> tuple[QuerySet[Country], bool]:
        # The API's search, ranked alike: an exact code first, then exact and starting names.
        # One query, no duplicates. The change list re-sorts by its columns; the autocomplete
        # keeps this order.
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Country | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Country | None = None) -> bool:
        return False


@admin.register(ClauseCategory)
class ClauseCategoryAdmin(admin.ModelAdmin):
    list_display = ["tree_name", "slug", "clause_count"]
    search_fields = ["name", "slug", "parent__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    # The keywords are what "Add from a news report" looks for to propose this category.
    fields = ["name", "slug", "parent", "description", "keywords"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClauseCategory]:
        # Each subcategory sorts under its parent: the tree reads top to bottom.
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(branch=Coalesce("parent__name", "name"), clause_total=Count("clauses"))
            .order_by("branch", "parent", "name")
        )

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for category in objs:
            protected += [
                f"Clause “{clause}” of {clause.agreement}"
                for clause in category.clauses.select_related("agreement")
            ]
        return deleted, counts, perms_needed, protected

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ClauseCategory]) -> None:
        for category in queryset:  # one by one, so that each is checked like a single delete
            category.delete()

    @admin.display(description="category", ordering="branch")
    def tree_name(self, category: ClauseCategory) -> str:
        return f"    — {category.name}" if category.parent_id else category.name

    @admin.display(description="clauses", ordering="clause_total")
    def clause_count(self, category: ClauseCategory) -> int:
        return category.clause_total


class PersonNameInline(admin.TabularInline):
    model = PersonName
    form = ServicePartForm
    formset = ServiceFormSet
    extra = 1
    autocomplete_fields = ["source"]


def _other_name(form) -> OtherNameIn:
    values = form.cleaned_data
    return OtherNameIn(
        name=values["name"], kind=values["kind"], language=values["language"], source=values["source"]
    )


def _stored_name(row: PersonName) -> OtherNameIn:
    return OtherNameIn(name=row.name, kind=row.kind, language=row.language, source=row.source)


class SaveAnywayForm(ServiceModelForm):
    """A new person's or body's form, with the answer to "is this not someone recorded?"."""

    allow_duplicate = forms.BooleanField(
        required=False,
        label="Save anyway",
        help_text="Tick after checking the records listed above: this is not one of them.",
    )


class AsksBeforeASimilarRecord(WritesThroughServices):
    """A new record whose name is another spelling of a known one is refused with links to the
    known ones, until the editor ticks "Save anyway" (``services.duplicates``' rule)."""

    form = SaveAnywayForm

    class Media:
        # The names' tabular inline fits a 1280-pixel window as the agreement's inlines do;
        # without the stylesheet the person page was 181 pixels wider than the window.
        css = {"all": ["agreements/admin.css"]}

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = [name for name in super().get_fields(request, obj) if name != "allow_duplicate"]
        return fields if obj is not None else [*fields, "allow_duplicate"]

    def create_asking(self, create, data, values: dict):
        try:
            return create(data=data, allow_duplicate=values.get("allow_duplicate", False))
        except PossibleSameRecordError as error:
            change = f"admin:agreements_{error.what}_change"
            items = format_html_join(
                "",
                '<li><a href="{}" target="_blank">{}</a> — {}</li>',
                ((reverse(change, args=[c.id]), c.name, c.why) for c in error.candidates),
            )
            message = format_html(
                "“{}” may already be recorded:<ul>{}</ul>Nothing was saved. Use the one listed (add "
                "this spelling to their other names), or if this is another {}, tick “Save anyway” "
                "and save again.",
                error.name,
                items,
                error.what,
            )
            raise ValidationError({"__all__": [message]}) from None


@admin.register(Person)
class PersonAdmin(AsksBeforeASimilarRecord):
    inlines = [PersonNameInline]
    actions = [merge_action(person_merge, "people")]
    list_display = ["name", "also_known_as", "wikidata_qid"]
    search_fields = ["name", "other_names__name"]
    search_help_text = "Any spelling of the name."

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).prefetch_related("other_names")

    @admin.display(description="other names")
    def also_known_as(self, person: Person) -> str:
        return ", ".join(other.name for other in person.other_names.all())

    def write_entry(self, request: HttpRequest, entry: Entry) -> Person:
        person: Person = entry.form.instance
        stored = list(person.other_names.all()) if person.pk else []
        entry.rows = {"other_names": entry.rows_of("other_names", stored, _other_name, _stored_name)}
        values = entry.form.cleaned_data
        data = PersonIn(
            name=values["name"],
            other_names=entry.rows["other_names"].items,
            wikidata_qid=values["wikidata_qid"],
            note=values["note"],
        )
        if person.pk is None:
            return self.create_asking(person_create, data, values)
        return person_update(person=Person.objects.get(pk=person.pk), data=data)


class BodyNameInline(admin.TabularInline):
    model = BodyName
    form = ServicePartForm
    formset = ServiceFormSet
    extra = 1
    autocomplete_fields = ["source"]


def _stored_body_name(row: BodyName) -> OtherNameIn:
    return OtherNameIn(name=row.name, kind=row.kind, language=row.language, source=row.source)


@admin.register(Body)
class BodyAdmin(AsksBeforeASimilarRecord):
    """Ministries, forces, councils, agencies and regional governments, written through the services."""

    inlines = [BodyNameInline]
    actions = [merge_action(body_merge, "bodies")]
    list_display = ["name", "kind", "country", "subdivision", "also_known_as"]
    list_filter = ["kind", "country"]
    list_select_related = ["country"]
    search_fields = ["name", "other_names__name", "subdivision", "country__name"]
    search_help_text = "Any of its names, its country or its ISO 3166-2 subdivision."
    autocomplete_fields = ["country"]
    fields = ["name", "kind", "country", "subdivision", "note"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Body]:
        return super().get_queryset(request).prefetch_related("other_names")

    @admin.display(description="other names")
    def also_known_as(self, body: Body) -> str:
        return ", ".join(other.name for other in body.other_names.all())

    def write_entry(self, request: HttpRequest, entry: Entry) -> Body:
        body: Body = entry.form.instance
        stored = list(body.other_names.all()) if body.pk else []
        entry.rows = {"other_names": entry.rows_of("other_names", stored, _other_name, _stored_body_name)}
        values = entry.form.cleaned_data
        data = BodyIn(
            name=values["name"],
            country=values["country"].pk,
            kind=values["kind"],
            subdivision=values["subdivision"],
            other_names=entry.rows["other_names"].items,
            note=values["note"],
        )
        if body.pk is None:
            return self.create_asking(body_create, data, values)
        return body_update(body=Body.objects.get(pk=body.pk), data=data)


class SourceForm(forms.ModelForm):
    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        existing = Source.objects.filter(url=url).exclude(pk=self.instance.pk).first() if url else None
        if existing is not None:
            # Say which source, with a way to it, rather than that a constraint was broken.
            link = reverse("admin:agreements_source_change", args=[existing.pk])
            raise forms.ValidationError(
                format_html('This URL is already recorded as <a href="{}">{}</a>.', link, existing),
                code="unique",
            )
        return url


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = ISO_DATE_INPUTS
    form = SourceForm
    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "publisher", "published_on", "licence"]
    list_filter = ["publisher", "licence"]
    search_fields = ["title", "publisher", "url", "excerpt"]
    date_hierarchy = "published_on"
