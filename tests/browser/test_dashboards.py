"""A policy analyst builds and publishes a dashboard from a released aggregate, in a real
browser; a member of the public reads it, and a map of provinces with JavaScript (drawn by
vega-embed under the Content-Security-Policy) and without (the server's SVG). Every page is
checked by axe-core (WCAG 2.1 A and AA) and, with ``HAVEN_SCREENSHOTS=DIR``, saved under a
clear name.

The release itself goes through the SPE and two stewards' votes (``spe.airlock``), as in
tests/portal; the browser journey of a release is in test_journeys.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from catalog.datasets.quality import record_label
from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from common.settings import Settings
from portal import provinces
from portal.app import create_app
from portal.pages import VEGA
from tests.browser.live_server import serve
from tests.browser.plugin import ACTION_TIMEOUT_MS
from tests.browser.test_journeys import PASSWORD, Portal, look, quick_hashes, sign_in, visit
from tests.catalog.factories import describe_lake
from tests.portal.conftest import ACCOUNTS
from tests.portal.dashboard_factories import ADA, MAP_TITLES, MINISTRY, TITLES, compose, released_world
from tests.portal.spe_factories import SECOND_STEWARD_NAME
from tests.portal.test_catalogue import LABEL

__all__ = ["quick_hashes"]
pytestmark = pytest.mark.browser
RELEASED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _served(tmp_path: Path, *, provinces: bool = False) -> Iterator[tuple[Portal, str]]:
    settings = Settings(home=tmp_path / "instance")
    with unit_of_work(settings) as store:
        describe_lake(store)
        record_label(store, "claims", 1, "run-1", LABEL, at=RELEASED_AT)
        system = store.get_user("system")
        for role, username in ACCOUNTS.items():
            users.create_user(store, system, username, {Role(role)}, PASSWORD)
    aggregate = released_world(settings, RELEASED_AT, silver=1, provinces=provinces)
    with serve(create_app(settings)) as server:
        yield Portal(settings, server, []), aggregate


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[Portal, str]]:
    """An instance with the portal's accounts, a released table of persons per kind (its
    permit built from claims silver version 1, which has a quality label), served on loopback."""
    yield from _served(tmp_path)


@pytest.fixture
def map_portal(tmp_path: Path) -> Iterator[tuple[Portal, str]]:
    """The same with a released table of persons per province."""
    yield from _served(tmp_path, provinces=True)


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    contexts = []

    def open_page(*, javascript: bool = True, page_scripts: bool = True) -> Page:
        """A page in a context of its own; without ``javascript`` nothing runs in it (nor can
        axe, whose checks wait on timers); without ``page_scripts`` the page's own scripts are
        not served, so that axe checks the very document a reader without JavaScript gets."""
        context = browser.new_context(java_script_enabled=javascript)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        if not page_scripts:
            context.route(
                "**/*",
                lambda route: route.abort() if route.request.resource_type == "script" else route.continue_(),
            )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def expect_the_numbers(page: Page) -> None:
    """The table under the chart: GP's count, and SPEC's cell named as suppressed."""
    rows = page.locator(".dashboard-panel table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(["GP", "14"])
    expect(rows.nth(1).locator("td")).to_have_text(["SPEC", "suppressed"])


def test_a_policy_analyst_builds_and_publishes_a_dashboard_and_the_public_reads_it(
    page: Page, portal: tuple[Portal, str], new_page: Callable[[], Page]
) -> None:
    served, aggregate = portal
    ada = page
    sign_in(ada, served, ADA)
    ada.get_by_role("navigation", name="Main menu").get_by_role("link", name="Dashboards").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text("Dashboards")
    look(ada, "dashboards-analyst")
    ada.get_by_role("link", name="Compose a dashboard").click()
    look(ada, "dashboard-compose")

    ada.get_by_label(aggregate, exact=False).check()
    ada.get_by_label("Chart (Vega-Lite, optional)").fill(
        '{"mark": "bar", "encoding": {"x": {"field": "kind", "type": "nominal"}, '
        '"y": {"field": "persons", "type": "quantitative", "aggregate": "sum"}}}'
    )
    for code, language in (("fr", "Français"), ("nl", "Nederlands"), ("de", "Deutsch"), ("en", "English")):
        ada.get_by_label(f"Title in {language}").fill(TITLES[code])
    ada.get_by_label("The public").check()
    ada.get_by_role("button", name="Save as a draft").click()
    summary = ada.get_by_role("alert")
    expect(summary).to_contain_text("aggregate computes new numbers: only display settings are allowed.")
    look(ada, "dashboard-refused")

    ada.get_by_label("Chart (Vega-Lite, optional)").fill("")
    ada.get_by_label("Notes in English (optional)").fill("Persons with at least one claim, per kind of care.")
    ada.get_by_role("button", name="Save as a draft").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text(TITLES["en"])
    expect(ada.locator("dl.facts").first).to_contain_text("Draft")
    expect_the_numbers(ada)
    look(ada, "dashboard-draft")
    ada.get_by_role("button", name="Publish the dashboard").click()
    expect(ada.locator("dl.facts").first).to_contain_text("Published")
    look(ada, "dashboard-published")
    path = ada.url.split(served(""), 1)[1] if ada.url.startswith(served("")) else ada.url

    public = new_page()
    visit(public, served("/dashboards"), "dashboards-public")
    public.get_by_role("link", name=TITLES["en"]).click()
    expect(public.get_by_role("heading", level=1)).to_have_text(TITLES["en"])
    expect_the_numbers(public)
    footer = public.locator(".provenance")
    # The reviewers by name, or by role when they have none; never their usernames (emails).
    expect(footer).to_contain_text(f"Data steward, {SECOND_STEWARD_NAME}")
    expect(footer).not_to_contain_text("@")
    expect(footer).to_contain_text("claims: silver claims version 1.")
    expect(footer).to_contain_text("EHDS quality and utility label, silver version 1")
    expect(footer).to_contain_text("1 January 2025 to 31 December 2025")
    chart = public.locator("figure.dashboard-chart")
    expect(chart).to_be_visible()
    if VEGA.is_file():  # vendored (make browser): vega-embed redraws the chart live, no eval needed
        expect(chart.locator(".dashboard-chart-live svg")).to_be_visible()
        expect(chart.locator("img")).to_have_count(0)
    else:
        expect(chart.locator("img")).to_be_visible()
    look(public, "dashboard-public")
    assert public.url.endswith(path)
    with public.expect_download() as download:
        public.get_by_role("link", name="Download the numbers (CSV)").click()
    assert Path(download.value.path()).read_bytes() == b"kind,persons\r\nGP,14\r\nSPEC,\r\n"
    with unit_of_work(served.settings) as store:
        assert store.get_user(ADA).organisation == MINISTRY


def expect_the_map(page: Page) -> None:
    """The table under the map (the row of no province and the suppressed cell included) and
    the sentence counting the row the map cannot draw."""
    rows = page.locator(".dashboard-panel table tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(2).locator("td")).to_have_text(["East Flanders (40000)", "suppressed"])
    expect(rows.nth(4).locator("td")).to_have_text(["other", "15"])
    expect(page.locator(".map-off")).to_contain_text("Rows not on the map: 1.")


def test_a_map_of_provinces_reads_with_and_without_javascript(
    map_portal: tuple[Portal, str], new_page: Callable[..., Page]
) -> None:
    served, aggregate = map_portal
    assert provinces.shapes() is not None, f"the provinces' boundaries are missing: run `{provinces.SETUP}`"
    titles = {f"title_{lang}": title for lang, title in MAP_TITLES.items()}
    dashboard = compose(served.settings, ADA, aggregate, publish=True, kind="map", **titles)
    address = served(f"/dashboards/{dashboard.dashboard_id}")

    scripted = new_page()
    scripted.goto(address)
    chart = scripted.locator("figure.dashboard-chart")
    if VEGA.is_file():  # vendored: vega-embed draws the map live, with the interpreter (no eval)
        shapes = chart.locator('.dashboard-chart-live path[aria-roledescription="geoshape"]')
        expect(shapes).to_have_count(11)
        expect(
            chart.locator('.dashboard-chart-live path[aria-label="East Flanders: suppressed"]')
        ).to_have_count(1)
        expect(chart.locator('.dashboard-chart-live path[aria-label="Antwerp: 40"]')).to_have_count(1)
        expect(chart.locator("img")).to_have_count(0)
    else:
        expect(chart.locator("img")).to_be_visible()
    expect_the_map(scripted)
    look(scripted, "dashboard-map")

    for plain in (new_page(javascript=False), new_page(page_scripts=False)):
        plain.goto(address)
        image = plain.locator("figure.dashboard-chart img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # the server's SVG loaded
        expect(plain.locator(".dashboard-chart-live")).to_have_count(0)
        expect_the_map(plain)
    look(plain, "dashboard-map-no-javascript")
