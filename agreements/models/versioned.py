"""A version number on a record that clients change whole (people, bodies, sources, categories,
relations): what the API's ETag names, so that two clients cannot overwrite each other.

Every save of an existing row moves the version on; ``services.base.lock`` is where a write
compares it with the version its client read. A change of a person's or a body's other
names saves the person or the body too, so the names are under the same version.
"""

from __future__ import annotations

from django.db import models


class Versioned(models.Model):
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Increases with every change; see ETag."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # The row was read under ``services.base.lock`` by every write that may race, so
        # its version is the stored one and one more is the next.
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"} & {
                    field.name for field in self._meta.concrete_fields
                }
        super().save(*args, **kwargs)


def version_positive(prefix: str, what: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(version__gte=1),
        name=f"{prefix}_version_positive",
        violation_error_message=f"{what}'s version starts at 1.",
    )
