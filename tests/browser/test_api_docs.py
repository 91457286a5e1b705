"""Journey 6: the API docs render from our own server, with no request leaving the machine."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_api_docs_list_the_operations_offline(page, site):
    ours = urlsplit(site.url).netloc
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # Anything bound elsewhere is refused too, so that a regression fails here instead of
    # depending on this machine's network.
    page.route(lambda url: urlsplit(url).netloc != ours, lambda route: route.abort())

    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Bilateral agreement tracker API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 20
    expect(page.locator(".opblock-summary-path", has_text="/api/reports/pairs/").first).to_be_visible()
    screenshot(page, "6-api-docs")

    assert any(url.endswith("/api/schema/") for url in requested)
    elsewhere = [url for url in requested if urlsplit(url).scheme != "data" and urlsplit(url).netloc != ours]
    assert elsewhere == []
