"""Full-text search answers alike on both engines (issue 20).

PostgreSQL matches the stored tsvector with ``websearch_to_tsquery``; SQLite an FTS5 index
with the same query language translated (``agreements.search.sqlite``). Each test below runs
on whichever engine the suite runs on and expects the same answer written once, so a run on
each engine is the parity check. On SQLite every write path is also held to an index that
agrees with the table (FTS5's own integrity check).
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from agreements.models import Agreement
from agreements.search import sqlite
from agreements.services import ClauseIn, agreement_delete, agreement_update
from agreements.services.inputs import agreement_to_input
from agreements.services.recovery import agreement_restore, agreement_revert

from .factories import category, make_agreement

pytestmark = pytest.mark.django_db
LIST = "/api/agreements/"
SQLITE = connection.vendor == "sqlite"

AGREEMENTS = {
    "shatt": (
        "Memorandum on the Shatt al-Arab",
        "Navigation on the Shatt al-Arab under the 1975 Algiers accord.",
    ),
    "border": ("Agreement on border security", "Joint patrols near the border and exchange of information."),
    "pilgrims": ("Protocol on pilgrims", "Arbaeen pilgrims cross at Mehran; security and health checks."),
    "defence": ("Memorandum on defence-cooperation", "Signed by Hossein Dehqān in Tehran."),
    "port": ("Agreement on Qeshm port", "Port fees cut to 1.5 per cent; O'Brien & Sons consulted."),
}


@pytest.fixture
def corpus(db) -> dict[str, int]:
    return {
        key: make_agreement(title=title, summary=summary).pk for key, (title, summary) in AGREEMENTS.items()
    }


def found(api, text: str) -> list[str]:
    response = api.get(LIST, {"q": text, "page_size": 100})
    assert response.status_code == 200, response.content
    by_title = {title: key for key, (title, _) in AGREEMENTS.items()}
    return [by_title.get(row["title"], row["title"]) for row in response.json()["results"]]


# What websearch_to_tsquery('simple', …) matches on PostgreSQL; SQLite must match the same.
QUERIES = [
    ("shatt", {"shatt"}),
    ("SHATT al-arab", {"shatt"}),  # case folded; a hyphenated word is a phrase of its parts
    ("security", {"border", "pilgrims"}),
    ("border security", {"border"}),  # every word required
    ('"border security"', {"border"}),  # a phrase: adjacent, in order
    ('"security border"', set()),
    ('"border security', {"border"}),  # an unclosed quote runs to the end
    ("pilgrims or port", {"pilgrims", "port"}),
    ("pilgrims OR port", {"pilgrims", "port"}),
    ("security -pilgrims", {"border"}),
    ("-border", {"shatt", "pilgrims", "defence", "port"}),  # only an exclusion: all the others
    ("port or -security", {"shatt", "defence", "port"}),
    ("defence-cooperation", {"defence"}),
    ("defence cooperation", {"defence"}),
    ("Dehqān", {"defence"}),
    ("dehqan", set()),  # accents kept by both: "simple" does not fold them
    ("1975", {"shatt"}),
    ("1.5", {"port"}),
    ("o'brien", {"port"}),
    ("secur", set()),  # whole words, never prefixes
    ("or", set()),  # "or" alone is a word, found in no document here
    # FTS5's and tsquery's own syntax is read as words (PostgreSQL's reading), never as syntax.
    ('"', set()),
    ("*", set()),
    ("AND", {"border", "pilgrims"}),  # the word "and"
    ("security AND border", {"border"}),
    ("NEAR(", {"border"}),  # the word "near"
    ("NEAR(border security, 3)", set()),
    ("port*", {"port"}),
    ("shatt:*", {"shatt"}),
    ("^port", {"port"}),
    ("title:qeshm", set()),  # "title" is no word of that document
    ("(pilgrims)", {"pilgrims"}),
    ("pilgrims & !health", {"pilgrims"}),
    ("sons & o'brien", {"port"}),
    ('" OR 1=1 --', set()),
]


@pytest.mark.parametrize(("text", "expected"), QUERIES)
def test_the_same_agreements_match_on_both_engines(api, corpus, text, expected):
    assert set(found(api, text)) == expected


def test_the_title_match_comes_first(api, corpus):
    """Ranked by relevance on both engines (ts_rank, bm25): the agreement named for the Shatt,
    which says it twice in a short text, before a newer one that mentions it once in passing."""
    make_agreement(
        title="Agreement on river transport",
        summary="Barges, ports and crews.",
        clauses=[ClauseIn(1, "Vessels registered in either state may also call at ports on the Shatt.")],
    )
    assert found(api, "shatt") == ["shatt", "Agreement on river transport"]
    assert found(api, "port") == ["port"]  # "ports" is another word


def _index_agrees() -> None:
    """FTS5's integrity check, against the agreements table (an error if they differ)."""
    if SQLITE:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {sqlite.TABLE} ({sqlite.TABLE}, rank) VALUES ('integrity-check', 1)")


