"""The portal in a real browser: Debian's chromium through Playwright, the app served by
uvicorn on loopback over a fresh instance (the lake's datasets described, one account per
role). Every page visited is checked by axe-core (WCAG 2.1 A and AA), and the journey uses
the keyboard where a person would.

With ``HAVEN_SCREENSHOTS=DIR`` the tests also save the screenshots the README shows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from common.settings import Settings, get_settings, reset_settings
from portal.app import create_app
from tests.browser.accessibility import assert_accessible
from tests.browser.live_server import LiveServer
from tests.catalog.factories import describe_lake

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
ACCOUNTS = {
    "researcher": "rita@example.be",
    "steward": "sam@example.be",
    "policy_analyst": "ana@example.be",
    "operator": "otto@example.be",
    "citizen": "cito@example.be",
}


@pytest.fixture
def portal(
    haven_home: Path, monkeypatch: pytest.MonkeyPatch, live_server: Callable[[Any], LiveServer]
) -> Iterator[LiveServer]:
    """The portal of a fresh instance, served on loopback."""
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setenv("HAVEN_CATALOG_URL", f"sqlite:///{haven_home / 'catalog.db'}")
    reset_settings()
    settings: Settings = get_settings()
    with unit_of_work(settings) as store:
        describe_lake(store)
        for role, username in ACCOUNTS.items():
            users.create_user(store, store.get_user("system"), username, {Role(role)}, PASSWORD)
    yield live_server(create_app(settings))


def visit(page: Page, url: str, shot: str | None = None) -> None:
    """Open ``url``, check the page with axe, and save it as ``shot`` when asked."""
    page.goto(url)
    assert_accessible(page)
    folder = os.environ.get("HAVEN_SCREENSHOTS")
    if shot and folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{shot}.png"), full_page=True)


def sign_in(page: Page, portal: LiveServer, username: str) -> None:
    visit(page, portal("/sign-in"), "sign-in")
    page.get_by_label(re.compile("e-mail|user", re.I)).first.fill(username)
    page.get_by_label(re.compile("password", re.I)).first.fill(PASSWORD)
    page.get_by_label(re.compile("password", re.I)).first.press("Enter")
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def test_a_visitor_reads_the_catalogue_signs_in_switches_language_and_signs_out(
    page: Page, portal: LiveServer
) -> None:
    visit(page, portal("/"), "home")
    # The first Tab reaches the skip link, which moves the focus to the main content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    visit(page, portal("/datasets"), "catalogue")
    cards = page.locator("li.card")
    expect(cards).to_have_count(7)
    page.get_by_role("link", name=re.compile("wellness", re.I)).first.click()
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("wellness", re.I))
    expect(page.get_by_text(re.compile("patient-entered|entered by", re.I)).first).to_be_visible()

    sign_in(page, portal, ACCOUNTS["researcher"])
    visit(page, portal("/datasets"), "catalogue-researcher")
    # A researcher without application or permit sees that on every card.
    expect(page.locator("li.card").filter(has_text=re.compile("no access", re.I))).to_have_count(7)

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_accessible(page)
    visit(page, portal("/datasets/claims"), "dataset-fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_role("button", name=re.compile("Se déconnecter")).click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Se connecter")).to_be_visible()


def test_a_wrong_password_gives_an_error_summary_that_leads_to_the_field(
    page: Page, portal: LiveServer
) -> None:
    visit(page, portal("/sign-in"))
    page.get_by_label(re.compile("e-mail|user", re.I)).first.fill(ACCOUNTS["steward"])
    page.get_by_label(re.compile("password", re.I)).first.fill("not the password at all")
    page.get_by_label(re.compile("password", re.I)).first.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused in {"username", "password"}
