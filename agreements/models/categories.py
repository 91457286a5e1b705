from django.db import models
from simple_history.models import HistoricalRecords

from ..history import HistoryInterface
from .versioned import Versioned, version_positive


class ClauseCategory(Versioned):
    """A topic a clause covers. A shallow tree: top-level categories and their subcategories."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="Leave empty for a top-level category. Subcategories cannot have subcategories.",
    )
    # What the intake looks for in a reported undertaking to propose this category
    # (``services/intake/clauses.py``); editors tune it as they see what it misses.
    keywords = models.TextField(
        blank=True,
        help_text=(
            "Words and phrases that mark a clause of this category, one a line. Each is matched "
            "at the start of a word, in any case: “terror” matches terrorism and terrorists, "
            "“joint patrol” matches joint patrols."
        ),
    )

    history = HistoricalRecords(bases=[HistoryInterface], excluded_fields=["version"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "clause categories"
        constraints = [
            version_positive("clause_category", "A category"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | ~models.Q(parent=models.F("pk")),
                name="clause_category_not_own_parent",
                violation_error_message="A category cannot be its own parent.",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="clause_category_name_required",
                violation_error_message="A category needs a name.",
            ),
            # SlugField's validator as a constraint: slugs are URL segments of the API.
            models.CheckConstraint(
                condition=models.Q(slug__regex=r"^[-a-zA-Z0-9_]+$"),
                name="clause_category_slug_format",
                violation_error_message=(
                    "A slug is lower-case letters, digits and hyphens, e.g. border-security."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "A category cannot be its own parent."})
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": f"“{self.parent}” is itself a subcategory; choose a top-level category."}
            )
        if self.pk and self.children.exists():
            raise ValidationError(
                {"parent": "This category has subcategories, so it must stay at the top level."}
            )

    def delete(self, *args, **kwargs):
        # Clauses hold categories through a many-to-many table, which Django would empty
        # silently; a category that classifies anything is protected like a foreign key.
        clauses = list(self.clauses.select_related("agreement")[:20])
        if clauses:
            raise models.ProtectedError(
                f"Cannot delete “{self}”: {self.clauses.count()} clauses still have this category.",
                set(clauses),
            )
        return super().delete(*args, **kwargs)

    @property
    def root(self) -> "ClauseCategory":
        return self.parent or self
