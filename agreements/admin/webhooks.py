"""Webhooks in the admin: an editor's subscriptions, why a failing one stopped, and the
delivery log.

Editors (and above) manage their own subscriptions here as through ``/api/webhooks/``; the
write goes through ``services.webhooks``. Administrators see everyone's, to help; the
secret is never shown back (a new one is shown once, in the message after saving).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from ..models import WebhookAttempt, WebhookSubscription
from ..models.changes import ChangeKind
from ..models.webhooks import SubscriptionState
from ..services import webhooks as service

LOG_SHOWN = 20
LIST_FIELDS = ("pairs", "countries", "categories", "kinds")


def _words(value: str) -> list[str]:
    return [word for word in value.replace(",", " ").split() if word]


class WebhookForm(forms.ModelForm):
    """Reads the fields; ``services.webhooks`` decides and writes."""

    target_url = forms.CharField(
        max_length=2000, label="Target URL", help_text="https (http only to a loopback address)."
    )
    pairs = forms.CharField(required=False, help_text='Pairs as "IQ-IR", separated by spaces or commas.')
    countries = forms.CharField(required=False, help_text="Country codes, e.g. IQ TR.")
    categories = forms.CharField(required=False, help_text="Category slugs.")
    kinds = forms.MultipleChoiceField(
        required=False,
        choices=ChangeKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every kind.",
    )
    state = forms.ChoiceField(
        choices=[(SubscriptionState.ACTIVE, "Active"), (SubscriptionState.PAUSED, "Paused")],
        help_text="Setting a failing webhook active again resumes it with the event that failed.",
    )
    new_secret = forms.CharField(
        required=False,
        strip=False,
        label="New secret",
        widget=forms.PasswordInput,
        help_text="Leave empty to keep the secret (a new webhook gets one made, shown once).",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["target_url", "description"]

    user = None  # set by the ModelAdmin: whose webhook this is
    saved: WebhookSubscription | None = None
    shown_secret = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("pairs", "countries", "categories"):
                self.initial[name] = " ".join(getattr(self.instance, name))
            self.initial["kinds"] = self.instance.kinds
            if self.instance.state != SubscriptionState.FAILING:
                self.initial["state"] = self.instance.state

    def _post_clean(self) -> None:
        if self.errors:
            return
        data = self.cleaned_data
        given = data.get("new_secret") or None
        values = service.WebhookIn(
            target_url=data["target_url"],
            description=data.get("description", ""),
            pairs=_words(data.get("pairs", "")),
            countries=_words(data.get("countries", "")),
            categories=_words(data.get("categories", "")),
            kinds=list(data.get("kinds") or ()),
            state=data["state"],
            secret=given,
        )
        try:
            with transaction.atomic():
                if self.instance.pk:
                    self.saved = service.webhook_update(subscription=self.instance, data=values)
                else:
                    self.saved = service.webhook_create(owner=self.user, data=values)
        except ValidationError as error:
            for path, problems in error.message_dict.items():
                name = path.split("[")[0]
                name = "new_secret" if name == "secret" else name
                for message in problems:
                    self.add_error(name if name in self.fields else None, message)
            return
        if given is not None or not self.instance.pk:
            self.shown_secret = self.saved.secret


def _may_subscribe(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("agreements.add_agreement")


def _own(request: HttpRequest, obj) -> bool:
    owner = getattr(obj, "owner_id", None) or getattr(getattr(obj, "subscription", None), "owner_id", None)
    return obj is None or request.user.is_superuser or owner == request.user.pk


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["__str__", "owner", "target_url", "state", "failing_reason", "created_at"]
    list_filter = ["state"]
    readonly_fields = ["state_now", "failing_reason", "failing_since", "cursor", "recent_deliveries"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rows = super().get_queryset(request).select_related("owner")
        return rows if request.user.is_superuser else rows.filter(owner=request.user)

    def get_fieldsets(self, request, obj=None):
        editable = [
            "target_url",
            "description",
            "pairs",
            "countries",
            "categories",
            "kinds",
            "state",
            "new_secret",
        ]
        if obj is None:
            return [(None, {"fields": editable})]
        return [
            ("Why deliveries stopped", {"fields": ["state_now", "failing_reason", "failing_since"]}),
            (None, {"fields": editable}),
            ("Delivery log", {"fields": ["cursor", "recent_deliveries"]}),
        ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_subscribe(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _may_subscribe(request) and _own(request, obj)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_subscribe(request)

    @admin.display(description="state")
    def state_now(self, subscription: WebhookSubscription) -> str:
        return subscription.get_state_display()

    @admin.display(description=f"latest {LOG_SHOWN} tries")
    def recent_deliveries(self, subscription: WebhookSubscription) -> str:
        tries = subscription.log.select_related("delivery").order_by("-id")[:LOG_SHOWN]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td><td>{}</td></tr>",
            (
                (
                    t.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                    t.delivery.event_id,
                    t.number,
                    t.get_outcome_display(),
                    t.response_code or "—",
                    t.duration_ms,
                    t.error[:200],
                )
                for t in tries
            ),
        )
        if not rows:
            return "Nothing sent yet."
        names = ("time", "event", "try", "outcome", "code", "took", "error")
        head = format_html_join("", "<th>{}</th>", ((name,) for name in names))
        return format_html("<table><tr>{}</tr>{}</table>", head, rows)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = form.saved.pk  # written by the form's call to the service
        obj._state.adding = False
        obj.refresh_from_db()
        if form.shown_secret:
            messages.warning(
                request,
                f"The webhook's secret, shown this once — keep it with the receiver: {form.shown_secret}",
            )

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing related is edited here."""

    def delete_model(self, request, obj) -> None:
        service.webhook_delete(subscription=obj)

    def delete_queryset(self, request, queryset) -> None:
        for subscription in queryset:
            service.webhook_delete(subscription=subscription)


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    """The delivery log: every try, read-only."""

    list_display = [
        "started_at",
        "subscription",
        "event",
        "number",
        "outcome",
        "response_code",
        "duration_ms",
        "error",
    ]
    list_filter = ["outcome"]
    list_select_related = ["subscription", "delivery"]
    readonly_fields = [field.name for field in WebhookAttempt._meta.fields]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rows = super().get_queryset(request)
        return rows if request.user.is_superuser else rows.filter(subscription__owner=request.user)

    @admin.display(description="event")
    def event(self, attempt: WebhookAttempt) -> int:
        return attempt.delivery.event_id

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_subscribe(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _may_subscribe(request) and _own(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
