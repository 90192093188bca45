"""The dashboards' world for portal and browser tests: a permit's claims table written with
deltalake (no Spark), the researcher's release request filed through the SPE and released by
two stewards through ``spe.airlock`` (so the registry gets it as the portal's users would),
and dashboards composed through the catalogue's service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from catalog.airlock.domain import OutputContext
from catalog.dashboards import service
from catalog.dashboards.domain import Dashboard, DashboardState
from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from catalog.permits.domain import PermitBuild
from common.layout import LakeLayout
from common.settings import Settings
from spe.airlock import request_output, review_output
from tests.portal.conftest import ACCOUNTS, PASSWORD
from tests.portal.spe_factories import (
    BY_KIND,
    NEEDED_FOR,
    SECOND_STEWARD,
    SECOND_STEWARD_NAME,
    SHOWS,
    grant,
    publish_claims,
)
from tests.spe.factories import persons, write_rows

MINISTRY = "Ministry of Health"
ADA = "ada@example.be"  # a policy analyst of the ministry (the portal's ana belongs to none)
OLGA = "olga@example.be"  # a steward of the ministry: sees what it publishes to its organisation
# The released file: GP's 14 persons leave; SPEC's 12 would give LAB's 3 away with the
# total, so it is suppressed; LAB's row, all of it suppressed, does not leave at all.
RELEASED_CSV = "kind,persons\r\nGP,14\r\nSPEC,\r\n"
TITLES = {
    "fr": "Personnes par type",
    "nl": "Personen per soort",
    "de": "Personen je Art",
    "en": "Persons per kind",
}
# Persons per province (NIS code in the claims' kind column): Namur's 3 are too few, so its
# row does not leave and the next smallest (East Flanders' 11) is suppressed with it; the
# 15 persons of no province ("other") leave as a row that no map can draw.
PROVINCE_GROUPS = (("10000", 40), ("30000", 12), ("40000", 11), ("60000", 25), ("90000", 3), ("other", 15))
BY_PROVINCE = (
    "SELECT kind AS province, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind ORDER BY kind"
)
PROVINCE_SHOWS = "Persons per province in 2025, everyone in the permit."
MAP_TITLES = {
    "fr": "Personnes par province",
    "nl": "Personen per provincie",
    "de": "Personen je Provinz",
    "en": "Persons per province",
}


def released_world(
    settings: Settings, at: datetime, *, silver: int | None = None, provinces: bool = False
) -> str:
    """A permit whose researcher's table of persons per kind two stewards released; its id.
    With ``silver``, the permit's claims table is on record as built from that silver version.
    With ``provinces``, the table is persons per province (``PROVINCE_GROUPS``) instead."""
    with unit_of_work(settings) as store:
        system = store.get_user("system")
        users.create_user(store, system, SECOND_STEWARD, {Role.STEWARD}, PASSWORD, SECOND_STEWARD_NAME)
        users.create_user(store, system, ADA, {Role.POLICY_ANALYST}, PASSWORD, organisation=MINISTRY)
        users.create_user(store, system, OLGA, {Role.STEWARD}, PASSWORD, organisation=MINISTRY)
    permit = grant(settings, ACCOUNTS["researcher"], title="Care use in 2025")
    if provinces:
        rows = [row for i, (code, n) in enumerate(PROVINCE_GROUPS) for row in persons(code, n, start=100 * i)]
        write_rows(LakeLayout(settings.lake).permit_table(permit, "claims"), rows)
    else:
        publish_claims(settings, permit)
    if silver is not None:
        with unit_of_work(settings) as store:
            store.add_permit_build(PermitBuild(permit, "published", at, "claims", {"claims": silver}, 0, 29))
    sql, shows = (BY_PROVINCE, PROVINCE_SHOWS) if provinces else (BY_KIND, SHOWS)
    filed = request_output(
        permit, ACCOUNTS["researcher"], sql, OutputContext(shows, NEEDED_FOR), settings, at=at
    )
    assert filed.request is not None
    for steward in (ACCOUNTS["steward"], SECOND_STEWARD):
        review_output(
            filed.request.request_id,
            steward,
            approve=True,
            reason="Counts above the threshold.",
            settings=settings,
            at=at,
        )
    return filed.request.request_id


def dashboard_form(aggregate_id: str, **overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {"aggregates": [aggregate_id], "kind": "bar", "chart": "", "audience": "public"}
    form.update({f"title_{lang}": text for lang, text in TITLES.items()})
    form.update({f"notes_{lang}": "" for lang in TITLES})
    form.update(overrides)
    return form


def compose(
    settings: Settings, username: str, aggregate_id: str, *, publish: bool = False, **overrides: Any
) -> Dashboard:
    with unit_of_work(settings) as store:
        author = store.get_user(username)
        dashboard = service.compose(store, author, dashboard_form(aggregate_id, **overrides))
        if publish:
            dashboard = service.move(store, author, dashboard.dashboard_id, DashboardState.PUBLISHED)
    return dashboard
