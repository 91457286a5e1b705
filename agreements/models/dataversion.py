"""The data version: one row whose number every committed write transaction moves on.

Written only by ``agreements.dataversion`` (just before each commit that changed data);
read by the HTTP caching of lists, reports and pages.
"""

from django.db import models


class DataVersion(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"data version {self.value}"
