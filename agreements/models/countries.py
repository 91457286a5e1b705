from django.db import models


class CountryQuerySet(models.QuerySet):
    def lookup(self, code: str) -> "Country":
        """The country with this ISO code: alpha-2, alpha-3 or (former states) alpha-4, any case."""
        code = code.strip().upper()
        if len(code) == 3:
            return self.get(alpha_3=code, is_former=False)
        return self.get(code=code)


class Country(models.Model):
    """A state, current (ISO 3166-1) or former (ISO 3166-3), loaded from pycountry by migration.

    ``code`` is the alpha-2 code of a current state and the four-letter ISO 3166-3 code
    of a former one: former states reuse alpha-2 codes (CS was Czechoslovakia and later
    Serbia and Montenegro; GE was the Gilbert and Ellice Islands before Georgia).
    """

    code = models.CharField(primary_key=True, max_length=4)
    alpha_2 = models.CharField(max_length=2)
    alpha_3 = models.CharField(max_length=3)
    numeric = models.CharField(max_length=3, blank=True)
    name = models.CharField(max_length=100)
    official_name = models.CharField(max_length=200, blank=True)
    is_former = models.BooleanField(default=False, help_text="A state in ISO 3166-3 (no longer exists).")
    withdrawn = models.CharField(
        max_length=10,
        blank=True,
        help_text="When the code left ISO 3166-1, as ISO gives it (a year or a date).",
    )
    cow_code = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name="COW code", help_text="Correlates of War state number."
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.UniqueConstraint(
                fields=["alpha_3"], condition=models.Q(is_former=False), name="country_current_alpha_3_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2}([A-Z]{2})?$"), name="country_code_format"
            ),
            models.CheckConstraint(
                condition=models.Q(alpha_2__regex=r"^[A-Z]{2}$"), name="country_alpha_2_format"
            ),
            models.CheckConstraint(
                condition=models.Q(alpha_3__regex=r"^[A-Z]{3}$"), name="country_alpha_3_format"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="country_name_required"),
        ]

    def __str__(self) -> str:
        return self.name
