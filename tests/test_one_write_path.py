"""The admin and the API write through the same services: the same rows, the same history, the
same messages for the same mistakes, and a pinned number of statements for each write.

A write that creeps up in statements stays invisible in a functional test; the pins below
say how many each interface needs for an agreement with ten parts (two signatories, four
clauses, two events, two citations), and fail with every statement listed when it changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from agreements.api.concurrency import etag
from agreements.models import Agreement, AgreementSource, Clause, Participant, StatusEvent

from .factories import PersonFactory, SourceFactory, category
from .test_admin import ADD_URL, form_data

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "Memorandum of understanding on military cooperation",
    "kind": "memorandum",
    "party_a": "IR",  # the editor's order; both interfaces store IQ, IR
    "party_b": "IQ",
    "place_of_signature": "Tehran",
    "evidence": "news_reports",
    "summary": "Cooperation against terrorism and on border security.",
}
CLAUSES = [
    (1, "Share experience against terrorism.", ["counterterrorism"]),
    (2, "Boost border security.", ["border-security"]),
    (3, "Logistical and technical support.", ["logistics", "technical-assistance"]),
    (4, "Exchange intelligence.", ["intelligence-sharing"]),
]


@pytest.fixture
def cast():
    """The people and sources both interfaces refer to."""
    return {
        "dehqan": PersonFactory(name="Hossein Dehqan"),
        "hayali": PersonFactory(name="Erfan Mahmoud al-Hayali"),
        "mehr": SourceFactory(title="Mehr News Agency report"),
        "irna": SourceFactory(title="IRNA report"),
    }


def api_body(cast: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        **FIELDS,
        "participants": [
            {"person": cast["dehqan"].pk, "party": "IR", "office": "Minister of Defence"},
            {"person": cast["hayali"].pk, "party": "IQ", "office": "Minister of Defence"},
        ],
        "clauses": [
            {"position": position, "text": text, "categories": slugs} for position, text, slugs in CLAUSES
        ],
        "events": [
            {"status": "signed", "date": "2017-07-23", "date_precision": "day", "source": cast["mehr"].pk},
            {"status": "ratified", "date": "2018-03-01", "date_precision": "month", "party": "IR"},
        ],
        "citations": [
            {"source": cast["mehr"].pk, "supports": "Signing and content"},
            {"source": cast["irna"].pk, "supports": "Ratification"},
        ],
    }
    return body | changes


def admin_post(body: dict[str, Any]) -> dict[str, Any]:
    """The same agreement as the admin's change form posts it."""

    def blank(row: dict[str, Any], *names: str) -> dict[str, Any]:
        return dict.fromkeys(names, "") | {k: v for k, v in row.items() if v is not None}

    return form_data(
        {name: body[name] for name in FIELDS},
        participants=[blank(row, "office", "rank", "note", "source") for row in body["participants"]],
        clauses=[
            blank(
                {**row, "categories": [str(category(slug).pk) for slug in row["categories"]]},
                "article",
                "source",
            )
            for row in body["clauses"]
        ],
        events=[blank(row, "party", "date_note", "note", "source") for row in body["events"]],
        citations=body["citations"],
    )


def stored(agreement: Agreement) -> dict[str, Any]:
    """What the database holds of an agreement, without ids and times."""
    return {
        "agreement": Agreement.objects.filter(pk=agreement.pk)
        .values(
            "title",
            "kind",
            "party_a",
            "party_b",
            "summary",
            "status",
            "signed_on",
            "version",
            "search_document",
        )
        .get(),
        "participants": sorted(
            Participant.objects.filter(agreement=agreement).values_list("person", "party", "office", "source")
        ),
        "clauses": sorted(
            (c.position, c.text, tuple(sorted(c.categories.values_list("slug", flat=True))))
            for c in Clause.objects.filter(agreement=agreement)
        ),
        "events": sorted(
            StatusEvent.objects.filter(agreement=agreement).values_list(
                "status", "date", "date_precision", "party"
            )
        ),
        "citations": sorted(
            AgreementSource.objects.filter(agreement=agreement).values_list("source", "supports")
        ),
        "periods": sorted(agreement.periods.values_list("status", "start", "end")),
    }


def recorded(agreement: Agreement) -> list[tuple]:
    """The history records of the agreement and its parts: what, how, and the version produced."""
    records = [(r.history_type, r.version, r.status) for r in agreement.history.order_by("history_id")]
    for model in (Participant, Clause, StatusEvent, AgreementSource):
        records += sorted(
            (model.__name__, r.history_type) for r in model.history.filter(agreement_id=agreement.pk)
        )
    return records


def test_the_same_agreement_through_the_admin_and_the_api_is_stored_and_recorded_alike(
    cast, editor_client, editor_api
):
    response = editor_api.post("/api/agreements/", api_body(cast), format="json")
    assert response.status_code == 201, response.json()
    through_api = Agreement.objects.get(pk=response.json()["id"])
    through_api_rows, through_api_history = stored(through_api), recorded(through_api)
    through_api.delete()

    response = editor_client.post(ADD_URL, admin_post(api_body(cast)))
    assert response.status_code == 302, response.context and response.context["errors"]
    through_admin = Agreement.objects.get()

    assert stored(through_admin) == through_api_rows
    assert recorded(through_admin) == through_api_history
    assert {r.interface for r in through_admin.history.all()} == {"admin"}


def api_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 400
    return response.json()["errors"]


