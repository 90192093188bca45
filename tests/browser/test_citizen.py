"""The citizen's journey in a real browser: the transparency register, "could my data be
used?", signing in, opting out one question per page, the confirmation with its reference,
the status, the withdrawal; and an agent recording a phone opt-out. axe-core checks every
page (``look``); with ``HAVEN_SCREENSHOTS=DIR`` the main pages are saved under clear names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from catalog.db.gateway import unit_of_work
from catalog.optout import citizens
from catalog.people import users
from catalog.people.domain import SYSTEM, Role
from catalog.permits import service
from tests.browser.test_journeys import (
    CITO,
    PASSWORD,
    RITA,
    SAM,
    Portal,
    look,
    quick_hashes,
    running_portal,
    sign_in,
    visit,
)
from tests.catalog.factories import submit

pytestmark = pytest.mark.browser
__all__ = ["quick_hashes"]

AGENT = "agnes@example.be"
CITO_PID = "TTP-cito-browser-1"
CALLER_PID = "TTP-caller-browser-2"
COHORT = {"age": {"min": 18, "max": 64}, "sex": ["F"], "provinces": ["10000"]}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """One instance: an approved permit with cohort criteria, a refused application, the
    citizen linked to a pid, and an agent."""
    with running_portal(tmp_path_factory.mktemp("citizen") / "instance") as served:
        with unit_of_work(served.settings) as store:
            rita, sam = store.get_user(RITA), store.get_user(SAM)
            granted = submit(
                store, rita, data_users=[RITA], title="Women of working age in Antwerp", cohort_rules=COHORT
            )
            service.decide(
                store,
                sam,
                granted.application_id,
                approve=True,
                reason="Minimal data.",
                now=datetime(2026, 2, 3, tzinfo=UTC),
            )
            refused = submit(store, rita, data_users=[RITA], title="Pricing study", commercial=True)
            service.decide(
                store,
                sam,
                refused.application_id,
                approve=False,
                reason="No personal data needed.",
                now=datetime(2026, 2, 4, tzinfo=UTC),
            )
            users.create_user(store, SYSTEM, AGENT, {Role.AGENT}, PASSWORD)
            citizens.link(store, SYSTEM, CITO, CITO_PID, now=datetime(2026, 3, 1, tzinfo=UTC))
        yield served


def _events(portal: Portal) -> list[tuple[str, str, str | None]]:
    with unit_of_work(portal.settings) as store:
        return [(e.action.value, e.channel.value, e.agent) for e in store.optout_events()]


def _opt(page: Page, choice: str, heading: str, shot: str | None = None) -> str:
    """From the status page: choose, check, confirm; returns the reference number."""
    page.get_by_role("link", name="Opt out or withdraw").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you want to do?")
    look(page, shot and f"{shot}-choose")
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answer")
    look(page, shot and f"{shot}-check")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    look(page, shot and f"{shot}-confirmation")
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"HVN(-[0-9A-Z]{4}){4}", reference)
    assert CITO_PID not in page.content()
    return reference


def test_a_citizen_reads_the_register_checks_opts_out_and_withdraws(page: Page, portal: Portal) -> None:
    visit(page, portal("/"))
    page.get_by_role("navigation", name="For citizens").get_by_role(
        "link", name="Transparency register"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transparency register")
    look(page, "citizen-register")
    page.get_by_label("Commercial use").select_option("yes")
    page.get_by_role("button", name="Show applications").click()
    expect(page.get_by_text("Applications hidden by the filters: 1.")).to_be_visible()
    expect(page.get_by_role("heading", level=3)).to_have_text(["Pricing study"])
    look(page)

    page.get_by_role("navigation", name="For citizens").get_by_role(
        "link", name="Could my data be used?"
    ).click()
    look(page)
    page.get_by_label("Your sex (optional)").select_option("F")
    page.get_by_label("Your province (optional)").select_option(label="Antwerp")
    page.get_by_role("button", name="Check the permits").click()
    expect(
        page.get_by_text("Permits that could include someone like you: 1. Permits that could not: 0.")
    ).to_be_visible()
    look(page, "citizen-could-my-data")

    for path in ("/data-types", "/accessibility"):
        visit(page, portal(path))
    sign_in(page, portal, CITO)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Your opt-out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opt out of the use of your health data")
    look(page)
    page.get_by_role("link", name="See your opt-out and its history").click()
    look(page)
    first = _opt(page, "Opt out: my data must not be used", "Opt-out recorded", "citizen-opt-out")
    # The back button reloads the check page (pages are never cached): confirming again
    # records nothing and says why.
    page.go_back()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The opt-out was in force already")
    look(page)
    assert _events(portal) == [("optout", "online", None)]

    page.get_by_role("link", name="See your opt-out and its history").click()
    expect(page.get_by_text(re.compile("^Your opt-out is in force since"))).to_be_visible()
    look(page, "citizen-status")
    second = _opt(page, "Withdraw my opt-out: my data may be used again", "Opt-out withdrawn")
    assert second != first
    page.get_by_role("link", name="See your opt-out and its history").click()
    expect(page.get_by_role("row")).to_have_count(3)  # the header and two requests
    assert _events(portal) == [("optout", "online", None), ("withdrawal", "online", None)]


def test_an_agent_records_a_phone_opt_out(page: Page, portal: Portal) -> None:
    sign_in(page, portal, AGENT)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Take an opt-out").click()
    look(page, "agent-form")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    look(page)
    page.get_by_label("The person's pseudonym (pid)").fill(CALLER_PID)
    page.get_by_label("Opt-out", exact=True).check()
    page.get_by_label("By phone").check()
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opt-out recorded")
    look(page, "agent-confirmation")
    assert CALLER_PID not in page.content()
    assert ("optout", "phone", AGENT) in _events(portal)
