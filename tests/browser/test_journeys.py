"""Journeys through the portal in a real browser, one per kind of user; every page is checked
by axe-core (WCAG 2.1 A and AA) and, with ``HAVEN_SCREENSHOTS=DIR``, saved under a clear name.

The researcher and two stewards go from an application to a released CSV through the pages
alone, each in their own browser context; the one step not taken in the browser is the
permit's build, which writes the permit's tables (the Spark build itself is proven by
``tests/e2e``). The other users' journeys only read, so they share one instance. A double
click on a form that creates a record creates one, and a form works with the keyboard alone,
its focus always visible.
"""

from __future__ import annotations

import asyncio
import csv
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, expect

from catalog.datasets.quality import record_label
from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from catalog.permits import drafts
from common.settings import Settings
from portal.app import create_app
from portal.applications.forms import FIELDS, LISTS
from tests.browser.accessibility import assert_accessible
from tests.browser.live_server import LiveServer, serve
from tests.browser.plugin import ACTION_TIMEOUT_MS
from tests.catalog.factories import describe_lake
from tests.portal.application_steps import ANSWERS
from tests.portal.spe_factories import BY_KIND, NEEDED_FOR, SHOWS, grant, publish_claims
from tests.portal.test_catalogue import LABEL

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
RITA, SAM, STEVE = "rita@example.be", "sam@example.be", "steve@example.be"
ANA, OTTO, CITO = "ana@example.be", "otto@example.be", "cito@example.be"
ACCOUNTS = {
    RITA: Role.RESEARCHER,
    SAM: Role.STEWARD,
    STEVE: Role.STEWARD,
    ANA: Role.POLICY_ANALYST,
    OTTO: Role.OPERATOR,
    CITO: Role.CITIZEN,
}
# What the released CSV holds: publish_claims' persons per kind (GP 14, SPEC 12, LAB 3) after
# disclosure control. LAB is too small and would follow from the total and SPEC, so only GP's
# count leaves; the LAB row, all of it suppressed, does not leave at all.
RELEASED_CSV = [["kind", "persons"], ["GP", "14"], ["SPEC", ""]]
SAM_REASON = "Counts per kind of claim; no small cell is shown."
STEVE_REASON = "Aggregates only, and the small group stays hidden."
SMALL = "SELECT count(DISTINCT person_id) AS persons FROM claims WHERE kind = 'LAB'"
LABELLED_AT = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
# How late the double-click tests' forms answer, and the pause inside each click: the two
# clicks land 2 x CLICK_HOLD_MS apart, both within the window, so the browser sends both.
DOUBLE_CLICK_WINDOW_S = 0.6
CLICK_HOLD_MS = 100


@dataclass(frozen=True)
class Portal:
    """A served instance: its settings (to write what the pipeline would write) and its URL."""

    settings: Settings
    server: LiveServer
    handled_posts: list[str]  # with ``post_delay`` only

    def __call__(self, path: str = "/") -> str:
        return self.server(path)


@pytest.fixture(scope="module", autouse=True)
def quick_hashes() -> Iterator[None]:
    """Argon2 with small costs: the same code path, a fraction of the time per sign-in."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


def held_posts(app: Any, seconds: float, handled: list[str]) -> Any:
    """``app`` taking up every POST but the sign-in ``seconds`` late, as over a slow network,
    so that a second click lands while the first submission is on its way; the path of each
    POST it handled goes to ``handled``."""

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] != "/sign-in":
            await asyncio.sleep(seconds)
            await app(scope, receive, send)
            handled.append(scope["path"])
        else:
            await app(scope, receive, send)

    return slow


@contextmanager
def running_portal(home: Path, *, post_delay: float = 0) -> Iterator[Portal]:
    """A fresh instance in ``home`` (the lake's datasets described, claims with a quality
    label, one account per kind of user and a second steward), served on loopback."""
    settings = Settings(home=home)
    with unit_of_work(settings) as store:
        describe_lake(store)
        record_label(store, "claims", 1, "run-1", LABEL, at=LABELLED_AT)
        store.add_dataset_version("claims", 1, LABELLED_AT, 4321)
        system = store.get_user("system")
        for username, role in ACCOUNTS.items():
            users.create_user(store, system, username, {role}, PASSWORD)
    app, handled = create_app(settings), []
    with serve(held_posts(app, post_delay, handled) if post_delay else app) as server:
        yield Portal(settings, server, handled)


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    """An instance of this test's own: for journeys that change it."""
    with running_portal(tmp_path / "instance") as served:
        yield served


