"""Full-text search over agreements.

Each agreement keeps a ``search_document``: its title, summary, clause text, every
name of everyone who took part, other names included (so "Dehghan" finds the agreement
that Hossein Dehqan signed), and the names of the bodies that acted.
``services.agreement_sync`` rewrites it on every write.

On PostgreSQL the document's tsvector is a stored generated column (``search_vector``,
migration 0009, kept by PostgreSQL itself on every write) with a GIN index; it is
matched with ``websearch_to_tsquery`` and ranked without parsing any document again.
The ``simple`` configuration is used because most of
what people search for are names and places, which stemming would mangle. On SQLite an
FTS5 index of the same column (``search.sqlite``, migration 0025, kept by triggers) is
matched with the same query language and ranked by bm25: whole words, all required,
``"phrases"``, ``or`` and ``-word`` as on PostgreSQL (the differences: docs/api.md, "Search").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from . import sqlite

if TYPE_CHECKING:
    from ..models import Agreement

CONFIG = "simple"


def search_vector() -> SearchVector:
    """The expression of the tsvector (migration 0005 built its GIN index from this very function;
    migration 0009 stores the same expression in the ``search_vector`` column)."""
    return SearchVector("search_document", config=CONFIG)


def stored_vector() -> RawSQL:
    """The stored ``search_vector`` column (PostgreSQL only; not a model field, as SQLite has none)."""
    from ..models import Agreement

    return RawSQL(f'"{Agreement._meta.db_table}"."search_vector"', [], output_field=SearchVectorField())


def document_text(title: str, summary: str, clause_texts: Iterable[str], names: Iterable[str]) -> str:
    """The text an agreement is found by: title, summary, clauses (by position), then the names
    of those who took part (by party and row) and of the bodies that acted."""
    parts = [title, summary, *clause_texts, *names]
    return "\n".join(part for part in parts if part)


def build_document(agreement: Agreement) -> str:
    """The search text of a stored agreement (three queries)."""
    participants = agreement.participants.select_related("person", "body").prefetch_related(
        "person__other_names"
    )
    return document_of(agreement, participants, agreement.clauses.values_list("text", flat=True))


def document_of(agreement: Agreement, participants: Iterable[Any], clause_texts: Iterable[str]) -> str:
    """The search text of ``agreement`` with these participants (by party and row, their people's
    other names at hand) and clauses (by position): no query of its own, so a bulk write can
    build the text of agreements it has not stored yet."""
    names: list[str] = []
    bodies = [body.name for body in (agreement.body_a, agreement.body_b) if body is not None]
    for participant in participants:
        if participant.person is not None:
            names.append(participant.person.name)
            names += [other.name for other in participant.person.other_names.all()]
        if participant.body is not None:
            bodies.append(participant.body.name)
    names += dict.fromkeys(bodies)  # each body once, in the order met
    return document_text(agreement.title, agreement.summary, clause_texts, names)


def search(queryset: QuerySet[Agreement], text: str) -> tuple[QuerySet[Agreement], bool]:
    """Agreements matching ``text``; the flag says whether a ``search_rank`` was annotated."""
    words = text.split()
    if not words:
        return queryset, False
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        matched = queryset.alias(search_vector=stored_vector()).filter(search_vector=query)
        return matched.annotate(search_rank=SearchRank(stored_vector(), query)), True
    return _search_sqlite(queryset, text)


def _search_sqlite(queryset: QuerySet[Agreement], text: str) -> tuple[QuerySet[Agreement], bool]:
    query = sqlite.to_fts5(text)
    if query is None:  # no word at all (``*``, ``"``): PostgreSQL matches nothing either
        return queryset.none(), False
    index, agreements = sqlite.TABLE, queryset.model._meta.db_table
    if not query.unwanted:
        # A join, not ``id IN (…)``: bm25 needs the index's row of each match, and the planner
        # then starts from the index (its rare words' few rows) and looks each agreement up.
        matched = queryset.extra(
            tables=[index],
            where=[f"{index} MATCH %s", f"{index}.rowid = {agreements}.id"],
            params=[query.ranked],
        )
        # bm25 is lower for a better match; PostgreSQL's rank is higher.
        rank = RawSQL(f"-bm25({index})", [], output_field=FloatField())
        return matched.annotate(search_rank=rank), True
    # Some alternative only excludes words (``-word``), which FTS5 cannot say alone: matched by
    # membership instead, unranked.
    matching = f"SELECT rowid FROM {index} WHERE {index} MATCH %s"
    condition = Q(pk__in=RawSQL(matching, [query.ranked])) if query.ranked else Q(pk__in=[])
    for words in query.unwanted:
        condition |= ~Q(pk__in=RawSQL(matching, [words]))
    return queryset.filter(condition), False
