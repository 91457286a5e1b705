"""POST /api/intake/: a pasted news report in, the proposed agreement out; nothing is saved.

The same engine as the admin's "Add from a news report" (``services.intake.propose``). The
request body has the report's ``text`` and what the Source model records of it (``url``,
``publisher``, ``published_on``, ``language``, ``licence``); the answer is every proposed value
with the words of the report it came from (``evidence``: the text and its character offsets).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..choices import AgreementKind, ParticipantRole
from ..dates import DatePrecision
from ..services.intake import INTAKE_STATUSES, ReportIn, propose
from .permissions import CanAddAgreements
from .strict import StrictSerializer
from .values import CalendarDateField, ChoiceField

# About 7,500 words: agency reports are a tenth of that; longer is not a report.
LONGEST_REPORT = 50_000
REQUEST_FIELDS = ("text", "url", "publisher", "published_on", "language", "licence")


class IntakeSerializer(StrictSerializer):
    text = serializers.CharField(
        max_length=LONGEST_REPORT, help_text="The report as pasted (plain text, at most 50,000 characters)."
    )
    url = serializers.URLField(
        max_length=1000, required=False, allow_blank=True, help_text="The report's URL."
    )
    publisher = serializers.CharField(max_length=200, required=False, allow_blank=True)
    published_on = CalendarDateField(
        required=False,
        allow_null=True,
        help_text="When it was published: relative dates (“on Sunday”, “last week”) count from it.",
    )
    language = serializers.CharField(
        max_length=16, required=False, allow_blank=True, help_text="BCP 47, e.g. en."
    )
    licence = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="e.g. CC BY 4.0; read from the text if left out.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = (
            sorted(set(self.initial_data) - set(REQUEST_FIELDS))
            if isinstance(self.initial_data, dict)
            else []
        )
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return attrs

    def to_report(self) -> ReportIn:
        values = self.validated_data
        return ReportIn(
            text=values["text"],
            url=values.get("url", ""),
            publisher=values.get("publisher", ""),
            published_on=values.get("published_on"),
            language=values.get("language", ""),
            licence=values.get("licence", ""),
        )


# --- The proposal -------------------------------------------------------------------------------------


class EvidenceSerializer(StrictSerializer):
    text = serializers.CharField(help_text="The words of the report, as written.")
    start = serializers.IntegerField(help_text="Offset of the first character in `text` of the request.")
    end = serializers.IntegerField(help_text="Offset just after the last character.")


class ProposedTextSerializer(StrictSerializer):
    value = serializers.CharField(allow_blank=True)
    evidence = EvidenceSerializer(many=True)
    note = serializers.CharField(allow_blank=True, help_text="How it was derived, when the words do not say.")


class ProposedKindSerializer(ProposedTextSerializer):
    value = ChoiceField(choices=AgreementKind.choices)


class ProposedStatusSerializer(ProposedTextSerializer):
    value = ChoiceField(
        choices=[(status, status) for status in INTAKE_STATUSES],
        help_text="signed or initialled only when the report says so; planned (“will sign”); negotiating.",
    )


class PartyProposalSerializer(StrictSerializer):
    code = serializers.CharField(help_text="Country code.")
    name = serializers.CharField()
    evidence = EvidenceSerializer(many=True)
    why = serializers.CharField()


class DateProposalSerializer(StrictSerializer):
    date = CalendarDateField(allow_null=True, help_text="First day of the period; null when not given.")
    precision = ChoiceField(choices=DatePrecision.choices)
    note = serializers.CharField(allow_blank=True, help_text="How the date was derived from the words.")
    evidence = EvidenceSerializer(many=True)


class CandidateSerializer(StrictSerializer):
    id = serializers.IntegerField(help_text="Person id.")
    name = serializers.CharField()
    matched_name = serializers.CharField(help_text="The name of theirs that matched.")
    score = serializers.FloatField(help_text="0–100; 100 is another spelling of the same name.")
    why = serializers.CharField()


class ParticipantProposalSerializer(StrictSerializer):
    name = serializers.CharField(
        allow_blank=True, help_text="As the report first writes it; empty if unnamed."
    )
    person_id = serializers.IntegerField(allow_null=True, help_text="The known person matched, if any.")
    person_name = serializers.CharField(
        allow_blank=True, help_text="The known person's name, or the new one's."
    )
    match = serializers.CharField(allow_blank=True, help_text="Why the known person was matched.")
    candidates = CandidateSerializer(many=True, help_text="Known people the name may be, best first.")
    other_names = serializers.ListField(
        child=serializers.CharField(), help_text="Spellings of the report to record as other names."
    )
    description = serializers.CharField(
        allow_blank=True, help_text="For a participant the report does not name."
    )
    party = serializers.CharField(allow_null=True, help_text="Country code.")
    role = ChoiceField(choices=ParticipantRole.choices)
    office = serializers.CharField(allow_blank=True)
    rank = serializers.CharField(allow_blank=True)
    body_id = serializers.IntegerField(allow_null=True, help_text="The known body acted for, if any.")
    body_name = serializers.CharField(allow_blank=True)
    evidence = serializers.DictField(
        child=EvidenceSerializer(many=True),
        help_text="The words each value came from, by field (name, party, office, rank, role …).",
    )


class SideProposalSerializer(StrictSerializer):
    party = serializers.CharField()
    body_id = serializers.IntegerField()
    body_name = serializers.CharField()
    evidence = EvidenceSerializer(many=True)


class CategoryProposalSerializer(StrictSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    keyword = serializers.CharField(help_text="The category's keyword that the clause contains.")


class ClauseProposalSerializer(StrictSerializer):
    position = serializers.IntegerField()
    text = serializers.CharField()
    categories = CategoryProposalSerializer(many=True)
    evidence = EvidenceSerializer(many=True)


class SourceProposalSerializer(StrictSerializer):
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    publisher = serializers.CharField(allow_blank=True)
    published_on = CalendarDateField(allow_null=True)
    language = serializers.CharField(allow_blank=True)
    licence = serializers.CharField(allow_blank=True)
    excerpt = serializers.CharField(allow_blank=True, help_text="The sentences the proposal cites.")
    existing_id = serializers.IntegerField(
        allow_null=True, help_text="A source already recorded with this URL, to cite instead of adding one."
    )
    licence_evidence = EvidenceSerializer(many=True)


class ProposalSerializer(StrictSerializer):
    parties = PartyProposalSerializer(many=True, help_text="Up to two, in the order the report names them.")
    kind = ProposedKindSerializer()
    title = ProposedTextSerializer()
    summary = ProposedTextSerializer()
    status = ProposedStatusSerializer()
    place = ProposedTextSerializer(help_text="Place of signature.")
    date = DateProposalSerializer(help_text="Date of signature (or initialling).")
    participants = ParticipantProposalSerializer(many=True)
    sides = SideProposalSerializer(many=True, help_text="The body that committed for each party, when known.")
    clauses = ClauseProposalSerializer(many=True)
    source = SourceProposalSerializer()


class IntakeView(APIView):
    """Read a news report into a proposed agreement, for an editor to check; nothing is saved."""

    permission_classes = [CanAddAgreements]

    @extend_schema(
        summary="Propose an agreement from a news report",
        description=(
            "Reads the pasted report and proposes the parties, kind and title, status, date and place of "
            "signature, participants (known people matched by any spelling), clauses with categories and the "
            "source, each value with the words it came from. Nothing is saved: create the agreement with "
            "`POST /api/agreements/` once checked. Needs the permission to add agreements (editors)."
        ),
        request=IntakeSerializer,
        responses={200: ProposalSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = IntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = propose(serializer.to_report())
        return Response(ProposalSerializer(proposal).data)