@pytest.fixture
def slow_portal(tmp_path: Path) -> Iterator[Portal]:
    """An instance of this test's own whose forms answer late (``DOUBLE_CLICK_WINDOW_S``)."""
    with running_portal(tmp_path / "instance", post_delay=DOUBLE_CLICK_WINDOW_S) as served:
        yield served


@pytest.fixture(scope="module")
def shared_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """One instance for the journeys that only read (signing in and choosing a language aside)."""
    with running_portal(tmp_path_factory.mktemp("shared") / "instance") as served:
        yield served


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens a page in a browser context of its own (another person at another computer)."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context()
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def look(page: Page, shot: str | None = None) -> None:
    """Check the page as it stands with axe; save it as ``shot`` when screenshots are asked for."""
    assert_accessible(page)
    folder = os.environ.get("HAVEN_SCREENSHOTS")
    if shot and folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{shot}.png"), full_page=True)


def visit(page: Page, url: str, shot: str | None = None) -> None:
    page.goto(url)
    look(page, shot)


def sign_in(page: Page, portal: Portal, username: str, shot: str | None = None) -> None:
    visit(page, portal("/sign-in"), shot)
    page.get_by_label("User name (your email address)").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()
    look(page)


def menu(page: Page, name: str | re.Pattern[str]) -> Any:
    """A link of the main menu in the header."""
    return page.get_by_role("navigation", name="Main menu").get_by_role("link", name=name)


def expect_unread(page: Page, count: int) -> None:
    """The header's notifications link says how many are unread."""
    expect(menu(page, re.compile("^Notifications"))).to_have_text(
        f"Notifications ({count} unread)" if count else "Notifications"
    )


