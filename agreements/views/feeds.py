"""Atom feeds of what changed: everything, a pair, a country, a category, commitments.

Django's syndication framework writes the Atom; the scope and its entries come from the
read side (``reports.outbox``). A feed answers a conditional GET (``If-None-Match`` /
``If-Modified-Since``) with a 304 after two small queries (the scope's countries, the newest
event), so readers polling every few minutes cost next to nothing. A feed counts against
the client's rate limit like a report page (a 304 too: the count is a cache increment, no
query), so a reader polling too often gets a 429 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date, quote_etag

from ..reports import outbox
from ..reports.inputs import ReportInputError, UnknownCountryError
from ..web import caching
from .limits import too_many_requests

SITE_NAME = "Bilateral agreement tracker"


class ChangeFeed(Feed):
    feed_type = Atom1Feed
    author_name = SITE_NAME

    def __init__(self, scope_of: Callable[..., outbox.Scope]) -> None:
        self.scope_of = scope_of

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if refused := too_many_requests(request):
            return refused
        try:
            scope = self.scope_of(**kwargs)
        except UnknownCountryError as error:
            return _error(request, {"country": [str(error)]}, 404)
        except ReportInputError as error:
            return _error(request, error.errors, 404)
        newest = outbox.latest(scope)
        etag = quote_etag(f"{scope.key}:{newest[0] if newest else 0}")
        modified = int(newest[1].timestamp()) if newest else None  # HTTP dates are to the second
        unchanged = get_conditional_response(request, etag=etag, last_modified=modified)
        if unchanged is not None:
            return unchanged
        request.feed_scope = scope
        response = super().__call__(request, *args, **kwargs)
        response["ETag"] = etag
        if modified is not None:
            response["Last-Modified"] = http_date(modified)
        response["Cache-Control"] = caching.cache_control(public=True)  # the same feed for everyone
        return response

    def get_object(self, request: HttpRequest, *args, **kwargs) -> outbox.Scope:
        return request.feed_scope

    def title(self, scope: outbox.Scope) -> str:
        return f"{scope.title} · {SITE_NAME}"

    def subtitle(self, scope: outbox.Scope) -> str:
        return f"What changed: {scope.title.lower() if scope.key == 'all' else scope.title}, newest first."

    def link(self, scope: outbox.Scope) -> str:
        return scope.page

    def feed_guid(self, scope: outbox.Scope) -> str:
        return f"tag:bilateral-agreement-tracker,2026:feed:{scope.key}"

    def items(self, scope: outbox.Scope) -> list[outbox.Entry]:
        return outbox.entries(scope)

    def item_title(self, entry: outbox.Entry) -> str:
        return f"{entry.pair.name}: {entry.event.get_kind_display()} — {entry.event.title}"

    def item_description(self, entry: outbox.Entry) -> str:
        return entry.event.summary

    def item_link(self, entry: outbox.Entry) -> str:
        if entry.agreement_gone:
            return reverse("reports-pair", kwargs={"a": entry.pair.first, "b": entry.pair.second})
        return reverse("agreement-detail", kwargs={"pk": entry.event.agreement_id})

    def item_guid(self, entry: outbox.Entry) -> str:
        return f"tag:bilateral-agreement-tracker,2026:change:{entry.event.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, entry: outbox.Entry):
        return entry.event.created_at

    def item_pubdate(self, entry: outbox.Entry):
        return entry.event.created_at

    def item_categories(self, entry: outbox.Entry) -> list[str]:
        return [entry.event.kind, *entry.event.categories]


def _error(request: HttpRequest, errors: dict[str, list[str]], status: int) -> HttpResponse:
    context = {"title": "No such feed", "errors": errors}
    return render(request, "agreements/reports/error.html", context, status=status)


everything = ChangeFeed(lambda: outbox.everything())
pair = ChangeFeed(lambda a, b: outbox.pair(a, b))
country = ChangeFeed(lambda code: outbox.country(code))
category = ChangeFeed(lambda slug: outbox.category(slug))
commitments = ChangeFeed(lambda state: outbox.commitments(state))