def admin_errors(response) -> dict[str, list[str]]:
    """The page's messages keyed by the path the services use (``signatories[1].party``)."""
    assert response.status_code == 200
    found = {name: list(errors) for name, errors in response.context["adminform"].form.errors.items()}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for index, errors in enumerate(formset.errors):
            for name, messages in errors.items():
                found[f"{formset.prefix}[{index}].{name}"] = list(messages)
    return found


def _mistake(cast: dict[str, Any], mistake: str) -> dict[str, Any]:
    body = api_body(cast)
    if mistake == "same country twice":
        body["party_b"] = "IR"
    elif mistake == "signatory for a third country":
        body["participants"][1]["party"] = "SY"
    elif mistake == "a person listed twice":
        body["participants"][1]["person"] = cast["dehqan"].pk
    elif mistake == "two clauses at one position":
        body["clauses"][1]["position"] = 1
    elif mistake == "ratified before signed":
        body["events"][1]["date"] = "2017-07-01"
        body["events"][1]["date_precision"] = "day"
    return body


@pytest.mark.parametrize(
    "mistake",
    [
        "same country twice",
        "signatory for a third country",
        "a person listed twice",
        "two clauses at one position",
        "ratified before signed",
    ],
)
def test_the_same_mistake_gets_the_same_message_in_the_admin_and_the_api(
    cast, editor_client, editor_api, mistake
):
    body = _mistake(cast, mistake)
    through_api = api_errors(editor_api.post("/api/agreements/", body, format="json"))
    through_admin = admin_errors(editor_client.post(ADD_URL, admin_post(body)))
    assert through_admin == through_api
    assert not Agreement.objects.exists()


# --- Statements per write, pinned ---------------------------------------------------------------------


@pytest.fixture
def warm(cast, editor_api):
    """Content types and permissions cached, as in a running server."""
    ContentType.objects.get_for_model(Agreement)
    editor_api.get("/api/agreements/")


def test_creating_an_agreement_with_ten_parts_through_the_api(
    cast, editor_api, warm, django_assert_num_queries
):
    with django_assert_num_queries(CREATE_THROUGH_API):
        assert editor_api.post("/api/agreements/", api_body(cast), format="json").status_code == 201


def test_changing_an_agreement_with_ten_parts_through_the_api(
    cast, editor_api, warm, django_assert_num_queries
):
    document = editor_api.post("/api/agreements/", api_body(cast), format="json").json()
    change = {
        "summary": "Changed.",
        "clauses": [*api_body(cast)["clauses"][:3], {"position": 5, "text": "New."}],
    }
    with django_assert_num_queries(UPDATE_THROUGH_API):
        response = editor_api.patch(
            f"/api/agreements/{document['id']}/",
            change,
            format="json",
            HTTP_IF_MATCH=etag(document["id"], document["version"]),
        )
        assert response.status_code == 200


def test_creating_an_agreement_with_ten_parts_in_the_admin(
    cast, editor_client, warm, django_assert_num_queries
):
    post = admin_post(api_body(cast))
    editor_client.get(ADD_URL)
    with django_assert_num_queries(CREATE_IN_ADMIN):
        assert editor_client.post(ADD_URL, post).status_code == 302


def test_changing_an_agreement_with_ten_parts_in_the_admin(
    cast, editor_client, warm, django_assert_num_queries
):
    editor_client.post(ADD_URL, admin_post(api_body(cast)))
    agreement = Agreement.objects.get()
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    editor_client.get(url)

    def value(part, name: str) -> Any:
        return "" if getattr(part, name) is None else getattr(part, name)

    def rows(parts, *names: str) -> list[dict[str, Any]]:
        return [{"id": part.pk} | {name: value(part, name) for name in names} for part in parts]

    data = form_data(
        {
            **FIELDS,
            "party_a": "IQ",
            "party_b": "IR",
            "summary": "Changed.",
            "read_version": agreement.version,
        },
        participants=rows(
            agreement.participants.all(), "person_id", "party_id", "office", "rank", "note", "source_id"
        ),
        clauses=[
            row | {"categories": [str(pk) for pk in clause.categories.values_list("pk", flat=True)]}
            for row, clause in zip(
                rows(agreement.clauses.all(), "position", "text", "article", "source_id"),
                agreement.clauses.all(),
                strict=True,
            )
        ],
        events=rows(
            agreement.events.all(),
            "status",
            "date",
            "date_precision",
            "date_note",
            "party_id",
            "note",
            "source_id",
        ),
        citations=rows(agreement.citations.all(), "source_id", "supports"),
    )
    # The form's fields are named after the model's (person, party, source), not their columns.
    data = {key.removesuffix("_id") if key.count("-") == 2 else key: item for key, item in data.items()}
    with django_assert_num_queries(UPDATE_IN_ADMIN):
        response = editor_client.post(url, data)
        assert response.status_code == 302, admin_errors(response)
    agreement.refresh_from_db()
    assert agreement.summary == "Changed."
    assert agreement.history.count() == 2


# Statements per request. The admin's extra ones are its forms' own reads (each row's people,
# countries, sources and categories looked up to validate the choices, each row's check
# constraints asked by Django's model validation, the rows on the page before the change) and
# its change-log entry; the write itself is the same service call. Each counts the data version's
# bump before its transaction commits (agreements/dataversion.py); one fewer each since the change
# events read an agreement's categories with their parents in one query (issue 18's bulk import).
CREATE_THROUGH_API = 126
UPDATE_THROUGH_API = 96
CREATE_IN_ADMIN = 207
UPDATE_IN_ADMIN = 195