def test_every_write_path_keeps_the_index_in_step(api, db):
    agreement = make_agreement(title="Memorandum on Qeshm port")
    assert found(api, "qeshm") == ["Memorandum on Qeshm port"]
    first = agreement.history.order_by("history_date").first()

    data = agreement_to_input(Agreement.objects.with_details().get(pk=agreement.pk))
    agreement_update(agreement=agreement, data=dataclasses.replace(data, title="Memorandum on Chabahar port"))
    assert (found(api, "qeshm"), found(api, "chabahar")) == ([], ["Memorandum on Chabahar port"])
    _index_agrees()

    agreement_revert(agreement=agreement, history_id=first.history_id)
    assert (found(api, "qeshm"), found(api, "chabahar")) == (["Memorandum on Qeshm port"], [])
    _index_agrees()

    agreement_delete(agreement=Agreement.objects.get(pk=agreement.pk))
    assert found(api, "qeshm") == []
    _index_agrees()

    agreement_restore(agreement_id=agreement.pk)
    assert found(api, "qeshm") == ["Memorandum on Qeshm port"]
    _index_agrees()

    # A raw write, as an importer or a maintenance script may make: the triggers still see it.
    Agreement.objects.filter(pk=agreement.pk).update(search_document="Algiers accord")
    assert (found(api, "qeshm"), found(api, "algiers")) == ([], ["Memorandum on Qeshm port"])
    _index_agrees()


def test_the_bulk_generator_and_its_removal_keep_the_index_in_step(api, db):
    call_command("generate_synthetic_data", agreements=40, stdout=io.StringIO())
    title = Agreement.objects.filter(is_synthetic=True).order_by("pk").values_list("title", flat=True)[7]
    assert title in found(api, f'"{title}"')
    _index_agrees()
    call_command("generate_synthetic_data", delete=True, stdout=io.StringIO())
    assert found(api, f'"{title}"') == []
    _index_agrees()


def test_the_clauses_and_categories_are_searched_too(api, db):
    make_agreement(
        title="Memorandum on training",
        clauses=[
            ClauseIn(
                1, "Officer cadets attend each other's staff colleges.", categories=[category("logistics")]
            )
        ],
    )
    assert found(api, "cadets colleges") == ["Memorandum on training"]


@pytest.mark.skipif(not SQLITE, reason="the FTS5 index is SQLite's")
def test_the_index_is_built_from_existing_rows_and_its_triggers_come_back(api, corpus):
    """Migration 0025 indexes the rows already there (``create_index``); a migration that
    rebuilds the agreements table drops its triggers, which ``ensure_index`` (run after every
    migrate) puts back, re-indexing what was written meanwhile."""
    sqlite.drop_index(connection)
    sqlite.create_index(connection)
    assert found(api, "pilgrims") == ["pilgrims"]
    _index_agrees()

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {sqlite.TABLE}_update")
    Agreement.objects.filter(pk=corpus["pilgrims"]).update(search_document="Zaer")
    assert sqlite.ensure_index(connection) is True
    assert (found(api, "pilgrims"), found(api, "zaer")) == ([], ["pilgrims"])
    _index_agrees()
    assert sqlite.ensure_index(connection) is False  # nothing missing: nothing done


@pytest.mark.parametrize(
    ("text", "ranked", "unwanted"),
    [
        ("border security", '("border" AND "security")', ()),
        ('"border security" -pilgrims', '("border security" NOT "pilgrims")', ()),
        ("a or b c", '("a") OR ("b" AND "c")', ()),
        ("-a -b", "", ('"a" OR "b"',)),
        ('NEAR( " AND *', '("NEAR" AND "AND")', ()),  # the quote runs to the end
        ("al-arab's", '("al arab s")', ()),
    ],
)
def test_the_fts5_expression_holds_only_quoted_words(text, ranked, unwanted):
    query = sqlite.to_fts5(text)
    assert (query.ranked, query.unwanted) == (ranked, unwanted)


@pytest.mark.parametrize("text", ["*", '"', "()", "-", " - ", '""'])
def test_a_query_without_words_matches_nothing(text):
    assert sqlite.to_fts5(text) is None


def test_a_ranked_page_builds_the_documents_of_its_own_rows_only(api, corpus, django_assert_num_queries):
    """SQLite builds the select list of every row it sorts: a page ranked by relevance takes its
    ids first, then the documents of those 50 (one query more), in cursor mode too; PostgreSQL
    builds them after its LIMIT, so its cursor page and its first numbered page are one query. (A
    later numbered page takes its ids first on both engines: its offset skips rows.)"""
    best = found(api, "security")[0]
    # The data version (its ETag), the count, the page (SQLite: the ids, then the documents).
    with django_assert_num_queries(4 if SQLITE else 3):
        response = api.get(LIST, {"q": "security", "page_size": 1})
    assert [row["title"] for row in response.json()["results"]] == [AGREEMENTS[best][0]]
    with django_assert_num_queries(3 if SQLITE else 2):  # cursor mode: the version, no count
        response = api.get(LIST, {"q": "security", "cursor": "", "page_size": 1})
    assert len(response.json()["results"]) == 1


def test_agreements_loaded_from_a_file_are_found(api, db):
    """``load_agreements`` (as ``make run`` loads the demo data) writes through the importer."""
    path = Path(__file__).resolve().parent.parent / "fixtures" / "iran-iraq.json"
    call_command("load_agreements", str(path), stdout=io.StringIO())
    assert "Memorandum of understanding on military cooperation" in found(api, "Dehghan")
    _index_agrees()


def test_an_export_imported_again_is_found_as_before(api, corpus, tmp_path):
    """``import_data`` empties every table and loads the file's rows raw: the index follows."""
    path = tmp_path / "tracker.json.gz"
    call_command("export_data", str(path), stdout=io.StringIO())
    Agreement.objects.filter(pk=corpus["port"]).update(search_document="Chabahar")  # to be undone
    call_command("import_data", str(path), interactive=False, stdout=io.StringIO())
    assert (found(api, "qeshm"), found(api, "chabahar")) == (["port"], [])
    _index_agrees()
