from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import NameKind
from ..history import HistoryInterface
from ..names import name_key
from .versioned import Versioned, version_positive

WIKIDATA_QID = r"^Q[1-9][0-9]*$"
wikidata_qid_validator = RegexValidator(WIKIDATA_QID, "A Wikidata id looks like Q42.")


def wikidata_qid_check() -> models.Q:
    """The validator's rule as a ``CheckConstraint`` condition: empty, or Q and a number."""
    return models.Q(wikidata_qid="") | models.Q(wikidata_qid__regex=WIKIDATA_QID)


class PersonQuerySet(models.QuerySet):
    def matching(self, text: str) -> "PersonQuerySet":
        """People whose canonical name or any other name contains ``text`` (case-insensitive)."""
        return self.filter(
            models.Q(name__icontains=text) | models.Q(other_names__name__icontains=text)
        ).distinct()


class Person(Versioned):
    """Someone who signs agreements, under the name the tracker uses for them."""

    name = models.CharField(max_length=200, help_text="The canonical spelling used throughout the tracker.")
    # ``names.name_key`` of the name: every spelling of it alike (kept by the services).
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    wikidata_qid = models.CharField(
        max_length=16, blank=True, validators=[wikidata_qid_validator], verbose_name="Wikidata id"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    history = HistoricalRecords(bases=[HistoryInterface], excluded_fields=["name_key", "version"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            version_positive("person", "A person"),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="person_name_required",
                violation_error_message="A person needs a name.",
            ),
            models.UniqueConstraint(
                fields=["wikidata_qid"],
                condition=~models.Q(wikidata_qid=""),
                name="person_wikidata_unique",
                violation_error_message="Another person already has this Wikidata id.",
            ),
            models.CheckConstraint(
                condition=wikidata_qid_check(),
                name="person_wikidata_format",
                violation_error_message="A Wikidata id looks like Q42.",
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

    def name_matching(self, term: str) -> str:
        """The name, with the other spellings that contain ``term`` when the name does not.

        A search for "Dehghan" finds Hossein Dehqan; saying so spares the editor from
        wondering whether the right person was found. Reads ``other_names`` as prefetched.
        """
        term = term.strip().casefold()
        if not term or term in self.name.casefold():
            return self.name
        matches = [other.name for other in self.other_names.all() if term in other.name.casefold()]
        return f"{self.name} (also {', '.join(matches)})" if matches else self.name


class PersonName(models.Model):
    """Another name a person appears under: a transliteration, a spelling, a former name."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    kind = models.CharField(max_length=16, choices=NameKind.choices, default=NameKind.SPELLING)
    language = models.CharField(
        max_length=16, blank=True, help_text="BCP 47 tag of the name's script or source."
    )
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, null=True, blank=True, related_name="person_names"
    )

    history = HistoricalRecords(bases=[HistoryInterface], excluded_fields=["name_key"])

    class Meta:
        ordering = ["name"]
        verbose_name = "other name"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "name"],
                name="person_name_unique_per_person",
                violation_error_message="This person already has this other name.",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="person_other_name_required",
                violation_error_message="An other name cannot be empty.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=NameKind.values),
                name="person_name_kind_valid",
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
