"""A real browser for the journeys: Playwright driving Debian's Chromium against ``live_server``.

One Chromium for the whole session, a fresh context (cookies, storage) per test. Without
``/usr/bin/chromium`` the journeys are skipped with one message, unless ``REQUIRE_BROWSER=1``
(CI), which makes a missing browser an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Playwright cannot download a browser here; Debian's Chromium, quiet and sandbox-free (CI runs as root).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        message = f"Browser journeys need Chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message} REQUIRE_BROWSER=1 makes this an error.", pytrace=False)
        # Raised here, once for the session: pytest folds the skips into one line of its summary.
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # The sync API keeps an asyncio loop in this thread; the ORM calls that tests make between
    # browser steps are still plain synchronous code, so Django's guard is lifted (tests only).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(browser, live_server):
    """Makes browser contexts on the live server; each is closed when the test ends."""
    contexts = []

    def make():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        # Auto-waiting covers slow pages; a step that waits longer than this is a bug.
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def make_user(username: str, group: str):
    """A staff user in one of the groups the migrations create."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def log_in(live_server):
    """Gives a browser context the session of a signed-in user, without the login form."""

    def sign_in(context, user) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    return sign_in


def screenshot(page, journey: str) -> Path:
    """A full-page picture of what the test saw, for a person to look at (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{journey}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
