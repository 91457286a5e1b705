from django.db import models
from simple_history.models import HistoricalRecords

from ..dates import DatePrecision, precision_check
from ..history import HistoryInterface
from .versioned import Versioned, version_positive


class Source(Versioned):
    """Where a fact came from: a news report, an official text, a statement."""

    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True, verbose_name="URL")
    published_on = models.DateField(null=True, blank=True)
    published_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    accessed_on = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True, help_text="BCP 47 tag, e.g. en, fa, ar.")
    licence = models.CharField(max_length=100, blank=True, help_text="e.g. CC BY 4.0; blank when unknown.")
    excerpt = models.TextField(blank=True, help_text="The passage that supports the facts cited.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(bases=[HistoryInterface], excluded_fields=["version"])

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            version_positive("source", "A source"),
            models.UniqueConstraint(
                fields=["url"],
                condition=~models.Q(url=""),
                name="source_url_unique",
                violation_error_message="A source with this URL is already recorded.",
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="source_title_required",
                violation_error_message="A source needs a title.",
            ),
            models.CheckConstraint(
                condition=precision_check("published_on", "published_on_precision"),
                name="source_published_on_precision",
                violation_error_message=(
                    "The publication date and its precision go together: a month or a year is stored as its "
                    "first day."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(published_on_precision__in=DatePrecision.values),
                name="source_published_on_precision_valid",
                violation_error_message="Choose the precision of the publication date: day, month or year.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}" if self.publisher else self.title
