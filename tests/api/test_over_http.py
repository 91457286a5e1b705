"""A program using only `requests` and a token, against a real server: the API's promise end to end."""

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agreements.models import Source

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def token(live_server) -> str:
    user = get_user_model().objects.create_user("client", password="a long enough password")
    user.groups.add(Group.objects.get(name="Editors"))
    response = requests.post(
        f"{live_server.url}/api/auth/token/",
        json={"username": "client", "password": "a long enough password"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["token"]


def test_a_client_creates_finds_updates_and_is_refused_a_stale_write(live_server, token):
    api = requests.Session()
    api.headers["Authorization"] = f"Token {token}"
    base = f"{live_server.url}/api"
    mehr = Source.objects.create(title="Mehr report", publisher="Mehr News Agency", licence="CC BY 4.0")

    created = api.post(
        f"{base}/agreements/",
        json={
            "title": "Memorandum of understanding on military cooperation",
            "kind": "memorandum",
            "party_a": "IR",
            "party_b": "IQ",
            "place_of_signature": "Tehran",
            "participants": [
                {
                    "person": {"name": "Hossein Dehqan", "other_names": [{"name": "Hossein Dehghan"}]},
                    "party": "IR",
                    "office": "Minister of Defence",
                },
                {
                    "person": {"name": "Erfan Mahmoud al-Hayali"},
                    "party": "IQ",
                    "office": "Minister of Defence",
                },
            ],
            "clauses": [
                {
                    "position": 1,
                    "text": "Share experience against terrorism.",
                    "categories": ["counterterrorism"],
                },
                {"position": 2, "text": "Boost border security.", "categories": ["border-security"]},
                {"position": 3, "text": "Logistical support.", "categories": ["logistics"]},
            ],
            "events": [{"status": "signed", "date": "2017-07-23", "source": mehr.pk}],
            "citations": [{"source": mehr.pk}],
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    agreement = created.json()

    for query in ({"pair": "IQ,IR"}, {"q": "Dehghan"}):
        found = api.get(f"{base}/agreements/", params=query, timeout=10).json()
        assert [row["id"] for row in found["results"]] == [agreement["id"]]

    clause_url = f"{base}/agreements/{agreement['id']}/clauses/{agreement['clauses'][1]['id']}/"
    read = api.get(f"{base}/agreements/{agreement['id']}/", timeout=10)
    updated = api.patch(
        clause_url,
        json={"text": "Boost border security with joint patrols."},
        headers={"If-Match": read.headers["ETag"]},
        timeout=10,
    )
    assert updated.status_code == 200
    stale = api.patch(
        clause_url, json={"text": "Overwrite"}, headers={"If-Match": read.headers["ETag"]}, timeout=10
    )
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]

    for method, url, kwargs, status in [
        (
            "post",
            f"{base}/agreements/",
            {"data": "not json", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("post", f"{base}/agreements/", {"json": {"title": "x", "party_a": "IR", "party_b": "IR"}}, 400),
        ("get", f"{base}/agreements/", {"params": {"pair": "IR"}}, 400),
        ("get", f"{base}/agreements/{2**63}/", {}, 404),
        ("patch", f"{base}/agreements/{agreement['id']}/", {"json": {"title": "x"}}, 428),
    ]:
        response = getattr(api, method)(url, timeout=10, **kwargs)
        assert response.status_code == status, (method, url, response.text)
        assert response.json()["detail"]
