"""The browsable API and the docs render for a person in a browser (session login)."""

import pytest

from agreements.models import Agreement

pytestmark = pytest.mark.django_db


def test_every_kind_of_page_renders_as_html(editor_client, demo_data):
    agreement = Agreement.objects.get(signed_on__year=2017)
    for url in [
        "/api/",
        "/api/agreements/",
        f"/api/agreements/{agreement.pk}/",
        f"/api/agreements/{agreement.pk}/clauses/",
        "/api/people/",
        "/api/docs/",
    ]:
        response = editor_client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert b"<html" in response.content.lower(), url
    page = editor_client.get(f"/api/agreements/{agreement.pk}/", HTTP_ACCEPT="text/html").content.decode()
    assert "al-Hayali" in page


def test_session_writes_need_the_csrf_token(editor, demo_data):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post("/api/people/", {"name": "X"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
