"""A real browser for the journeys: Playwright driving Debian's Chromium against the site as
``make serve`` serves it: gunicorn with gunicorn.conf.py, production settings (``DEBUG`` off,
the static files collected and served by WhiteNoise), on the test database
(``tests/servers.py``; the only departure is plain HTTP on loopback).

One server and one Chromium for the whole session, a fresh context (cookies, storage) per
test. A journey fails on any console error or uncaught script error, and on any 4xx or 5xx
answer to a request of the page's own (a stylesheet, a script, the favicon, a fetch): an
unstyled admin, a blank Swagger UI or a chart that never loads cannot pass. Without
``/usr/bin/chromium`` the journeys are set aside with one message, unless
``REQUIRE_BROWSER=1`` (CI), which makes a missing browser an error. Each journey saves a
full-page screenshot to ``tests/screenshots/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client

from ..servers import Server

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from playwright.sync_api import Browser, BrowserContext, Page

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
_NOT_RUN = pytest.StashKey[int]()


def _missing_browser() -> str | None:
    if CHROMIUM.exists():
        return None
    return f"no Chromium at {CHROMIUM} (apt-get install chromium)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Seven identical skip lines would bury the point; the journeys are set aside and the
    # summary says why, once. With REQUIRE_BROWSER=1 (CI) they stay, and the fixture fails them.
    if _missing_browser() is None or os.environ.get("REQUIRE_BROWSER") == "1":
        return
    here = Path(__file__).parent
    journeys = [item for item in items if here in item.path.parents]
    if journeys:
        config.hook.pytest_deselected(items=journeys)
        items[:] = [item for item in items if item not in journeys]
        config.stash[_NOT_RUN] = len(journeys)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if config.stash.get(_NOT_RUN, 0):
        terminalreporter.write_line(
            f"{config.stash[_NOT_RUN]} browser journeys not run: {_missing_browser()}.", yellow=True
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    missing = _missing_browser()
    if missing:
        pytest.fail(f"Browser journeys cannot run: {missing}; REQUIRE_BROWSER=1 is set.", pytrace=False)
    from playwright.sync_api import sync_playwright

    # The sync API keeps an asyncio loop in this thread; the ORM calls that tests make between
    # browser steps are still plain synchronous code, so Django's guard is lifted (tests only).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    prepared = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            _adopt_prepared_connections(prepared)
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
            # Closed while they are still the ones in use, or the test database could not be
            # dropped at the end of the run ("being accessed by other users").
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _adopt_prepared_connections(prepared: dict) -> None:
    """Give the connections the test code now sees what pytest-django stored on the old ones.

    Between its calls, Playwright's sync API leaves its loop marked as running in this thread,
    and Django then keeps database connections per async context: from here on the tests get
    new connection objects. The data that ``serialized_rollback`` reloads after each flush
    (countries, categories, groups: what the migrations wrote) lives on the connection object;
    without it the first transactional test after the browser started empties the database
    for every later one.
    """
    for alias, connection in prepared.items():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None and connections[alias] is not connection:
            connections[alias]._test_serialized_contents = contents


@dataclass
class Site:
    """The production server, for one test (whose data it reads, committed: transactional)."""

    url: str


@pytest.fixture
def site(transactional_db, production_server: Server) -> Site:
    return Site(production_server.url)


@dataclass
class Problems:
    """What went wrong in the browser: console errors, script errors, refused resources."""

    seen: list[str] = field(default_factory=list)
    # Statuses a test expects for a URL path of its own (e.g. a 403 it provokes on purpose).
    allowed: dict[str, int] = field(default_factory=dict)

    def watch(self, context: BrowserContext, origin: str) -> None:
        context.on("console", self._console)
        context.on("weberror", lambda error: self.seen.append(f"script error: {error.error}"))
        context.on("response", lambda response: self._response(response, origin))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # The browser also logs each refused resource; one the test expects is not a problem.
        refused = re.search(r"status of (\d{3})", message.text)
        if refused and self.allowed.get(urlsplit(where).path) == int(refused.group(1)):
            return
        self.seen.append(f"console error: {message.text} ({where})")

    def _response(self, response, origin: str) -> None:
        url = urlsplit(response.url)
        if response.status >= 400 and url.netloc == origin and self.allowed.get(url.path) != response.status:
            self.seen.append(f"{response.status} for {response.request.resource_type} {url.path}")


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def new_context(browser: Browser, site: Site, problems: Problems) -> Iterator[Callable[[], BrowserContext]]:
    """Makes browser contexts on the production server; each is closed when the test ends, and
    the test fails if any of them saw a problem (``Problems``)."""
    contexts: list[BrowserContext] = []
    origin = urlsplit(site.url).netloc

    def make() -> BrowserContext:
        context = browser.new_context(
            base_url=site.url,
            viewport={"width": 1280, "height": 900},
            # As a British editor sees the site (LANGUAGE_CODE en-gb): dates typed day first.
            locale="en-GB",
            timezone_id="UTC",
            accept_downloads=True,
        )
        # Auto-waiting covers slow pages; a step that waits longer than this is a bug.
        context.set_default_timeout(15_000)
        problems.watch(context, origin)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert problems.seen == [], "the browser saw:\n" + "\n".join(problems.seen)


@pytest.fixture
def page(new_context: Callable[[], BrowserContext]) -> Page:
    return new_context().new_page()


def make_user(username: str, group: str) -> User:
    """A staff user in one of the groups the migrations create."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    # Hashed as the server hashes (the suite's own hasher, MD5 for speed, is not one it knows).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def log_in(site: Site) -> Callable[[BrowserContext, User], None]:
    """Gives a browser context the session of a signed-in user, without the login form."""

    def sign_in(context: BrowserContext, user: User) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": site.url}])

    return sign_in


def screenshot(page: Page, journey: str) -> Path:
    """A full-page picture of what the test saw, for a person to look at (git-ignored).

    Also checks that the page fits the window's width: a form that scrolls sideways hides
    its last columns (the admin's inlines did).
    """
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{journey}: the page is {overflow}px wider than the window"
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{journey}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
