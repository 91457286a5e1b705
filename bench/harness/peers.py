"""The peers a user might pick instead of our API, installed and started the same way.

* **PostGraphile v4** (npm, Node.js 20) on the same PostgreSQL database: it compiles a
  GraphQL query into one SQL statement. It is asked for the same nested page as our
  list (agreement fields, participants with their person and body, clauses with category slugs,
  events, citations, commitments with their implementation events), in the same orders.
* **Datasette** (PyPI, in a virtualenv of its own so it cannot disturb the product's
  dependencies) on the SQLite copy, with canned queries that build the same documents
  with SQLite's JSON functions — the SQLite form of ``agreements/reports/documents.py``.

Both are pinned in ``bench/peers/`` (``package.json`` + ``package-lock.json``,
``requirements.txt``) and installed there on first use; nothing reaches the product.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from .common import ROOT, say
from .servers import HOST, Server, Servers, free_port

PEERS = ROOT / "bench" / "peers"
POSTGRAPHILE = PEERS / "node_modules" / ".bin" / "postgraphile"
PEER_VENV = PEERS / ".venv"
DATASETTE = PEER_VENV / "bin" / "datasette"


def install() -> None:
    """Install both peers from their registries unless they are already there."""
    if not POSTGRAPHILE.exists():
        say("Installing PostGraphile v4 (npm ci in bench/peers)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=PEERS, check=True)
    if not DATASETTE.exists():
        say("Installing Datasette (pip, in bench/peers/.venv)")
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [str(PEER_VENV / "bin" / "pip"), "install", "--quiet", "-r", str(PEERS / "requirements.txt")],
            check=True,
        )


# --- PostGraphile ----------------------------------------------------------------------------------

AGREEMENT_FIELDS = """
fragment Agreement on AgreementsAgreement {
  id title kind partyAId partyBId level summary fullText disclosure placeOfSignature evidence
  untsRegistration wikidataQid atopId dcadId status signedOn signedOnPrecision
  inForceFrom inForceFromPrecision endedOn endedOnPrecision isSynthetic version createdAt updatedAt
  bodyA: agreementsBodyByBodyAId { id name }
  bodyB: agreementsBodyByBodyBId { id name }
  participants: agreementsParticipantsByAgreementId(orderBy: [PARTY_ID_ASC, ID_ASC]) {
    nodes {
      id role person: agreementsPersonByPersonId { id name } description partyId
      body: agreementsBodyByBodyId { id name } office rank note sourceId
    }
  }
  clauses: agreementsClausesByAgreementId(orderBy: POSITION_ASC) {
    nodes {
      id position article text sourceId
      categories: agreementsClauseCategoriesByClauseId {
        nodes { category: agreementsClausecategoryByClausecategoryId { slug } }
      }
    }
  }
  events: agreementsStatuseventsByAgreementId(orderBy: [DATE_ASC, ID_ASC]) {
    nodes { id status date datePrecision dateNote partyId note sourceId }
  }
  citations: agreementsAgreementsourcesByAgreementId(orderBy: ID_ASC) {
    nodes { sourceId supports }
  }
  commitments: agreementsCommitmentsByAgreementId(orderBy: POSITION_ASC) {
    nodes {
      id position partyId text dueOn dueOnPrecision dueNote sourceId state dueCurrent dueCurrentPrecision
      clauses: agreementsCommitmentClausesByCommitmentId {
        nodes { clause: agreementsClauseByClauseId { position } }
      }
      events: agreementsImplementationeventsByCommitmentId(orderBy: [DATE_ASC, ID_ASC]) {
        nodes { id kind date datePrecision newDueOn newDueOnPrecision note sourceId }
      }
    }
  }
}
"""
# Our first page (page mode) carries the total count, so the first-page query asks for it too;
# a cursor page carries none.
LIST_QUERY = (
    "query Page($first: Int!, $after: Cursor, $orderBy: [AgreementsAgreementsOrderBy!], $count: Boolean!) {"
    " allAgreementsAgreements(first: $first, after: $after, orderBy: $orderBy) {"
    " totalCount @include(if: $count) nodes { ...Agreement } pageInfo { endCursor hasNextPage } } }"
    + AGREEMENT_FIELDS
)
DETAIL_QUERY = (
    "query One($id: BigInt!) { agreementsAgreementById(id: $id) { ...Agreement } }" + AGREEMENT_FIELDS
)


def graphql_first_page(size: int) -> dict:
    return {
        "query": LIST_QUERY,
        "variables": {"first": size, "orderBy": ["SIGNED_ON_DESC", "ID_DESC"], "count": True},
    }


def graphql_page_after(size: int, after_id: int) -> dict:
    # PostGraphile v4's cursor for primary-key order: base64 of ["primary_key_asc", [id]].
    cursor = base64.b64encode(json.dumps(["primary_key_asc", [after_id]]).encode()).decode()
    return {
        "query": LIST_QUERY,
        "variables": {"first": size, "after": cursor, "orderBy": ["PRIMARY_KEY_ASC"], "count": False},
    }


def graphql_detail(pk: int) -> dict:
    return {"query": DETAIL_QUERY, "variables": {"id": pk}}


def start_postgraphile(
    servers: Servers, database_url: str, *, workers: int, log_queries: bool = False
) -> Server:
    """PostGraphile with the options its docs recommend for production.

    ``log_queries`` turns on its SQL debug log (``DEBUG=postgraphile:postgres``) for
    counting the statements one request runs; never while measuring.
    """
    port = free_port()
    env = {**os.environ, "NODE_ENV": "production"}
    if log_queries:
        env["DEBUG"] = "postgraphile:postgres"
        workers = 0
    argv = [
        str(POSTGRAPHILE),
        "--connection",
        database_url,
        "--schema",
        "public",
        "--host",
        HOST,
        "--port",
        str(port),
        "--disable-default-mutations",
        "--disable-graphiql",
        "--disable-query-log",
        "--dynamic-json",
        "--no-setof-functions-contain-nulls",
        "--max-pool-size",
        "10",
    ]
    if workers > 1:
        argv += ["--cluster-workers", str(workers)]
    name = "postgraphile-queries" if log_queries else "postgraphile"
    return servers.start(name, argv, port=port, ready_path="/graphql", env=env, cwd=PEERS)


# --- Datasette --------------------------------------------------------------------------------------


def canned_queries(document_sql: str) -> dict[str, dict]:
    """The canned queries: the same documents, pages and orders as our API's list and detail."""
    select = f"SELECT {document_sql} AS document FROM agreements_agreement"
    # Like our first page (page mode), the first page carries the total count.
    count = "(SELECT count(*) FROM agreements_agreement) AS count"
    return {
        "list_first": {
            "sql": f"SELECT {document_sql} AS document, {count} FROM agreements_agreement "
            "ORDER BY signed_on DESC NULLS LAST, id DESC LIMIT 50"
        },
        "list_after": {"sql": f"{select} WHERE id > CAST(:after AS integer) ORDER BY id LIMIT 50"},
        "detail": {"sql": f"{select} WHERE id = CAST(:id AS integer)"},
    }


def start_datasette(servers: Servers, sqlite_path: Path, document_sql: str, work_dir: Path) -> Server:
    """Datasette serving the SQLite copy read-only (immutable), with the canned queries."""
    port = free_port()
    metadata = work_dir / "datasette-metadata.json"
    metadata.write_text(
        json.dumps({"databases": {sqlite_path.stem: {"queries": canned_queries(document_sql)}}}, indent=2)
    )
    argv = [
        str(DATASETTE),
        "serve",
        "--immutable",
        str(sqlite_path),
        "--metadata",
        str(metadata),
        "--host",
        HOST,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "30000",
    ]
    return servers.start("datasette", argv, port=port, ready_path="/-/versions.json", timeout=120)


def datasette_path(sqlite_path: Path, query: str, **params: object) -> str:
    """The URL path of a canned query's JSON, each row's document decoded as nested JSON."""
    extra = "".join(f"&{key}={value}" for key, value in params.items())
    return f"/{sqlite_path.stem}/{query}.json?_shape=array&_json=document{extra}"
