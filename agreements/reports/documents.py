"""Each agreement's JSON document, built by the database: the read side of the agreements API.

A nested agreement (participants, clauses with categories, events, citations,
commitments with their implementation events) is one
JSON document produced by a correlated SQL expression, so a page of 50 agreements is
one query and no Python serializer touches a row: the bytes go from the database to
the response as they are (``orjson.Fragment``). ``sql.Dialect`` gives each engine its
spelling. ``api.serializers.AgreementSerializer`` describes the same document for the
schema, and a test holds the two to the same output.

The SQL names the outer table by its table name, which is how Django aliases the base
table of any agreement queryset, however it is filtered.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connection, connections, router
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from ..models import Agreement
from ..planner import planned_once
from .sql import POSTGRESQL, SQLITE, TABLES, Dialect

OUTER = f'"{TABLES["agreement"]}"'

# The agreement's own columns in the document, in order, with how each is written.
_TEXT, _BOOLEAN, _TIMESTAMP, _BODY = "text", "boolean", "timestamp", "body"
AGREEMENT_COLUMNS = {
    "id": _TEXT,
    "title": _TEXT,
    "kind": _TEXT,
    "party_a": _TEXT,
    "party_b": _TEXT,
    "body_a": _BODY,
    "body_b": _BODY,
    "level": _TEXT,
    "summary": _TEXT,
    "full_text": _TEXT,
    "disclosure": _TEXT,
    "place_of_signature": _TEXT,
    "evidence": _TEXT,
    "unts_registration": _TEXT,
    "wikidata_qid": _TEXT,
    "atop_id": _TEXT,
    "dcad_id": _TEXT,
    "status": _TEXT,
    "signed_on": _TEXT,
    "signed_on_precision": _TEXT,
    "in_force_from": _TEXT,
    "in_force_from_precision": _TEXT,
    "ended_on": _TEXT,
    "ended_on_precision": _TEXT,
    "is_synthetic": _BOOLEAN,
    "version": _TEXT,
    "created_at": _TIMESTAMP,
    "updated_at": _TIMESTAMP,
}
_FOREIGN_KEYS = {
    "party_a": "party_a_id",
    "party_b": "party_b_id",
    "body_a": "body_a_id",
    "body_b": "body_b_id",
}


def _body(d: Dialect, column: str) -> str:
    """``{"id", "name"}`` of the body in ``column``, or null."""
    named = d.object({"id": "bo.id", "name": "bo.name"})
    return d.nested(f"SELECT {named} FROM {TABLES['body']} bo WHERE bo.id = {column}")


def _column(d: Dialect, name: str, kind: str) -> str:
    column = f"{OUTER}.{_FOREIGN_KEYS.get(name, name)}"
    if kind == _BODY:
        return _body(d, column)
    if kind == _BOOLEAN:
        return d.boolean(column)
    if kind == _TIMESTAMP:
        return d.timestamp(column)
    return column


def agreement_document_sql(d: Dialect) -> str:
    a, t = OUTER, TABLES
    person = d.object({"id": "p.id", "name": "p.name"})
    participant = d.object(
        {
            "id": "s.id",
            "role": "s.role",
            "person": d.unless_null("s.person_id", person),
            "description": "s.description",
            "party": "s.party_id",
            "body": _body(d, "s.body_id"),
            "office": "s.office",
            "rank": "s.rank",
            "note": "s.note",
            "source": "s.source_id",
        }
    )
    categories = d.array(
        d.string("k.slug"),
        f"FROM {t['clause_categories']} ck "
        f"JOIN {t['category']} k ON k.id = ck.clausecategory_id WHERE ck.clause_id = c.id",
        "k.name, k.id",
    )
    clause = d.object(
        {
            "id": "c.id",
            "position": "c.position",
            "article": "c.article",
            "text": "c.text",
            "categories": categories,
            "source": "c.source_id",
        }
    )
    event = d.object(
        {
            "id": "e.id",
            "status": "e.status",
            "date": "e.date",
            "date_precision": "e.date_precision",
            "date_note": "e.date_note",
            "party": "e.party_id",
            "note": "e.note",
            "source": "e.source_id",
        }
    )
    citation = d.object({"source": "cs.source_id", "supports": "cs.supports"})
    implementation = d.object(
        {
            "id": "ie.id",
            "kind": "ie.kind",
            "date": "ie.date",
            "date_precision": "ie.date_precision",
            "new_due_on": "ie.new_due_on",
            "new_due_on_precision": "ie.new_due_on_precision",
            "note": "ie.note",
            "source": "ie.source_id",
        }
    )
    commitment = d.object(
        {
            "id": "cm.id",
            "position": "cm.position",
            "party": "cm.party_id",
            "text": "cm.text",
            "clauses": d.array(
                "cc.position",
                f"FROM {t['commitment_clauses']} cmc JOIN {t['clause']} cc ON cc.id = cmc.clause_id "
                "WHERE cmc.commitment_id = cm.id",
                "cc.position",
                json_items=False,
            ),
            "due_on": "cm.due_on",
            "due_on_precision": "cm.due_on_precision",
            "due_note": "cm.due_note",
            "source": "cm.source_id",
            "events": d.array(
                implementation,
                f"FROM {t['implementation']} ie WHERE ie.commitment_id = cm.id",
                "ie.date, ie.id",
            ),
            "state": "cm.state",
            "due_current": "cm.due_current",
            "due_current_precision": "cm.due_current_precision",
        }
    )
    document = d.object(
        {
            **{name: _column(d, name, kind) for name, kind in AGREEMENT_COLUMNS.items()},
            "participants": d.array(
                participant,
                f"FROM {t['participant']} s LEFT JOIN {t['person']} p ON p.id = s.person_id "
                f"WHERE s.agreement_id = {a}.id",
                "s.party_id, s.id",
            ),
            "clauses": d.array(clause, f"FROM {t['clause']} c WHERE c.agreement_id = {a}.id", "c.position"),
            "events": d.array(event, f"FROM {t['event']} e WHERE e.agreement_id = {a}.id", "e.date, e.id"),
            "citations": d.array(
                citation, f"FROM {t['citation']} cs WHERE cs.agreement_id = {a}.id", "cs.id"
            ),
            "commitments": d.array(
                commitment, f"FROM {t['commitment']} cm WHERE cm.agreement_id = {a}.id", "cm.position"
            ),
        }
    )
    return d.as_text(document)


_SQL = {dialect.vendor: agreement_document_sql(dialect) for dialect in (POSTGRESQL, SQLITE)}


def with_documents(queryset: QuerySet) -> QuerySet:
    """``queryset`` as ``{"id", "version", "document"}`` rows; ``document`` is the agreement's JSON text."""
    return queryset.annotate(document=RawSQL(_SQL[connection.vendor], ())).values("id", "version", "document")


