"""The workbench's world for portal tests: permits granted through the real workflow, their
claims tables written with deltalake (no Spark), a second steward and a second researcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from catalog.permits import service
from catalog.permits.applications import parse_application
from common.layout import LakeLayout
from common.settings import Settings
from tests.catalog.factories import application_data
from tests.portal.conftest import ACCOUNTS, PASSWORD
from tests.spe.factories import persons, write_rows

SECOND_STEWARD = "steve@example.be"
SECOND_STEWARD_NAME = "Steve Peeters"
OTHER_RESEARCHER = "ruth@example.be"
GRANTED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)  # a month before the test clock's now
# Persons per kind: GP and SPEC pass the threshold of 10, LAB (3) is a small group.
GROUPS = (("GP", 14, 0), ("SPEC", 12, 100), ("LAB", 3, 200))
BY_KIND = "SELECT kind, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind ORDER BY kind"
SHOWS = "Persons per kind of claim in 2025, everyone in the permit."
NEEDED_FOR = "Table 1 of the report on care use in 2025."


@dataclass(frozen=True)
class World:
    permit: str  # names the researcher account (rita) as its one data user
    other_permit: str  # names ruth only


def grant(settings: Settings, applicant: str, *, title: str, data_users: list[str] | None = None) -> str:
    """A permit applied for by ``applicant`` (its one data user unless ``data_users`` says
    otherwise), approved by the steward account."""
    with unit_of_work(settings) as store:
        spec = parse_application(
            application_data(applicant=applicant, data_users=data_users or [applicant], title=title),
            "test application",
        )
        application = service.apply(store, store.get_user(applicant), spec, now=GRANTED - timedelta(days=7))
        service.decide(
            store,
            store.get_user(ACCOUNTS["steward"]),
            application.application_id,
            approve=True,
            reason="Permitted purpose, minimal variables.",
            now=GRANTED,
        )
    return application.application_id


def publish_claims(settings: Settings, permit_id: str) -> None:
    """The permit's claims table (version 0): persons per kind as ``GROUPS`` says."""
    rows = [row for kind, n, start in GROUPS for row in persons(kind, n, start=start)]
    write_rows(LakeLayout(settings.lake).permit_table(permit_id, "claims"), rows)


def workbench_world(settings: Settings) -> World:
    with unit_of_work(settings) as store:
        system = store.get_user("system")
        users.create_user(store, system, SECOND_STEWARD, {Role.STEWARD}, PASSWORD, SECOND_STEWARD_NAME)
        users.create_user(store, system, OTHER_RESEARCHER, {Role.RESEARCHER}, PASSWORD)
    world = World(
        permit=grant(settings, ACCOUNTS["researcher"], title="Care use in 2025"),
        other_permit=grant(settings, OTHER_RESEARCHER, title="Another team's study"),
    )
    publish_claims(settings, world.permit)
    publish_claims(settings, world.other_permit)
    return world
