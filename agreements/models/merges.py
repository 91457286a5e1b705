"""Records merged into others: where an old id now points."""

from django.db import models


class MergedRecord(models.Model):
    """``old_id`` of ``kind`` (a person or a body) was merged into ``into_id``; the old id is gone.

    The API answers the old id with a pointer to the one kept, so links and clients that held
    it are not left with a bare 404.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "person"
        BODY = "body", "body"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    old_id = models.BigIntegerField()
    into_id = models.BigIntegerField()
    name = models.CharField(max_length=200, help_text="The merged record's name, as it was.")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "old_id"],
                name="merged_record_once",
                violation_error_message="This record was already merged into another.",
            ),
            models.CheckConstraint(
                condition=~models.Q(old_id=models.F("into_id")),
                name="merged_record_not_itself",
                violation_error_message="A record cannot be merged into itself.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["person", "body"]),
                name="merged_record_kind_valid",
                violation_error_message="Only people and bodies are merged.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.old_id} → {self.into_id}"