@functools.cache
def _one_document_sql(alias: str) -> str:
    """``with_documents`` of one agreement by id, compiled once per database: building and
    compiling the queryset was most of the Python an agreement's detail costs."""
    marker = -7_654_321
    sql, params = with_documents(Agreement.objects.filter(pk=marker)).query.get_compiler(alias).as_sql()
    if list(params) != [marker]:
        raise AssertionError(f"the document query's parameters changed: {params!r}")
    return sql


def document_row(pk: int) -> dict[str, Any] | None:
    """The ``with_documents`` row of agreement ``pk`` (one statement), or None when there is none."""
    alias = router.db_for_read(Agreement)
    database = connections[alias]
    # PostgreSQL (tracker/postgresql) prepares it: planning it took longer than running it, and
    # a lookup by primary key has one plan whatever the id.
    with planned_once(database) as cursor:
        cursor.execute(_one_document_sql(alias), [pk])
        row = cursor.fetchone()
    return None if row is None else {"id": row[0], "version": row[1], "document": row[2]}


def documents_with_rows(queryset: QuerySet, *, cursor: bool, first: bool) -> bool:
    """Whether a page of ``queryset`` is best chosen and built in one query (``with_documents``)
    rather than its ids first and their documents after (``documents_in_order``, one query more).

    PostgreSQL builds the select list after its sort and ``LIMIT``, but for every row an offset
    skips (7 s for page 100 of 250,000 agreements): one query for a cursor's page and for the
    first numbered page, ids first for a later one. SQLite builds the select list of every row
    that goes into a sort: one query only for a cursor's page in an order an index gives, not
    for a search ranked by relevance (docs/benchmarks.md, issue 20), and ids first for every
    numbered page.
    """
    if connection.vendor == "postgresql":
        return cursor or first
    return cursor and "search_rank" not in queryset.query.annotations


def documents_in_order(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The ``with_documents`` rows of the agreements ``ids``, in that order.

    For a numbered page, whose rows are chosen by a query of keys alone: a document in the
    page's own query would be built for every row its offset skips as well (PostgreSQL
    computes the select list below the LIMIT), 7 s for page 100 of 250,000 agreements.
    An agreement deleted between the two queries is left out.
    """
    if not ids:
        return []
    rows = {row["id"]: row for row in with_documents(Agreement.objects.filter(pk__in=ids))}
    return [rows[pk] for pk in ids if pk in rows]
