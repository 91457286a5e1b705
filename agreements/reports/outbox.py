"""What changed, as the Atom feeds and the digests read it from the outbox (``ChangeEvent``).

A ``Scope`` is one thing to follow — everything, a pair, a country, a category, or the
commitments falling due or overdue — with its title, its page and its events. ``entries``
reads a scope's newest events with the countries' names in two queries, and ``latest`` the
newest event's id and time in one, whatever the size of the outbox: the pair and country
scopes are index ranges (``change_event_pair``, ``change_event_party_b``), a category one
on ``change_event_category``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from ..models import ChangeEvent, ClauseCategory, Country
from ..models.changes import ChangeKind
from ..pairs import NamedPair, canonical_pair, named_pair, same_parties_problem
from .inputs import ReportInputError, resolve_countries

FEED_ENTRIES = 50

COMMITMENT_KINDS = {
    "due-soon": (ChangeKind.COMMITMENT_DUE_SOON, "Commitments falling due"),
    "overdue": (ChangeKind.COMMITMENT_OVERDUE, "Commitments overdue"),
}


@dataclass(frozen=True)
class Scope:
    key: str  # stable, for the feed's id and ETag: "pair:IQ-IR"
    title: str
    page: str  # the page this scope follows
    events: QuerySet[ChangeEvent]


@dataclass(frozen=True)
class Entry:
    event: ChangeEvent
    pair: NamedPair  # "Iran and Iraq"

    @property
    def agreement_gone(self) -> bool:
        return self.event.kind == ChangeKind.AGREEMENT_DELETED


def everything() -> Scope:
    return Scope("all", "Every change", reverse("reports"), ChangeEvent.objects.all())


def pair(a: str, b: str) -> Scope:
    if problem := same_parties_problem(a, b):
        raise ReportInputError({"pair": [problem]})
    first, second = canonical_pair(a, b)
    names = resolve_countries(first, second)
    named = named_pair((first, names[first].name), (second, names[second].name))
    page = reverse("reports-pair", kwargs={"a": named.first, "b": named.second})
    return Scope(f"pair:{first}-{second}", named.name, page, ChangeEvent.objects.for_pair(first, second))


def country(code: str) -> Scope:
    found = next(iter(resolve_countries(code).values()))
    page = reverse("reports-country", kwargs={"code": found.code})
    return Scope(f"country:{found.code}", found.name, page, ChangeEvent.objects.involving(found.code))


def category(slug: str) -> Scope:
    found = ClauseCategory.objects.filter(slug=slug).first()
    if found is None:
        raise ReportInputError({"category": [f"There is no category “{slug}”."]})
    page = f"{reverse('reports-network')}?category={found.slug}"
    events = ChangeEvent.objects.in_category(found.slug)
    return Scope(f"category:{found.slug}", f"Category: {found.name}", page, events)


def commitments(state: str) -> Scope:
    kind, title = COMMITMENT_KINDS[state]
    events = ChangeEvent.objects.filter(kind=kind)
    return Scope(f"commitments:{state}", title, reverse("reports-commitments"), events)


def latest(scope: Scope) -> tuple[int, datetime.datetime] | None:
    """The newest event's id and time: what a feed's ETag and Last-Modified say."""
    return scope.events.order_by("-id").values_list("id", "created_at").first()


def pair_names(events: Iterable[ChangeEvent]) -> dict[tuple[str, str], NamedPair]:
    """Each pair of ``events`` as readers name it ("Iran and Iraq"), in one query."""
    events = list(events)
    codes = {code for event in events for code in (event.party_a, event.party_b)}
    names = dict(Country.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        (e.party_a, e.party_b): named_pair(
            (e.party_a, names.get(e.party_a, e.party_a)), (e.party_b, names.get(e.party_b, e.party_b))
        )
        for e in events
    }


def entries(scope: Scope, limit: int = FEED_ENTRIES) -> list[Entry]:
    """The scope's newest ``limit`` events, newest first, with their pairs' names."""
    events = list(scope.events.order_by("-id")[:limit])
    names = pair_names(events)
    return [Entry(event, names[(event.party_a, event.party_b)]) for event in events]
