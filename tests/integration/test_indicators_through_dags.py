"""Standing indicators the way Haven runs them, up to what the public and the stewards see.

Two indicators of the demo permit, approved by both demo stewards, are first released by
``spe.indicators.run_indicators`` (what ``haven indicator run`` calls) over the permit's
claims as an earlier delivery left them, and a policy analyst publishes a dashboard on both.
Then a delivery goes through ``haven_ingest`` and ``haven_publish`` (``dag.test()``), whose
``indicators`` task runs them again through the SPE: persons seen by a GP or a specialist
passes the stricter terms and is released automatically, rounded; persons per provider type
is held in the airlock queue, as some types now have fewer than 100 persons. In chromium the
public dashboard shows the first indicator's new numbers and date and the second's last
release, saying a newer version awaits review, and the held request is in the stewards'
airlock queue. Every page is checked by axe-core; ``HAVEN_SCREENSHOTS=DIR`` saves them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable
from playwright.sync_api import Browser, Page, expect

from catalog.airlock.domain import OutputState
from catalog.dashboards import indicators, service
from catalog.dashboards.domain import DashboardState, ReleasedAggregate
from catalog.dashboards.indicators import Outcome
from catalog.db.gateway import unit_of_work
from catalog.demo import DEMO_PERMIT_ID, STEWARD, demo_passwords
from common.layout import LakeLayout
from common.settings import Settings, get_settings
from portal.app import create_app
from portal.i18n import long_date, number
from spe.indicators import run_indicators
from synthetic.generate import generate
from tests.browser.live_server import LiveServer, serve
from tests.browser.plugin import ACTION_TIMEOUT_MS
from tests.browser.test_journeys import look, menu, quick_hashes, visit
from tests.dags.test_haven_publish_run import returned
from tests.integration.test_erasure_through_dags import ingest_then_publish
from tests.spe.factories import approved_indicator, write_rows

__all__ = ["quick_hashes"]  # a fixture of the journeys, used here too
pytestmark = [pytest.mark.slow(minutes=2), pytest.mark.browser, pytest.mark.usefixtures("demo_claims_only")]

ANALYST = "analyst@demo"
REFRESHED = (
    "SELECT provider_type, count(DISTINCT person_id) AS persons FROM claims "
    "WHERE provider_type IN ('GP', 'specialist') GROUP BY provider_type ORDER BY provider_type"
)
HELD = (
    "SELECT provider_type, count(DISTINCT person_id) AS persons FROM claims "
    "GROUP BY provider_type ORDER BY provider_type"
)
DESCRIPTIONS = {
    REFRESHED: {
        "en": "Persons seen by a GP or a specialist",
        "fr": "Personnes vues par un généraliste ou un spécialiste",
        "nl": "Personen gezien door een huisarts of een specialist",
        "de": "Personen bei Hausarzt oder Facharzt",
    },
    HELD: {
        "en": "Persons per provider type",
        "fr": "Personnes par type de prestataire",
        "nl": "Personen per soort zorgverlener",
        "de": "Personen je Leistungserbringer",
    },
}
TITLES = {
    "en": "Who sees which care provider",
    "fr": "Qui voit quel prestataire",
    "nl": "Wie welke zorgverlener ziet",
    "de": "Wer welche Leistungserbringer sieht",
}
# The provider types of the synthetic claims, in the indicators' order.
PROVIDER_TYPES = (
    "GP",
    "dentist",
    "hospital",
    "imaging",
    "lab",
    "midwife",
    "nurse",
    "physiotherapist",
    "psychologist",
    "specialist",
)


def persons_of(index: int) -> int:
    """Persons of the index-th provider type in the permit before the delivery: 123 to 312."""
    return 123 + 21 * index


def rounded(count: int) -> int:
    """As the indicators' terms round a count: to 10, halves up."""
    return (count + 5) // 10 * 10


def earlier_delivery(settings: Settings) -> None:
    """The permit's claims as an earlier delivery left them: each provider type with persons
    of its own (no cell a subset of another), every type above the indicators' 100 persons."""
    rows = [
        (f"earlier-{index}-{person}", provider_type)
        for index, provider_type in enumerate(PROVIDER_TYPES)
        for person in range(persons_of(index))
    ]
    table = LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims")
    write_rows(table, rows, columns=("person_id", "provider_type"))


def publish_dashboard(settings: Settings, references: list[str]) -> str:
    """The demo policy analyst composes a public table of both indicators and publishes it."""
    form: dict[str, Any] = {"aggregates": references, "kind": "table", "chart": "", "audience": "public"}
    form.update({f"title_{lang}": title for lang, title in TITLES.items()})
    form.update({f"notes_{lang}": "" for lang in TITLES})
    with unit_of_work(settings) as store:
        analyst = store.get_user(ANALYST)
        draft = service.compose(store, analyst, form)
        service.move(store, analyst, draft.dashboard_id, DashboardState.PUBLISHED)
    return draft.dashboard_id


def persons_per_type(settings: Settings, version: int) -> dict[str, int]:
    """Distinct persons per provider type in a version of the permit's claims."""
    table = LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims")
    data = (
        DeltaTable(str(table), version=version)
        .to_pyarrow_table(columns=["person_id", "provider_type"])
        .to_pylist()
    )
    found: dict[str, set[str]] = defaultdict(set)
    for row in data:
        found[row["provider_type"]].add(row["person_id"])
    return {provider_type: len(people) for provider_type, people in found.items()}


def expect_panel(panel: Any, aggregate: ReleasedAggregate) -> None:
    """The panel's table holds the aggregate's rows, as the registry holds them."""
    rows = panel.locator("table tbody tr")
    expect(rows).to_have_count(len(aggregate.rows))
    for index, (provider_type, persons) in enumerate(aggregate.rows):
        expect(rows.nth(index).locator("td")).to_have_text([provider_type, number(persons, "en")])


