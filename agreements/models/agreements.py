from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import AgreementKind, Disclosure, Evidence, Level, RelationKind, Status
from ..dates import DatePrecision, format_partial_date, optional_precision_check
from ..history import HistoryInterface
from ..pairs import SAME_PARTIES
from ..querysets import AgreementQuerySet
from .people import wikidata_qid_check, wikidata_qid_validator
from .versioned import Versioned, version_positive


class Agreement(models.Model):
    """An agreement between exactly two states.

    The parties are stored in canonical order (``party_a`` has the smaller country code)
    so that one index answers every country-pair question; the services and the admin
    put them in that order for the user. ``status`` and the cached dates are derived
    from the status events by ``lifecycle.derive_lifecycle`` and never edited directly.
    """

    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=AgreementKind.choices, default=AgreementKind.AGREEMENT)
    party_a = models.ForeignKey(
        "Country", on_delete=models.PROTECT, related_name="agreements_as_party_a", verbose_name="party A"
    )
    party_b = models.ForeignKey(
        "Country", on_delete=models.PROTECT, related_name="agreements_as_party_b", verbose_name="party B"
    )
    body_a = models.ForeignKey(
        "Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="body of party A",
        help_text="The ministry, force or agency that committed for party A, if not the state as a whole.",
    )
    body_b = models.ForeignKey(
        "Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="body of party B",
        help_text="The ministry, force or agency that committed for party B, if not the state as a whole.",
    )
    level = models.CharField(
        max_length=12,
        choices=Level.choices,
        default=Level.STATE,
        help_text="Derived from the sides' bodies where they say; stated otherwise.",
    )
    summary = models.TextField(blank=True)
    full_text = models.TextField(blank=True)
    disclosure = models.CharField(
        max_length=10,
        choices=Disclosure.choices,
        default=Disclosure.UNKNOWN,
        verbose_name="text disclosure",
        help_text="Published; withheld (officially not disclosed); "
        "or unknown (not found, or not looked for).",
    )
    place_of_signature = models.CharField(max_length=200, blank=True)
    evidence = models.CharField(
        max_length=20,
        choices=Evidence.choices,
        default=Evidence.NEWS_REPORTS,
        help_text="The strongest kind of source for the agreement's content.",
    )

    # Cross-walk identifiers to the registries and datasets researchers use.
    unts_registration = models.CharField(max_length=32, blank=True, verbose_name="UNTS registration number")
    wikidata_qid = models.CharField(
        max_length=16, blank=True, validators=[wikidata_qid_validator], verbose_name="Wikidata id"
    )
    atop_id = models.CharField(max_length=32, blank=True, verbose_name="ATOP id")
    dcad_id = models.CharField(max_length=32, blank=True, verbose_name="DCAD id")

    # Derived from the status events; see lifecycle.derive_lifecycle.
    status = models.CharField(max_length=24, choices=Status.choices, blank=True, editable=False)
    signed_on = models.DateField(null=True, blank=True, editable=False)
    signed_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, editable=False
    )
    in_force_from = models.DateField(null=True, blank=True, editable=False)
    in_force_from_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, editable=False
    )
    ended_on = models.DateField(null=True, blank=True, editable=False)
    ended_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, editable=False
    )

    sources = models.ManyToManyField(
        "Source", through="AgreementSource", related_name="agreements", blank=True
    )
    # Title, summary, clause text and every name of every signatory, kept by
    # services.agreement_sync so that search needs no joins (full-text indexed on PostgreSQL).
    search_document = models.TextField(blank=True, editable=False)
    is_synthetic = models.BooleanField(
        default=False,
        db_index=True,
        help_text="Generated for load tests by generate_synthetic_data; never real data.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = AgreementQuerySet.as_manager()

    history = HistoricalRecords(bases=[HistoryInterface], excluded_fields=["search_document"])

    class Meta:
        ordering = ["-signed_on", "title"]
        indexes = [
            models.Index(fields=["party_a", "party_b", "signed_on"], name="agreement_pair_signed"),
            models.Index(fields=["party_b", "signed_on"], name="agreement_party_b_signed"),
            models.Index(fields=["signed_on"], name="agreement_signed_on"),
            models.Index(fields=["level", "party_a", "party_b"], name="agreement_level_pair"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party_a__lt=models.F("party_b")),
                name="agreement_parties_distinct_and_ordered",
                violation_error_message=SAME_PARTIES,
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="agreement_title_required",
                violation_error_message="An agreement needs a title.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=AgreementKind.values),
                name="agreement_kind_valid",
                violation_error_message="Choose a kind of agreement from the list.",
            ),
            models.CheckConstraint(
                condition=models.Q(evidence__in=Evidence.values),
                name="agreement_evidence_valid",
                violation_error_message="Choose the kind of evidence from the list.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[*Status.values, ""]),
                name="agreement_status_valid",
                violation_error_message=(
                    "The status is derived from the status events; it cannot be set to this."
                ),
            ),
            models.CheckConstraint(
                condition=optional_precision_check("signed_on"),
                name="agreement_signed_on_precision",
                violation_error_message=(
                    "A signature date and its precision go together: "
                    "a month or a year is stored as its first day."
                ),
            ),
            models.CheckConstraint(
                condition=optional_precision_check("in_force_from"),
                name="agreement_in_force_from_precision",
                violation_error_message=(
                    "The date of entry into force and its precision go together: a month or a year is stored "
                    "as its first day."
                ),
            ),
            models.CheckConstraint(
                condition=optional_precision_check("ended_on"),
                name="agreement_ended_on_precision",
                violation_error_message=(
                    "The end date and its precision go together: a month or a year is stored as its first "
                    "day."
                ),
            ),
            models.UniqueConstraint(
                fields=["unts_registration"],
                condition=~models.Q(unts_registration=""),
                name="agreement_unts_registration_unique",
                violation_error_message="Another agreement already has this UNTS registration number.",
            ),
            models.UniqueConstraint(
                fields=["wikidata_qid"],
                condition=~models.Q(wikidata_qid=""),
                name="agreement_wikidata_unique",
                violation_error_message="Another agreement already has this Wikidata id.",
            ),
            models.CheckConstraint(
                condition=wikidata_qid_check(),
                name="agreement_wikidata_format",
                violation_error_message="A Wikidata id looks like Q42.",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1),
                name="agreement_version_positive",
                violation_error_message="An agreement's version starts at 1.",
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values),
                name="agreement_level_valid",
                violation_error_message=(
                    "Choose a level from the list: between states, between governments, or sub-national."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(disclosure__in=Disclosure.values),
                name="agreement_disclosure_valid",
                violation_error_message="Choose whether the text is published, withheld or unknown.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def parties(self) -> tuple[str, str]:
        return (self.party_a_id, self.party_b_id)

    @property
    def signed_on_display(self) -> str:
        return format_partial_date(self.signed_on, self.signed_on_precision)

    @property
    def in_force_from_display(self) -> str:
        return format_partial_date(self.in_force_from, self.in_force_from_precision)

    @property
    def ended_on_display(self) -> str:
        return format_partial_date(self.ended_on, self.ended_on_precision)


class AgreementSource(models.Model):
    """A source cited for an agreement, with what it supports."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey("Source", on_delete=models.PROTECT, related_name="citations")
    supports = models.CharField(
        max_length=300, blank=True, help_text="What this source establishes, e.g. “date and signatories”."
    )

    history = HistoricalRecords(bases=[HistoryInterface])

    class Meta:
        ordering = ["id"]
        verbose_name = "source cited"
        verbose_name_plural = "sources cited"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "source"],
                name="agreement_source_unique",
                violation_error_message="This source is already cited for this agreement.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.source)


class AgreementRelation(Versioned):
    """``from_agreement`` amends / supersedes / implements / extends / renews ``to_agreement``."""

    from_agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="relations_from")
    to_agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="relations_to")
    kind = models.CharField(max_length=16, choices=RelationKind.choices)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords(bases=[HistoryInterface], excluded_fields=["version"])

    class Meta:
        ordering = ["id"]
        constraints = [
            version_positive("agreement_relation", "A relation"),
            models.CheckConstraint(
                condition=~models.Q(from_agreement=models.F("to_agreement")),
                name="agreement_relation_not_to_itself",
                violation_error_message="An agreement cannot relate to itself.",
            ),
            models.UniqueConstraint(
                fields=["from_agreement", "to_agreement", "kind"],
                name="agreement_relation_unique",
                violation_error_message="This relation between the two agreements is already recorded.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=RelationKind.values),
                name="agreement_relation_kind_valid",
                violation_error_message="Choose how the agreements relate from the list.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_agreement_id} {self.get_kind_display().lower()} {self.to_agreement_id}"
