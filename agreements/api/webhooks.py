"""/api/webhooks/: an editor's webhook subscriptions, and each one's delivery log.

Only editors and above may subscribe, and each sees only their own (an administrator too:
a webhook carries its owner's secret). The secret is shown once, in the answer to the
create (or to an update that sets a new one), and never read back. Rules are the
service's (``services.webhooks``); this module reads the JSON and answers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import WebhookAttempt, WebhookSubscription
from ..models.changes import ChangeKind
from ..models.webhooks import SubscriptionState
from ..services.webhooks import (
    FILTER_MAX_VALUES,
    SECRET_MAX_LENGTH,
    WebhookIn,
    webhook_create,
    webhook_delete,
    webhook_update,
)
from .base import ModelViewSet, json_object
from .permissions import CanAddAgreements

LOG_ENTRIES = 50
FILTER_AND_TARGET = ("target_url", "description", "pairs", "countries", "categories", "kinds")


def _list(child: serializers.Field, help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=child, required=False, max_length=FILTER_MAX_VALUES, help_text=help_text
    )


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    target_url = serializers.CharField(
        max_length=2000, help_text="Where events are POSTed: https (http only to a loopback address)."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    pairs = _list(serializers.CharField(max_length=20), 'Pairs as two country codes, e.g. "IQ-IR".')
    countries = _list(serializers.CharField(max_length=4), "Country codes: every pair one of them is in.")
    categories = _list(serializers.CharField(max_length=100), "Category slugs (subcategories included).")
    kinds = _list(
        serializers.ChoiceField(choices=ChangeKind.choices),
        "Kinds of change; empty: every kind. Pairs, countries and categories add up (an event "
        "about any of them is sent); kinds narrow what they let through; all empty: every change.",
    )
    state = serializers.ChoiceField(
        choices=SubscriptionState.choices,
        required=False,
        help_text="Set active or paused. The worker sets failing when a receiver did not acknowledge "
        "an event for a day; setting active again resumes with that event.",
    )
    failing_reason = serializers.CharField(read_only=True)
    failing_since = serializers.DateTimeField(read_only=True, allow_null=True)
    secret = serializers.CharField(
        write_only=True,
        required=False,
        max_length=SECRET_MAX_LENGTH,
        trim_whitespace=False,
        help_text="Signs each body (X-Signature-256). Leave it out to have one made; it is shown "
        "once, in the answer, and never read back.",
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # Strict: a misspelt field is a 400, not silently ignored.
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="The secret, shown this once.")


class WebhookAttemptSerializer(serializers.ModelSerializer):
    event = serializers.IntegerField(source="delivery.event_id")
    delivery = serializers.UUIDField(source="delivery.delivery_id")

    class Meta:
        model = WebhookAttempt
        fields = [
            "id",
            "event",
            "delivery",
            "number",
            "outcome",
            "response_code",
            "error",
            "started_at",
            "duration_ms",
        ]


def _input(values: dict[str, Any]) -> WebhookIn:
    names = ("target_url", "description", "pairs", "countries", "categories", "kinds", "state", "secret")
    return WebhookIn(**{name: values[name] for name in names if name in values})


@extend_schema_view(
    create=extend_schema(responses={201: WebhookCreatedSerializer}),
    update=extend_schema(responses={200: WebhookCreatedSerializer}),
    partial_update=extend_schema(responses={200: WebhookCreatedSerializer}),
)
class WebhookViewSet(ModelViewSet):
    """Your webhook subscriptions: where the changes you filter for are POSTed, signed."""

    serializer_class = WebhookSerializer
    permission_classes = [CanAddAgreements]
    filter_backends: list = []
    queryset = WebhookSubscription.objects.none()  # for the schema; each user gets their own

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.filter(owner=self.request.user).order_by("id")

    def _answer(self, subscription: WebhookSubscription, shown_secret: bool, code: int) -> Response:
        data = dict(WebhookSerializer(subscription).data)
        if shown_secret:
            data["secret"] = subscription.secret
        return Response(data, status=code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=json_object(request))
        serializer.is_valid(raise_exception=True)
        subscription = webhook_create(owner=request.user, data=_input(serializer.validated_data))
        return self._answer(subscription, True, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        subscription = self.get_object()
        serializer = self.get_serializer(
            subscription, data=json_object(request), partial=kwargs.get("partial")
        )
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data
        # A PATCH changes what it names; a PUT says everything but the secret and the state,
        # which stay as they are unless given.
        current = {name: getattr(subscription, name) for name in FILTER_AND_TARGET}
        values = {**current, **given} if kwargs.get("partial") else given
        subscription = webhook_update(subscription=subscription, data=_input(values))
        return self._answer(subscription, "secret" in given, status.HTTP_200_OK)

    def perform_destroy(self, instance: WebhookSubscription) -> None:
        webhook_delete(subscription=instance)

    @extend_schema(
        summary="A webhook's delivery log",
        description=f"Its latest {LOG_ENTRIES} tries, newest first: the outcome, the receiver's "
        "status code, the error, when and how long.",
        responses={200: WebhookAttemptSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        self.check_parameters(request, others={"format"})
        tries = subscription.log.select_related("delivery").order_by("-id")[:LOG_ENTRIES]
        return Response(WebhookAttemptSerializer(tries, many=True).data)
