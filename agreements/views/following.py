"""Following pairs, countries and categories: the watch buttons, "My watches", unsubscribing.

``following`` (a context processor) says what the page being drawn can be followed by —
its Atom feeds and, for a pair or a country, a watch — from the page's URL, so each report
page gets its ``<link rel="alternate">`` and its button without its view knowing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..models import ClauseCategory, Country, Watch
from ..models.watches import DigestPeriod
from ..notify import links
from ..pairs import canonical_pair
from ..services import watches as service


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str


@dataclass
class Following:
    feeds: list[FeedLink] = field(default_factory=list)
    watch: dict[str, str] | None = None  # the fields of the watch form for this page
    watch_label: str = ""
    watching: Watch | None = None


def following(request: HttpRequest) -> dict[str, Following]:
    """Context processor: the feeds and the watch of the report page being drawn."""
    match = getattr(request, "resolver_match", None)
    name, kwargs = (match.url_name, match.kwargs) if match else (None, {})
    found = Following()
    if name == "reports":
        found.feeds = [FeedLink("Every change", reverse("feed-all"))]
    elif name in ("reports-pair", "reports-pair-changes"):
        # The feed in the page's own order: a pair page is only drawn under its one URL (names
        # in alphabetical order, ``pairs.named_pair``), and its feed reads the same (IR-IQ).
        feed = reverse("feed-pair", kwargs={"a": kwargs["a"], "b": kwargs["b"]})
        found.feeds = [FeedLink("Changes to this pair", feed)]
        a, b = canonical_pair(kwargs["a"], kwargs["b"])
        found.watch, found.watch_label = {"kind": "pair", "a": a, "b": b}, "Watch this pair"
        mine = {"party_a": a, "party_b": b}
    elif name == "reports-country":
        code = kwargs["code"]
        feed = reverse("feed-country", kwargs={"code": code})
        found.feeds = [FeedLink("Changes involving this country", feed)]
        found.watch, found.watch_label = {"kind": "country", "country": code}, "Watch this country"
        mine = {"country": code}
    elif name == "reports-commitments":
        found.feeds = [
            FeedLink("Commitments falling due", reverse("feed-commitments", kwargs={"state": "due-soon"})),
            FeedLink("Commitments overdue", reverse("feed-commitments", kwargs={"state": "overdue"})),
        ]
    if found.watch and request.user.is_authenticated:
        found.watching = Watch.objects.filter(user=request.user, **mine).first()
    return {"following": found}


NEEDED = {"pair": ("a", "b"), "country": ("country",), "category": ("category",)}


class WatchForm(forms.Form):
    kind = forms.ChoiceField(choices=[("pair", "pair"), ("country", "country"), ("category", "category")])
    a = forms.ModelChoiceField(Country.objects.all(), required=False, to_field_name="code")
    b = forms.ModelChoiceField(Country.objects.all(), required=False, to_field_name="code")
    country = forms.ModelChoiceField(Country.objects.all(), required=False, to_field_name="code")
    category = forms.ModelChoiceField(ClauseCategory.objects.all(), required=False, to_field_name="slug")

    def clean(self) -> dict:
        data = super().clean()
        for name in NEEDED.get(data.get("kind"), ()):
            if not data.get(name):
                self.add_error(name, "Choose one.")
        return data


class PeriodForm(forms.Form):
    period = forms.ChoiceField(choices=DigestPeriod.choices, label="E-mail me the changes")


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if safe and target.startswith("/") else reverse("watches")


@login_required
@require_http_methods(["GET", "POST"])
def watches(request: HttpRequest) -> HttpResponse:
    """My watches: what I follow, how often I am e-mailed; and the watch buttons' target."""
    user = request.user
    add_form = WatchForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove":
            watch = get_object_or_404(Watch, pk=request.POST.get("watch"), user=user)
            service.watch_remove(user=user, watch=watch)
            messages.success(request, f"You no longer watch {watch.label}.")
            return HttpResponseRedirect(_back(request))
        if action == "period":
            form = PeriodForm(request.POST)
            if form.is_valid():
                service.reader_set_period(user=user, period=form.cleaned_data["period"])
                messages.success(request, "Your e-mail settings are saved.")
                return HttpResponseRedirect(reverse("watches"))
        elif action == "add":
            add_form = WatchForm(request.POST)
            if add_form.is_valid():
                data = add_form.cleaned_data
                try:
                    watch = service.watch_add(
                        user=user,
                        pair=(data["a"], data["b"]) if data["kind"] == "pair" else None,
                        country=data["country"] if data["kind"] == "country" else None,
                        category=data["category"] if data["kind"] == "category" else None,
                    )
                except ValidationError as error:
                    for name, problems in error.message_dict.items():
                        for problem in problems:
                            add_form.add_error(None if name in ("__all__", "pair") else name, problem)
                else:
                    messages.success(request, f"You watch {watch.label}.")
                    return HttpResponseRedirect(_back(request))
        else:
            return _bad_request(request, {"action": ["Choose add, remove or period."]})
        status = 400
    else:
        status = 200
    reader = service.reader_for(user)
    context = {
        "watches": Watch.objects.filter(user=user).select_related(*WATCHED),
        "reader": reader,
        "period_form": PeriodForm(initial={"period": reader.period}),
        "add_form": add_form,
        "countries": Country.objects.order_by("name").values_list("code", "name"),
        "categories": ClauseCategory.objects.order_by("name").values_list("slug", "name"),
    }
    return render(request, "agreements/watches.html", context, status=status)


WATCHED = ("party_a", "party_b", "country", "category")


def _bad_request(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    context = {"title": "This request cannot be used", "errors": errors}
    return render(request, "agreements/reports/error.html", context, status=400)


# A mail client's one-click unsubscribe (RFC 8058) posts without a CSRF token: the signed
# token in the URL is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners fetch links); POST stops the digests."""
    pk = links.user_of_unsubscribe_token(token)
    if pk is None:
        return _bad_request(request, {"link": ["This unsubscribe link is not valid (was it copied whole?)."]})
    user = get_object_or_404(get_user_model(), pk=pk)
    done = request.method == "POST"
    if done:
        service.reader_unsubscribe(user=user)
    return render(request, "agreements/unsubscribe.html", {"done": done, "user_email": user.email})
