"""A client generated from the live schema by ``openapi-python-client`` does no harm.

Generated once per session from ``/api/schema/`` of the live server into a temporary
directory, imported, and driven against that server: an agreement with every kind of part
is created; one field of the agreement and of each part is PATCHed and every other field
read back unchanged (issue 15: the schema's defaults once made a one-field PATCH blank the
rest); a stale ETag gets 412 with the current one; a part write with the right ETag succeeds.
Its token is sent as ``Bearer`` (the generated client's way).
"""

from __future__ import annotations

import copy
import datetime
import importlib
import json
import subprocess
import sys
from typing import Any

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

pytestmark = [pytest.mark.generated_client, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PACKAGE = "tracker_client"
# What every write to an agreement or its parts changes besides the field sent.
BOOKKEEPING = {"version", "updated_at"}


@pytest.fixture(scope="session")
def generated(live_server, tmp_path_factory) -> Any:
    """The generated package, imported (``tracker_client``)."""
    work = tmp_path_factory.mktemp("generated-client")
    schema = requests.get(
        f"{live_server.url}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}, timeout=60
    )
    schema.raise_for_status()
    (work / "schema.json").write_bytes(schema.content)
    # No post hooks: the generator would otherwise look for ruff on PATH to format its output.
    (work / "config.yaml").write_text("post_hooks: []\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(work / "schema.json"),
            "--config",
            str(work / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(work / PACKAGE),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, "every part of the schema should generate"
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def tracker(generated, live_server) -> Any:
    user = get_user_model().objects.create_user("generated", password="a long enough password")
    user.groups.add(Group.objects.get(name="Editors"))
    token = requests.post(
        f"{live_server.url}/api/auth/token/",
        json={"username": "generated", "password": "a long enough password"},
        timeout=10,
    ).json()["token"]
    # Undeclared status codes raise: the schema must list every answer the server gives here.
    return generated.AuthenticatedClient(
        base_url=live_server.url, token=token, raise_on_unexpected_status=True
    )


def call(client: Any, operation: str, *args: Any, expect: int, **kwargs: Any) -> Any:
    """One generated operation (``agreements.agreements_create``); its raw response, checked."""
    response = module(f"api.{operation}").sync_detailed(*args, client=client, **kwargs)
    assert response.status_code == expect, response.content
    return response


def document(response: Any) -> dict:
    return json.loads(response.content)


def test_a_generated_client_changes_only_what_it_sends(tracker):
    models = module("models")
    source = call(
        tracker,
        "sources.sources_create",
        body=models.SourceRequest(title="Mehr report", publisher="Mehr News Agency"),
        expect=201,
    ).parsed
    person = call(
        tracker, "people.people_create", body=models.PersonRequest(name="Hossein Dehqan"), expect=201
    ).parsed
    created = call(
        tracker,
        "agreements.agreements_create",
        body=models.AgreementRequest(
            title="Memorandum of understanding on military cooperation",
            party_a="IR",
            party_b="IQ",
            kind=models.AgreementKindEnum.TREATY,
            summary="Cooperation against terrorism and on the border.",
            evidence=models.EvidenceEnum.OFFICIAL_TEXT,
            unts_registration="I-99999",
            disclosure=models.DisclosureEnum.PUBLISHED,
            place_of_signature="Tehran",
            participants=[
                models.ParticipantRequest(
                    person=person.id, party="IR", office="Minister of Defence", rank="Brigadier General"
                )
            ],
            clauses=[
                models.ClauseRequest(
                    position=1, article="Art. 1", text="Share experience.", categories=["counterterrorism"]
                )
            ],
            events=[
                models.StatusEventRequest(
                    status=models.EventTypeEnum.SIGNED,
                    date=datetime.date(2017, 7, 23),
                    date_note="'on Sunday'",
                    note="In Tehran.",
                    source=source.id,
                )
            ],
            citations=[models.CitationRequest(source=source.id, supports="Signing and content")],
            commitments=[
                models.CommitmentRequest(
                    party="IQ",
                    text="Send a delegation.",
                    clauses=[1],
                    due_on=datetime.date(2017, 12, 31),
                    due_note="within the year",
                    events=[
                        models.ImplementationEventRequest(
                            kind=models.ImplementationKindEnum.PROGRESS,
                            date=datetime.date(2017, 9, 1),
                            note="Named.",
                        )
                    ],
                )
            ],
        ),
        expect=201,
    )
    agreement_id = document(created)["id"]
    assert created.headers["Location"].endswith(f"/api/agreements/{agreement_id}/")
    before, tag = document(created), created.headers["ETag"]

    def expect_only(after: dict, changed: dict[tuple, Any]) -> None:
        """``after`` is ``before`` with ``changed`` (``{(key, index, key): value}``) and a new version."""
        wanted = copy.deepcopy(before)
        for key in BOOKKEEPING:
            wanted[key] = after[key]
        for where, value in changed.items():
            target = wanted
            for step in where[:-1]:
                target = target[step]
            target[where[-1]] = value
        assert after == wanted

    # The agreement: one field.
    patched = call(
        tracker,
        "agreements.agreements_partial_update",
        agreement_id,
        body=models.PatchedAgreementRequest(place_of_signature="Baghdad"),
        if_match=tag,
        expect=200,
    )
    expect_only(document(patched), {("place_of_signature",): "Baghdad"})
    before, tag = document(patched), patched.headers["ETag"]

    # A stale ETag: 412, with the current one.
    stale_tag = created.headers["ETag"]
    stale = call(
        tracker,
        "agreements.agreements_partial_update",
        agreement_id,
        body=models.PatchedAgreementRequest(summary="Overwritten?"),
        if_match=stale_tag,
        expect=412,
    )
    assert stale.headers["ETag"] == tag
    stale_part = call(
        tracker,
        "agreements.agreements_clauses_partial_update",
        agreement_id,
        before["clauses"][0]["id"],
        body=models.PatchedClauseRequest(text="Overwritten?"),
        if_match=stale_tag,
        expect=412,
    )
    assert stale_part.headers["ETag"] == tag

    # Each kind of part: one field, with the right ETag.
    for collection, key, body, field in (
        ("participants", "id", models.PatchedParticipantRequest(office="Former minister"), "office"),
        ("clauses", "id", models.PatchedClauseRequest(article="Art. 1(2)"), "article"),
        ("events", "id", models.PatchedStatusEventRequest(note="In Tehran, on a Sunday."), "note"),
        ("citations", "source", models.PatchedCitationRequest(supports="Signing"), "supports"),
        ("commitments", "id", models.PatchedCommitmentRequest(due_note="by year end"), "due_note"),
    ):
        value = body.to_dict()[field]
        part = before[collection][0]
        response = call(
            tracker,
            f"agreements.agreements_{collection}_partial_update",
            agreement_id,
            part[key],
            body=body,
            if_match=tag,
            expect=200,
        )
        assert body.to_dict() == {field: value}, "the generated model sends the one field set"
        assert document(response) == {**part, field: value}
        tag = response.headers["ETag"]
        after = document(call(tracker, "agreements.agreements_retrieve", agreement_id, expect=200))
        expect_only(after, {(collection, 0, field): value})
        before = after

    # Nothing of the first create was lost on the way.
    final = document(call(tracker, "agreements.agreements_retrieve", agreement_id, expect=200))
    assert final["summary"] == "Cooperation against terrorism and on the border."
    assert (final["kind"], final["evidence"], final["disclosure"]) == ("treaty", "official_text", "published")
    assert final["unts_registration"] == "I-99999"
    assert final["participants"][0]["rank"] == "Brigadier General"
    assert final["commitments"][0]["events"][0]["note"] == "Named."


def test_a_generated_client_adds_a_part_with_the_agreements_etag(tracker):
    models = module("models")
    created = call(
        tracker,
        "agreements.agreements_create",
        body=models.AgreementRequest(title="Exchange of notes", party_a="IQ", party_b="TR"),
        expect=201,
    )
    agreement_id, tag = document(created)["id"], created.headers["ETag"]
    added = call(
        tracker,
        "agreements.agreements_clauses_create",
        agreement_id,
        body=models.ClauseRequest(position=1, text="Water flows."),
        if_match=tag,
        expect=201,
    )
    assert added.parsed.text == "Water flows."
    assert added.headers["ETag"] != tag
    assert added.headers["Location"].endswith(f"/api/agreements/{agreement_id}/clauses/{added.parsed.id}/")
    again = call(
        tracker,
        "agreements.agreements_clauses_create",
        agreement_id,
        body=models.ClauseRequest(position=2, text="Again, stale."),
        if_match=tag,
        expect=412,
    )
    assert again.headers["ETag"] == added.headers["ETag"]
