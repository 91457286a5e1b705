"""Full-text search over agreements.

Each agreement keeps a ``search_document``: its title, summary, clause text and every
name of every signatory, other names included (so "Dehghan" finds the agreement that
Hossein Dehqan signed). ``services.agreement_sync`` rewrites it on every write.

On PostgreSQL the document is matched with ``websearch_to_tsquery`` against a GIN
expression index and ranked; the ``simple`` configuration is used because most of
what people search for are names and places, which stemming would mangle. SQLite has
no full-text index here, so every word must appear (case-insensitively) in the
document: the same matches for single words and names, without ranking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import QuerySet

if TYPE_CHECKING:
    from .models import Agreement

CONFIG = "simple"


def search_vector() -> SearchVector:
    """The indexed expression (migration 0005 builds its GIN index from this very function)."""
    return SearchVector("search_document", config=CONFIG)


def build_document(agreement: Agreement) -> str:
    """The text an agreement is found by."""
    parts = [agreement.title, agreement.summary]
    parts += [clause.text for clause in agreement.clauses.all()]
    for signatory in agreement.signatories.select_related("person").prefetch_related("person__other_names"):
        parts.append(signatory.person.name)
        parts += [other.name for other in signatory.person.other_names.all()]
    return "\n".join(part for part in parts if part)


def search(queryset: QuerySet[Agreement], text: str) -> tuple[QuerySet[Agreement], bool]:
    """Agreements matching ``text``; the flag says whether a ``search_rank`` was annotated."""
    words = text.split()
    if not words:
        return queryset, False
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        matched = queryset.alias(search_vector=search_vector()).filter(search_vector=query)
        return matched.annotate(search_rank=SearchRank(search_vector(), query)), True
    for word in words:
        queryset = queryset.filter(search_document__icontains=word.strip('"'))
    return queryset, False
