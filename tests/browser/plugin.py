"""Browser tests' plugin (loaded by tests/conftest.py): Debian's chromium driven by
Playwright, pages served by a live uvicorn.

Fixtures: ``browser`` (one headless chromium per session), ``page`` (a fresh browser context
per test; on failure its screenshot and HTML are kept and the report says where),
``live_server`` (serves any ASGI app on a free loopback port). Every test that uses the
browser is marked ``browser`` (``pytest -m browser`` runs them alone).

Chromium comes from ``make browser`` (Debian's package), never from ``playwright install``.
A missing chromium fails these tests, saying so: it is not a reason to skip them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.browser.live_server import LiveServer, serve

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Fail fast: a local page that needs more than this is broken, not slow.
ACTION_TIMEOUT_MS = 5_000
FAILURES_DIR = "browser-failures"
# Where the failure hook saves a failing test's page; the ``page`` fixture sets it.
FAILURES_ROOT = pytest.StashKey[Path]()


def chromium_path() -> Path:
    """The chromium to drive: ``HAVEN_TEST_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return Path(os.environ.get("HAVEN_TEST_CHROMIUM") or DEFAULT_CHROMIUM)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Before `-m` deselects: any test that reaches the browser, directly or through a fixture.
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def require_chromium() -> Path:
    """The chromium to drive; fails the test, saying how to install it, when it is missing."""
    executable = chromium_path()
    if not os.access(executable, os.X_OK):
        pytest.fail(f"chromium is missing ({executable}): run `make browser` (make test runs it first)")
    return executable


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium for the session."""
    executable = require_chromium()
    with sync_playwright() as playwright:
        # Playwright starts chromium without its sandbox unless asked. Root cannot have it
        # (chromium refuses to start sandboxed as root), so only other users ask for it. The
        # pages under test are the project's own, served on loopback.
        launched = playwright.chromium.launch(
            executable_path=str(executable), headless=True, chromium_sandbox=os.geteuid() != 0
        )
        yield launched
        launched.close()


@pytest.fixture
def page(
    browser: Browser, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Page]:
    """A page in its own browser context (no cookies or storage shared between tests). When
    the test fails, its screenshot and HTML go to ``browser-failures/<test>/`` in pytest's
    temporary folder, and the failure report lists the files."""
    # pytest's own temporary folder: owner-only, the last three runs kept.
    request.node.stash[FAILURES_ROOT] = tmp_path_factory.getbasetemp() / FAILURES_DIR
    context = browser.new_context()
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], LiveServer]]:
    """A factory: ``live_server(app)`` serves the ASGI app and returns its ``LiveServer``;
    every server it started stops when the test ends."""
    with ExitStack() as servers:
        yield lambda app: servers.enter_context(serve(app))


def save_failure_artifacts(page: Page, folder: Path) -> list[Path]:
    """Write the page's screenshot and HTML into ``folder``; return the files written.

    A page that can no longer answer (closed, crashed) yields what could be saved, and a
    note of what could not, instead of an error hiding the test's own failure.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        screenshot = folder / "screenshot.png"
        page.screenshot(path=screenshot, full_page=True)
        written.append(screenshot)
        html = folder / "page.html"
        html.write_text(page.content(), encoding="utf-8")
        written.append(html)
    except PlaywrightError as error:
        note = folder / "not-saved.txt"
        note.write_text(f"{type(error).__name__}: {error.message}\n", encoding="utf-8")
        written.append(note)
    return written


def record_failure(item: Any, report: pytest.TestReport, root: Path) -> list[Path]:
    """When the test body of ``item`` failed while holding a ``page``, save the page under
    ``root`` (one folder per test) and add the paths to the failure report."""
    page = getattr(item, "funcargs", {}).get("page")
    if report.when != "call" or not report.failed or page is None:
        return []
    folder = root / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")
    written = save_failure_artifacts(page, folder)
    report.sections.append(("browser failure", "\n".join(str(path) for path in written)))
    return written


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if FAILURES_ROOT in item.stash:
        record_failure(item, report, item.stash[FAILURES_ROOT])