def continue_to(page: Page, heading: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    look(page)


def apply_through_the_task_list(page: Page) -> str:
    """Apply for a permit on the claims dataset, section by section; the application's id."""
    menu(page, "My applications").click()
    page.get_by_role("link", name="Apply for a data permit").click()
    look(page, "apply-start")
    page.get_by_role("button", name="Start an application").click()
    expect(page.get_by_text("You have completed 0 of 7 sections.")).to_be_visible()
    look(page, "apply-task-list")

    page.get_by_role("link", name="Purpose", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Purpose")
    look(page)
    purpose = ANSWERS["purpose"]
    page.get_by_label("Title of the project").fill("Anti")  # too short: one error, next to its field
    page.get_by_label("Organisation applying").fill(purpose["organisation"])
    page.get_by_label("University or research institute").check()
    page.get_by_label("Scientific research, including innovation and AI").check()
    page.get_by_label("Lay summary").fill(purpose["summary"])
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Write from 5 to 300 characters; you wrote 4.")
    expect(summary.get_by_role("listitem")).to_have_count(1)
    expect(page.locator("#title-error")).to_contain_text("Write from 5 to 300 characters; you wrote 4.")
    expect(page.get_by_label("Title of the project")).to_have_attribute("aria-invalid", "true")
    look(page, "apply-field-error")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Title of the project")).to_be_focused()
    page.get_by_label("Title of the project").fill(purpose["title"])
    continue_to(page, "Datasets and variables")

    for variable in ANSWERS["datasets"]["variables"]:
        page.locator(f'input[name="variables"][value="{variable}"]').check()
    continue_to(page, "Cohort rules")

    page.get_by_label("Who is in the study population, in words").fill(ANSWERS["cohort"]["cohort"])
    page.get_by_label("Lowest age in years").fill(ANSWERS["cohort"]["age_min"])
    page.get_by_label("Claims: nomenclature codes").fill(ANSWERS["cohort"]["codes_claims"])
    continue_to(page, "Period")

    page.get_by_label("Data from").fill(ANSWERS["period"]["start"])
    page.get_by_label("Data until").fill(ANSWERS["period"]["end"])
    page.get_by_label("How many months the permit should last").fill(ANSWERS["period"]["duration_months"])
    continue_to(page, "Data form and anonymisation terms")

    page.get_by_label("Anonymised", exact=True).check()
    page.get_by_label("Five-year age bands").check()
    page.get_by_label("Province", exact=True).check()
    continue_to(page, "Disclosure terms")

    # The platform's disclosure rules as they are: every field left empty.
    continue_to(page, "Data users")

    expect(page.get_by_label("Who will use the data")).to_have_value(RITA)  # the applicant, to start with
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#section-purpose")).to_contain_text("Antibiotic use after day surgery")
    expect(page.locator("#section-datasets")).to_contain_text("claims.nomenclature_code")
    look(page, "apply-check-answers")

    page.get_by_role("button", name="Submit the application").click()
    reference = page.get_by_text(re.compile(r"Your reference number is app-\d{4}-[2-9a-z]{10}\."))
    expect(reference).to_be_visible()
    look(page, "application-submitted")
    found = re.search(r"app-\d{4}-[2-9a-z]{10}", reference.inner_text())
    assert found is not None
    return found.group(0)


def review_and_approve(page: Page, application_id: str) -> None:
    """The steward finds the application in the queue, starts the review and approves it."""
    expect_unread(page, 1)  # told of the new application
    menu(page, "Applications to review").click()
    expect(page.get_by_role("status")).to_have_text("Showing 1 of 1 applications.")
    look(page, "review-queue")
    page.get_by_role("link", name=application_id).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review of {application_id}")
    look(page, "review-application")
    page.get_by_role("button", name="Start the review").click()
    expect(page.locator("dl.facts").first).to_contain_text("Under review")
    page.get_by_label("Approve: grant the permit").check()
    page.get_by_label("Reason, published in the register with the decision").fill(
        "Permitted purpose, minimal variables, anonymised data."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("dl.facts").first).to_contain_text("Approved")
    look(page, "review-approved")


def state_of_the_output(page: Page) -> Any:
    return page.locator("dl.facts").first


def test_a_researcher_applies_two_stewards_approve_and_the_released_csv_holds_the_numbers(
    page: Page, portal: Portal, new_page: Callable[[], Page]
) -> None:
    rita = page
    sign_in(rita, portal, RITA, "sign-in")
    expect_unread(rita, 0)
    application_id = apply_through_the_task_list(rita)

    sam = new_page()
    sign_in(sam, portal, SAM)
    review_and_approve(sam, application_id)
    # The permit's build, which the pipeline runs once a permit is approved: it writes the
    # permit's tables where the workbench reads them (LakeLayout.permit_table). Written here
    # with deltalake, as the workbench tests write them; tests/e2e proves the Spark build.
    publish_claims(portal.settings, application_id)
    sam.get_by_role("button", name="Activate the permit").click()
    expect(sam.locator("dl.facts").first).to_contain_text("Permit in use")
    look(sam)

    visit(rita, portal("/datasets"), "catalogue-permit-in-force")
    expect_unread(rita, 2)  # approved, then activated
    claims = rita.locator("li.card").filter(has=rita.locator('a[href="/datasets/claims"]'))
    expect(claims.locator("p.access")).to_have_text("Your access: Permit in force")

    menu(rita, "Query workbench").click()
    rita.get_by_role("link", name=application_id).click()
    expect(rita.get_by_role("heading", level=1)).to_have_text(f"Workbench: {application_id}")
    look(rita, "workbench")
    # A group of 3 persons: its one cell is replaced by words naming its rule, linked to the
    # rule explained.
    rita.get_by_label("SQL query").fill(SMALL)
    rita.get_by_role("button", name="Run the query").click()
    small = rita.locator("table.result td.suppressed")
    expect(small).to_have_text("Suppressed (Too few people)")
    expect(rita.locator("table.result td:not(.suppressed)")).to_have_count(0)
    small.get_by_role("link", name="Too few people").click()
    expect(rita.locator("#rule-result-threshold")).to_have_text("Too few people")
    expect(rita.locator("#rule-result-threshold + dd")).to_have_text(
        "Fewer people than the minimum are behind this cell (or none at all), so it could point to someone."
    )
    look(rita, "workbench-small-group")
    # Per kind: the small group's row stays out, and SPEC is hidden as well, or it would give
    # LAB away from the total.
    rita.get_by_label("SQL query").fill(BY_KIND)
    rita.get_by_role("button", name="Run the query").click()
    rows = rita.locator("table.result tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_text(re.compile(r"^\s*GP\s+14\s*$"))
    expect(rows.nth(1)).to_have_text(re.compile(r"^\s*SPEC\s+Suppressed \(Secondary suppression\)\s*$"))
    expect(rita.locator("#rule-result-secondary + dd")).to_contain_text("cannot be worked out")
    look(rita, "workbench-result")

    rita.get_by_label("What this output shows").fill(SHOWS)
    rita.get_by_label("Why it must leave the secure environment").fill(NEEDED_FOR)
    rita.get_by_role("button", name="Request release").click()
    expect(rita.get_by_text("Your request is filed.")).to_be_visible()
    request_id = rita.get_by_role("heading", level=1).inner_text().removeprefix("Release request ")
    assert re.fullmatch(r"out-\d{4}-[2-9a-z]{10}", request_id)
    look(rita, "release-requested")

    sam.reload()
    expect_unread(sam, 2)  # the new application, then the request to review
    menu(sam, "Airlock").click()
    expect(sam.get_by_role("status")).to_have_text("Showing 1 of 1 requests.")
    look(sam, "airlock-queue")
    sam.get_by_role("link", name=request_id).click()
    look(sam)
    sam.get_by_label("Approve the release").check()
    sam.get_by_label("Reason", exact=True).fill(SAM_REASON)
    sam.get_by_role("button", name="Record my vote").click()
    expect(sam.get_by_text("Your vote is recorded.")).to_be_visible()
    look(sam)

    steve = new_page()
    sign_in(steve, portal, STEVE)
    menu(steve, "Airlock").click()
    steve.get_by_role("link", name=request_id).click()
    # Blind: one vote is cast, and neither who cast it nor how nor why shows before Steve votes.
    facts = state_of_the_output(steve)
    expect(facts).to_contain_text("Under review")
    expect(facts).to_contain_text("1 of 2")
    expect(steve.get_by_role("main")).not_to_contain_text(SAM)
    expect(steve.get_by_role("main")).not_to_contain_text(SAM_REASON)
    expect(steve.get_by_role("main")).to_contain_text(SHOWS)
    expect(steve.get_by_role("main")).to_contain_text(NEEDED_FOR)
    look(steve, "airlock-review")
    steve.get_by_label("Approve the release").check()
    steve.get_by_label("Reason", exact=True).fill(STEVE_REASON)
    steve.get_by_role("button", name="Record my vote").click()
    expect(state_of_the_output(steve)).to_contain_text("Released")
    expect(steve.locator("ul.reviews li")).to_have_count(2)
    expect(steve.locator("ul.reviews")).to_contain_text(SAM_REASON)
    look(steve, "airlock-released")

    rita.reload()
    expect_unread(rita, 4)  # and now: the review started, the output released
    expect(state_of_the_output(rita)).to_contain_text("Released")
    look(rita)
    with rita.expect_download() as downloading:
        rita.get_by_role("link", name="Download the released output (CSV)").click()
    download = downloading.value
    assert download.suggested_filename == f"{request_id}.csv"
    with download.path().open(encoding="utf-8", newline="") as released:
        assert list(csv.reader(released)) == RELEASED_CSV


def test_a_policy_analyst_reads_the_catalogue_a_dataset_their_account_and_notifications(
    page: Page, shared_portal: Portal
) -> None:
    sign_in(page, shared_portal, ANA)
    menu(page, "Dataset catalogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dataset catalogue")
    expect(page.locator("li.card")).to_have_count(7)
    look(page, "catalogue-analyst")
    page.locator('li.card a[href="/datasets/claims"]').click()
    label = page.locator("table.quality-table")
    expect(label.locator("caption")).to_have_text(
        "Quality and utility label, silver version 1, measured on 1 March 2026"
    )
    expect(label.get_by_role("row", name=re.compile("^Completeness"))).to_contain_text("99.8")
    look(page, "dataset-quality")
    # What an analyst may not do is not offered.
    for absent in ("Applications to review", "Airlock", "Audit log", "Query workbench"):
        expect(menu(page, absent)).to_have_count(0)
    menu(page, "Your account").click()
    expect(page.locator("dl.facts")).to_contain_text("Policy analyst")
    look(page, "account")
    menu(page, "Notifications").click()
    expect(page.get_by_text("You have no notifications yet.")).to_be_visible()
    look(page)


def test_an_operator_sees_the_audit_chain_intact_and_the_quality_of_each_dataset(
    page: Page, shared_portal: Portal
) -> None:
    sign_in(page, shared_portal, OTTO)
    menu(page, "Audit log").click()
    chain = page.locator(".chain")
    expect(chain).to_have_class(re.compile(r"\bchain-ok\b"))
    expect(chain).to_contain_text(re.compile(r"Intact\. [1-9][0-9]* entries verified\."))
    expect(chain.locator("code.hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(
        page.get_by_role("row").filter(has_text="session.signed_in").filter(has_text=OTTO).first
    ).to_be_visible()
    look(page, "audit-log")
    menu(page, "Data quality").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data quality")
    expect(page.locator("#dataset-claims")).to_be_visible()
    look(page, "quality")


def test_a_citizen_reads_the_home_page_the_catalogue_and_their_account_in_german(
    page: Page, shared_portal: Portal
) -> None:
    sign_in(page, shared_portal, CITO)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {CITO}")
    menu(page, "Dataset catalogue").click()
    expect(page.locator("li.card")).to_have_count(7)
    look(page)
    menu(page, "Your account").click()
    page.get_by_label("Language of the portal and of your e-mails").select_option("de")
    page.get_by_role("button", name="Save language").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("status")).to_have_text("Ihre Sprache ist gespeichert.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Konto")
    expect(page.locator("dl.facts")).to_contain_text("Bürgerin oder Bürger")
    look(page, "account-de")
    visit(page, shared_portal("/"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    look(page)


def posts_to(page: Page, path_end: str) -> list[str]:
    """The URLs of the POST requests the page sends to paths ending in ``path_end``, as they go."""
    sent: list[str] = []
    page.on(
        "request", lambda r: sent.append(r.url) if r.method == "POST" and r.url.endswith(path_end) else None
    )
    return sent


def complete_answers() -> dict[str, Any]:
    """Every section answered as its form would send it, and complete."""
    return {
        section: {
            "values": {
                name: ANSWERS[section].get(name, [] if name in LISTS else "") for name in FIELDS[section]
            },
            "complete": True,
        }
        for section in FIELDS
    }


def test_a_double_click_on_submit_files_one_application(page: Page, slow_portal: Portal) -> None:
    with unit_of_work(slow_portal.settings) as store:
        draft = drafts.start(
            store, store.get_user(RITA), "d" * 43, datetime.now(UTC), answers=complete_answers()
        )
    sign_in(page, slow_portal, RITA)
    visit(page, slow_portal(f"/applications/drafts/{draft.draft_id}/check"))
    sent = posts_to(page, "/submit")
    page.get_by_role("button", name="Submit the application").dblclick(delay=CLICK_HOLD_MS)
    expect(page.get_by_text(re.compile(r"Your reference number is app-\d{4}-[2-9a-z]{10}\."))).to_be_visible()
    assert len(sent) == 2  # the browser sent the form twice, and the portal handled both
    assert [p for p in slow_portal.handled_posts if p.endswith("/submit")] == [
        f"/applications/drafts/{draft.draft_id}/submit"
    ] * 2
    menu(page, "My applications").click()
    expect(page.locator("#mine-caption + thead + tbody tr, #mine-caption ~ tbody tr")).to_have_count(1)
    expect(page.get_by_text("You have no application in progress.")).to_be_visible()
    look(page)


def test_a_double_click_on_request_release_files_one_request(page: Page, slow_portal: Portal) -> None:
    permit = grant(slow_portal.settings, RITA, title="Care use in 2025")
    publish_claims(slow_portal.settings, permit)
    sign_in(page, slow_portal, RITA)
    visit(page, slow_portal(f"/workbench/{permit}"))
    page.get_by_label("SQL query").fill(BY_KIND)
    page.get_by_role("button", name="Run the query").click()
    page.get_by_label("What this output shows").fill(SHOWS)
    page.get_by_label("Why it must leave the secure environment").fill(NEEDED_FOR)
    sent = posts_to(page, "/outputs")
    page.get_by_role("button", name="Request release").dblclick(delay=CLICK_HOLD_MS)
    expect(page.get_by_text("Your request is filed.")).to_be_visible()
    assert len(sent) == 2  # the browser sent the form twice, and the portal handled both
    assert [p for p in slow_portal.handled_posts if p.endswith("/outputs")] == [
        f"/workbench/{permit}/outputs"
    ] * 2
    menu(page, "Release requests").click()
    expect(page.locator("#requests-caption ~ tbody tr")).to_have_count(1)
    look(page)


# Where the keyboard's focus is, and whether it shows: an outline or a box shadow.
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    visible: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== "none",
  };
}"""


def press(page: Page, key: str) -> dict[str, Any]:
    """Press ``key``; the element focused then, which must show its focus."""
    page.keyboard.press(key)
    focused: dict[str, Any] = page.evaluate(FOCUSED)
    assert focused["visible"], f"the focus does not show on {focused['tag']}#{focused['id']}"
    return focused


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Tab through the page until the element matching ``selector`` has the focus; every
    element the focus passes on the way must show it."""
    for _ in range(limit):
        press(page, "Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached in {limit} presses of Tab")


def test_signing_in_and_answering_a_section_with_the_keyboard_alone(page: Page, portal: Portal) -> None:
    visit(page, portal("/sign-in"))
    tab_to(page, "#username")
    page.keyboard.type(RITA)
    assert press(page, "Tab")["id"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Signed in as {RITA}")).to_be_visible()

    visit(page, portal("/applications/new"))
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You have completed 0 of 7 sections.")).to_be_visible()
    tab_to(page, 'a[href$="/sections/period"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Period")
    tab_to(page, "#start")
    page.keyboard.type("2025-01-01")
    assert press(page, "Tab")["id"] == "end"
    page.keyboard.type("2025-12-31")
    assert press(page, "Tab")["id"] == "duration_months"
    page.keyboard.type("24")
    page.keyboard.press("Enter")  # submits with the form's first button: save and continue
    expect(page.get_by_role("heading", level=1)).to_have_text("Purpose")
    page.get_by_role("link", name="Back to the sections of the application").click()
    expect(page.locator("#status-period")).to_have_text("Completed")
    expect(page.get_by_text("You have completed 1 of 7 sections.")).to_be_visible()
    look(page)
