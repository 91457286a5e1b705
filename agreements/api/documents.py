"""The read side of the agreements API: each agreement's JSON, built by the database.

A nested agreement (signatories, clauses with categories, events, citations) is one
JSON document produced by a correlated SQL expression, so a page of 50 agreements is
one query and no Python serializer touches a row: the bytes go from the database to
the response as they are (``orjson.Fragment``). On PostgreSQL the expression uses
``json_build_object``/``json_agg``; SQLite runs the same shape with
``json_object``/``json_group_array``. ``serializers.AgreementSerializer`` describes the
same document for the schema, and a test holds the two to the same output.

The SQL names the outer table ``agreements_agreement``, which is how Django aliases
the base table of any agreement queryset, however it is filtered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

OUTER = '"agreements_agreement"'


@dataclass(frozen=True)
class _Dialect:
    object: str  # builds an object from alternating keys and values
    boolean: str  # renders a boolean column as a JSON boolean
    timestamp: str  # renders a UTC timestamp as 2017-07-23T10:00:00Z
    array: str  # aggregates {doc} over the rows of {source} in {order} into an array
    text: str  # turns the finished document into text


POSTGRESQL = _Dialect(
    object="json_build_object({})",
    boolean="{}",
    timestamp="""to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""",
    array="COALESCE((SELECT json_agg({doc} ORDER BY {order}) {source}), '[]'::json)",
    text="({})::text",
)
SQLITE = _Dialect(
    object="json_object({})",
    boolean="CASE WHEN {} THEN json('true') ELSE json('false') END",
    timestamp="strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {})",
    # SQLite keeps the subquery's order when it aggregates; json() keeps nested
    # documents as JSON rather than strings.
    array="json((SELECT json_group_array(json(d.doc)) FROM "
    "(SELECT {doc} AS doc {source} ORDER BY {order}) d))",
    text="{}",
)


def _object(dialect: _Dialect, fields: dict[str, str]) -> str:
    return dialect.object.format(", ".join(f"'{key}', {value}" for key, value in fields.items()))


def _array(dialect: _Dialect, document: str, source: str, order: str) -> str:
    """The documents of ``source`` rows in ``order``, as a JSON array (empty, never null)."""
    return dialect.array.format(doc=document, source=source, order=order)


def agreement_document_sql(dialect: _Dialect) -> str:
    a = OUTER
    person = _object(dialect, {"id": "p.id", "name": "p.name"})
    signatory = _object(
        dialect,
        {
            "id": "s.id",
            "person": person,
            "party": "s.party_id",
            "office": "s.office",
            "rank": "s.rank",
            "note": "s.note",
            "source": "s.source_id",
        },
    )
    categories = _array(
        dialect,
        "json_quote(k.slug)" if dialect is SQLITE else "to_json(k.slug)",
        "FROM agreements_clause_categories ck "
        "JOIN agreements_clausecategory k ON k.id = ck.clausecategory_id WHERE ck.clause_id = c.id",
        "k.name, k.id",
    )
    clause = _object(
        dialect,
        {
            "id": "c.id",
            "position": "c.position",
            "article": "c.article",
            "text": "c.text",
            "categories": categories,
            "source": "c.source_id",
        },
    )
    event = _object(
        dialect,
        {
            "id": "e.id",
            "status": "e.status",
            "date": "e.date",
            "date_precision": "e.date_precision",
            "date_note": "e.date_note",
            "party": "e.party_id",
            "note": "e.note",
            "source": "e.source_id",
        },
    )
    citation = _object(dialect, {"source": "cs.source_id", "supports": "cs.supports"})
    document = _object(
        dialect,
        {
            "id": f"{a}.id",
            "title": f"{a}.title",
            "kind": f"{a}.kind",
            "party_a": f"{a}.party_a_id",
            "party_b": f"{a}.party_b_id",
            "summary": f"{a}.summary",
            "full_text": f"{a}.full_text",
            "text_public": dialect.boolean.format(f"{a}.text_public"),
            "place_of_signature": f"{a}.place_of_signature",
            "evidence": f"{a}.evidence",
            "unts_registration": f"{a}.unts_registration",
            "wikidata_qid": f"{a}.wikidata_qid",
            "atop_id": f"{a}.atop_id",
            "dcad_id": f"{a}.dcad_id",
            "status": f"{a}.status",
            "signed_on": f"{a}.signed_on",
            "signed_on_precision": f"{a}.signed_on_precision",
            "in_force_from": f"{a}.in_force_from",
            "in_force_from_precision": f"{a}.in_force_from_precision",
            "ended_on": f"{a}.ended_on",
            "ended_on_precision": f"{a}.ended_on_precision",
            "is_synthetic": dialect.boolean.format(f"{a}.is_synthetic"),
            "version": f"{a}.version",
            "created_at": dialect.timestamp.format(f"{a}.created_at"),
            "updated_at": dialect.timestamp.format(f"{a}.updated_at"),
            "signatories": _array(
                dialect,
                signatory,
                f"FROM agreements_signatory s JOIN agreements_person p ON p.id = s.person_id "
                f"WHERE s.agreement_id = {a}.id",
                "s.party_id, s.id",
            ),
            "clauses": _array(
                dialect, clause, f"FROM agreements_clause c WHERE c.agreement_id = {a}.id", "c.position"
            ),
            "events": _array(
                dialect, event, f"FROM agreements_statusevent e WHERE e.agreement_id = {a}.id", "e.date, e.id"
            ),
            "citations": _array(
                dialect,
                citation,
                f"FROM agreements_agreementsource cs WHERE cs.agreement_id = {a}.id",
                "cs.id",
            ),
        },
    )
    return dialect.text.format(document)


_SQL = {"postgresql": agreement_document_sql(POSTGRESQL), "sqlite": agreement_document_sql(SQLITE)}


def with_documents(queryset: QuerySet) -> QuerySet:
    """``queryset`` as ``{"id", "version", "document"}`` rows; ``document`` is the agreement's JSON text."""
    return queryset.annotate(document=RawSQL(_SQL[connection.vendor], ())).values("id", "version", "document")
