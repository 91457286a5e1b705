"""The organisations that act for a party: ministries, forces, councils, agencies, regional governments."""

from django.db import models
from django.db.models.functions import Concat
from simple_history.models import HistoricalRecords

from ..choices import BodyKind, NameKind
from ..history import HistoryInterface
from ..names import name_key
from .versioned import Versioned, version_positive


class BodyQuerySet(models.QuerySet):
    def matching(self, text: str) -> "BodyQuerySet":
        """Bodies whose name or any other name contains ``text`` (case-insensitive)."""
        return self.filter(
            models.Q(name__icontains=text) | models.Q(other_names__name__icontains=text)
        ).distinct()


class Body(Versioned):
    """An organisation of one country that acts for it, or for a part of it.

    A body below the state (a province's border force, a governorate, an autonomous
    region) names its ISO 3166-2 ``subdivision``; an agreement with such a body on a side
    is sub-national, and reports do not count it between the two states.
    """

    name = models.CharField(max_length=200, help_text="The name the tracker uses, e.g. Ministry of Defence.")
    # ``names.name_key`` of the name: every spelling of it alike (kept by the services).
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    kind = models.CharField(max_length=24, choices=BodyKind.choices, default=BodyKind.MINISTRY)
    country = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="bodies")
    subdivision = models.CharField(
        max_length=8,
        blank=True,
        verbose_name="ISO 3166-2 subdivision",
        help_text="For a body below the state: its province, governorate or region, e.g. IQ-KR.",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BodyQuerySet.as_manager()

    history = HistoricalRecords(bases=[HistoryInterface], excluded_fields=["name_key", "version"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "bodies"
        constraints = [
            version_positive("body", "A body"),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="body_name_required",
                violation_error_message="A body needs a name.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=BodyKind.values),
                name="body_kind_valid",
                violation_error_message="Choose a kind of body from the list.",
            ),
            models.CheckConstraint(
                condition=models.Q(subdivision="")
                | models.Q(subdivision__startswith=Concat(models.F("country_id"), models.Value("-"))),
                name="body_subdivision_of_its_country",
                violation_error_message="The subdivision must be one of the body's country.",
            ),
            models.UniqueConstraint(
                fields=["country", "subdivision", "name"],
                name="body_name_unique_per_place",
                violation_error_message="This country (or subdivision) already has a body of that name.",
            ),
        ]

    def __str__(self) -> str:
        place = self.subdivision or self.country_id
        return f"{self.name} ({place})"

    def save(self, *args, **kwargs) -> None:
        # Every spelling of the name alike, for the duplicate guard and the intake's matching.
        self.name_key = name_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    @property
    def is_sub_national(self) -> bool:
        return bool(self.subdivision) or self.kind == BodyKind.REGIONAL_GOVERNMENT


class BodyName(models.Model):
    """Another name a body appears under (a translation, an acronym, a former name)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="other_names")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    kind = models.CharField(max_length=16, choices=NameKind.choices, default=NameKind.SPELLING)
    language = models.CharField(max_length=16, blank=True, help_text="BCP 47 tag of the name's language.")
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, null=True, blank=True, related_name="body_names"
    )

    history = HistoricalRecords(bases=[HistoryInterface], excluded_fields=["name_key"])

    class Meta:
        ordering = ["name"]
        verbose_name = "other name"
        constraints = [
            models.UniqueConstraint(
                fields=["body", "name"],
                name="body_name_unique_per_body",
                violation_error_message="This body already has this other name.",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="body_other_name_required",
                violation_error_message="An other name cannot be empty.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=NameKind.values),
                name="body_name_kind_valid",
                violation_error_message=(
                    "Choose what kind of name this is: transliteration, spelling, former name or original "
                    "script."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Every spelling of the name alike, for the duplicate guard and the intake's matching.
        self.name_key = name_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)