def test_a_delivery_refreshes_one_indicator_on_its_dashboard_and_holds_the_other_for_review(
    spark, browser: Browser, page: Page, tmp_path: Path
) -> None:
    from airflow.utils.db import initdb

    initdb()
    settings = get_settings()
    refreshed, held = (approved_indicator(settings, sql, DESCRIPTIONS[sql]) for sql in (REFRESHED, HELD))
    earlier_delivery(settings)
    first_day = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=7)
    first = run_indicators(settings, first_day)
    assert {iid: ran["outcome"] for iid, ran in first.items()} == {refreshed: "released", held: "released"}
    with unit_of_work(settings) as store:
        first_release = {iid: indicators.status(store, iid).latest for iid in (refreshed, held)}
    assert first_release[refreshed] is not None and first_release[held] is not None
    assert first_release[refreshed].rows == (("GP", 120), ("specialist", 310))
    assert first_release[held].rows == tuple(
        (provider_type, rounded(persons_of(i))) for i, provider_type in enumerate(PROVIDER_TYPES)
    )
    dashboard = publish_dashboard(settings, [refreshed, held])

    landing = tmp_path / "delivery"
    generate(landing, 400, 11)
    for extract in landing.glob("*.csv"):
        if extract.stem not in ("population", "claims", "optout"):
            extract.unlink()
    run_id = ingest_then_publish(landing)

    outcomes = returned(run_id, "indicators")
    assert isinstance(outcomes, dict)
    assert outcomes[refreshed]["outcome"] == "released", outcomes
    assert outcomes[held]["outcome"] == "held", outcomes
    assert "threshold" in outcomes[held]["rules"]
    with unit_of_work(settings) as store:
        [build] = [b for b in store.permit_builds(DEMO_PERMIT_ID) if b.outcome == "published"]
    assert build.dataset == "claims" and build.output_version is not None
    counted = persons_per_type(settings, build.output_version)
    with unit_of_work(settings) as store:
        now_refreshed, now_held = (indicators.status(store, iid) for iid in (refreshed, held))
        latest = now_refreshed.latest
        assert latest is not None and not now_refreshed.held
        assert latest.rows == (("GP", rounded(counted["GP"])), ("specialist", rounded(counted["specialist"])))
        assert latest.rows != first_release[refreshed].rows
        assert latest.released_at.date() == datetime.now(UTC).date() != first_day.date()
        first_run, run = store.indicator_runs(refreshed)
        assert first_run.versions == {"claims": 0} and first_run.silver == {"claims": {}}
        assert run.outcome is Outcome.RELEASED and run.versions == {"claims": build.output_version}
        assert run.silver == {"claims": build.source_versions} and set(build.source_versions) == {"claims"}
        assert min(counted.values()) < 100  # why the other is held: a type below its terms
        assert now_held.held and now_held.latest == first_release[held]
        held_request = store.get_output_request(outcomes[held]["request"])
        assert held_request.state is OutputState.SUBMITTED and held_request.author == "system"
    passwords = demo_passwords(settings)

    with serve(create_app(settings)) as portal:
        public_reads_the_dashboard(page, portal, dashboard, (refreshed, latest), (held, first_release[held]))
        context = browser.new_context()
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            steward_finds_the_held_version(
                context.new_page(), portal, passwords[STEWARD], held_request.request_id
            )
        finally:
            context.close()


def public_reads_the_dashboard(
    page: Page,
    portal: LiveServer,
    dashboard: str,
    refreshed: tuple[str, ReleasedAggregate],
    held: tuple[str, ReleasedAggregate],
) -> None:
    """Signed out, from the list of dashboards: the refreshed indicator's new release and
    date; the held one's last release, its date and that a newer version awaits review."""
    visit(page, portal("/dashboards"))
    page.get_by_role("link", name=TITLES["en"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["en"])
    assert page.url == portal(f"/dashboards/{dashboard}")
    panels = page.locator("section.dashboard-panel")
    expect(panels).to_have_count(2)
    for panel, (indicator_id, aggregate) in zip(
        (panels.nth(0), panels.nth(1)), (refreshed, held), strict=True
    ):
        expect(panel.get_by_role("heading", level=2)).to_have_text(f"Standing indicator {indicator_id}")
        expect(panel.locator(".indicator-version")).to_contain_text(
            f"This version: {aggregate.aggregate_id}, released on {long_date(aggregate.released_at, 'en')}."
        )
        expect_panel(panel, aggregate)
    expect(panels.nth(0).locator(".indicator-held")).to_have_count(0)
    expect(panels.nth(1).locator(".indicator-held")).to_have_text(
        f"A newer version is awaiting review; showing the release of {long_date(held[1].released_at, 'en')}."
    )
    look(page, "indicator-dashboard")


def steward_finds_the_held_version(page: Page, portal: LiveServer, password: str, request_id: str) -> None:
    """The demo steward signs in; the airlock queue lists the held version to review, and only
    it (the released versions are decided)."""
    visit(page, portal("/sign-in"))
    page.get_by_label("User name (your email address)").fill(STEWARD)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {STEWARD}")).to_be_visible()
    menu(page, "Airlock").click()
    expect(page.get_by_role("status")).to_contain_text("Showing 1 of 4 requests.")
    expect(page.get_by_role("status")).to_contain_text("decided: 3")
    rows = page.locator("#requests-caption ~ tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_text(request_id)
    expect(rows.first).to_contain_text("To review")
    look(page, "indicator-airlock-queue")
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Release request {request_id}")
    expect(page.get_by_role("main")).to_contain_text("held for review")
    look(page)
