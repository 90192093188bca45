"""A dashboard charting a standing indicator: always its latest released version, with its
date; when a newer run was held for review, the page says so and keeps the older numbers.
Every number on the page is one of the released aggregate's, never one of the held run's."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from starlette.testclient import TestClient

from catalog.dashboards import indicators
from catalog.dashboards.indicators import Terms
from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from common.layout import LakeLayout
from common.settings import Settings
from spe.indicators import run_indicators
from tests.portal.conftest import ACCOUNTS, PASSWORD, Clock
from tests.portal.dashboard_factories import ADA, MINISTRY, compose
from tests.portal.spe_factories import SECOND_STEWARD, grant
from tests.spe.factories import persons, write_rows

DESCRIPTION = {
    "en": "Persons per kind of claim",
    "fr": "Personnes par type de prestation",
    "nl": "Personen per soort prestatie",
    "de": "Personen je Leistungsart",
}
SQL = "SELECT kind, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind ORDER BY kind"
NUMBER_CELL = re.compile(r'<td class="number">([^<]*)</td>')


def _deliver(settings: Settings, permit: str, groups: list[tuple[str, int]]) -> None:
    rows = [row for i, (kind, n) in enumerate(groups) for row in persons(kind, n, start=1000 * i)]
    write_rows(LakeLayout(settings.lake).permit_table(permit, "claims"), rows)


def _indicator_world(settings: Settings, at: datetime) -> tuple[str, str]:
    """A permit, its approved indicator of persons per kind, and its first run released."""
    with unit_of_work(settings) as store:
        system = store.get_user("system")
        users.create_user(store, system, SECOND_STEWARD, {Role.STEWARD}, PASSWORD)
        users.create_user(store, system, ADA, {Role.POLICY_ANALYST}, PASSWORD, organisation=MINISTRY)
    permit = grant(settings, ACCOUNTS["researcher"], title="Care use in 2025")
    _deliver(settings, permit, [("GP", 134), ("SPEC", 215)])
    with unit_of_work(settings) as store:
        proposed = indicators.propose(
            store,
            store.get_user(ACCOUNTS["researcher"]),
            permit_id=permit,
            sql=SQL,
            description=DESCRIPTION,
            terms=Terms(100, 10),
            platform_min_persons=10,
            now=at,
        )
        for steward in (ACCOUNTS["steward"], SECOND_STEWARD):
            indicators.approve(store, store.get_user(steward), proposed.indicator_id, now=at)
    assert run_indicators(settings, at)[proposed.indicator_id]["outcome"] == "released"
    return permit, proposed.indicator_id


def test_a_dashboard_shows_the_latest_release_and_says_when_a_newer_one_awaits_review(
    client: TestClient, settings: Settings, clock: Clock
) -> None:
    first_day = clock()
    permit, iid = _indicator_world(settings, first_day)
    dashboard = compose(settings, ADA, iid, publish=True, kind="table")
    assert dashboard.spec.aggregates == (iid,)

    page = client.get(f"/dashboards/{dashboard.dashboard_id}").text
    assert f"Standing indicator {iid}" in page and DESCRIPTION["en"] in page
    assert NUMBER_CELL.findall(page) == ["130", "220"]  # 134 and 215, rounded to 10
    assert "released on 2 March 2026" in page
    assert "awaiting review" not in page

    # A new delivery where LAB has 60 persons: held for review; the dashboard keeps the first.
    _deliver(settings, permit, [("GP", 144), ("LAB", 60), ("SPEC", 226)])
    held = run_indicators(settings, first_day + timedelta(days=3))[iid]
    assert held["outcome"] == "held"
    with unit_of_work(settings) as store:
        status = indicators.status(store, iid)
        request = store.get_output_request(held["request"])
    assert status.held and status.latest is not None
    page = client.get(f"/dashboards/{dashboard.dashboard_id}").text
    assert "A newer version is awaiting review; showing the release of 2 March 2026." in page
    assert NUMBER_CELL.findall(page) == ["130", "220"]
    shown = {str(v) for row in status.latest.rows for v in row if isinstance(v, int)}
    assert set(NUMBER_CELL.findall(page)) <= shown
    held_numbers = {str(v) for row in request.result.rows for v in row if isinstance(v, int)}
    assert held_numbers and not held_numbers & set(NUMBER_CELL.findall(page))
    csv = client.get(f"/dashboards/{dashboard.dashboard_id}/data.csv").text
    assert csv == status.latest.csv == "kind,persons\r\nGP,130\r\nSPEC,220\r\n"

    french = client.get(f"/dashboards/{dashboard.dashboard_id}", headers={"Accept-Language": "fr"}).text
    assert "Une version plus récente attend d'être examinée" in french.replace("&#39;", "'")
    assert DESCRIPTION["fr"] in french
