from django.db import models
from django.db.models import Case, Q, Value, When

from .country_names import SEPARATOR, fold


class CountryQuerySet(models.QuerySet):
    def lookup(self, code: str) -> "Country":
        """The country with this ISO code: alpha-2, alpha-3 or (former states) alpha-4, any case."""
        code = code.strip().upper()
        if len(code) == 3:
            return self.get(alpha_3=code, is_former=False)
        return self.get(code=code)

    def matching(self, term: str) -> "CountryQuerySet":
        """Countries that ``term`` names, best first: the one search of the admin and the API.

        A country matches when ``term`` is one of its codes (alpha-2, alpha-3 or, for a
        former state, alpha-4, any case) or when every word of it appears in one of its
        names (``search_names``: ISO's, CLDR's and the everyday ones, without accents or
        case). The order: an exact code first (so "IR" lists Iran first), then a name
        that is exactly ``term`` (so "UK" lists the United Kingdom before Ukraine), then
        a name that starts with it, then the rest; within each, current states before
        former ones ("East Timor" is Timor-Leste before the ISO 3166-3 entry), then by name.

        One query; the ``LIKE``s scan the table, which at under 300 rows costs less than
        an index lookup would.
        """
        phrase = fold(term)
        if not phrase:
            return self.order_by("name", "code")
        code = phrase.upper()  # folded too, so that nothing PostgreSQL refuses reaches it
        by_code = Q(code=code) | Q(alpha_2=code) | Q(alpha_3=code)
        by_words = Q(*(Q(search_names__contains=word) for word in phrase.split()))
        rank = Case(
            When(by_code, then=Value(0)),
            When(search_names__contains=f"{SEPARATOR}{phrase}{SEPARATOR}", then=Value(1)),
            When(search_names__contains=f"{SEPARATOR}{phrase}", then=Value(2)),
            default=Value(3),
        )
        return (
            self.filter(by_code | by_words)
            .annotate(search_rank=rank)
            .order_by("search_rank", "is_former", "name", "code")
        )


class Country(models.Model):
    """A state, current (ISO 3166-1) or former (ISO 3166-3), loaded from pycountry by migration,
    and the few states ISO does not list (Kosovo, XK), added by migration too.

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

    also_known_as = models.TextField(
        blank=True,
        help_text="Its other names (ISO's, CLDR's and everyday ones such as Turkey or UK), one a line.",
    )
    search_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Every name folded for searching (models/country_names.py); filled by migration.",
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.UniqueConstraint(
                fields=["alpha_3"],
                condition=models.Q(is_former=False),
                name="country_current_alpha_3_unique",
                violation_error_message="Another current country has this three-letter code.",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2}([A-Z]{2})?$"),
                name="country_code_format",
                violation_error_message="A country code is two capital letters, or four for a former state.",
            ),
            models.CheckConstraint(
                condition=models.Q(alpha_2__regex=r"^[A-Z]{2}$"),
                name="country_alpha_2_format",
                violation_error_message="An alpha-2 code is two capital letters.",
            ),
            models.CheckConstraint(
                condition=models.Q(alpha_3__regex=r"^[A-Z]{3}$"),
                name="country_alpha_3_format",
                violation_error_message="An alpha-3 code is three capital letters.",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="country_name_required",
                violation_error_message="A country needs a name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def name_matching(self, term: str) -> str:
        """The name, with the other name ``term`` was found by when the name does not show it.

        "Turkey" finds "Türkiye (also Turkey)" in the admin's autocomplete, so the editor
        sees why. An exact name is preferred, then one starting with ``term``, then the
        shortest.
        """
        phrase = fold(term)
        words = phrase.split()
        if not words or phrase.upper() in {self.code, self.alpha_2, self.alpha_3}:
            return self.name
        if all(word in fold(self.name) for word in words):
            return self.name
        found = [
            other for other in self.also_known_as.splitlines() if all(word in fold(other) for word in words)
        ]
        if not found:
            return self.name
        best = min(
            found, key=lambda other: (fold(other) != phrase, not fold(other).startswith(phrase), len(other))
        )
        return f"{self.name} (also {best})"
