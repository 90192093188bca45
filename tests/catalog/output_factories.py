"""Factories for airlock tests: a permit with a steward among its users, and filed requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from catalog.airlock import releases
from catalog.airlock.domain import CheckedResult, CheckStatus, OutputContext, OutputRequest, ReleaseCheck
from catalog.db.outputs import SqlOutputStore
from catalog.people.domain import Role, User
from catalog.permits import service
from catalog.permits.domain import Application
from tests.catalog.factories import make_user, make_world, submit

NOW = datetime.now(UTC)
RESULT = CheckedResult(
    columns=("kind", "persons"),
    rows=(("GP", 120), ("LAB", None)),
    suppressed=({"row": 1, "column": "persons", "rule": "threshold"},),
)
SQL = "SELECT kind, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind"
REASON = "Aggregated counts, no small cells."
CONTEXT = OutputContext(
    shows="Persons per kind of claim in 2025, all adults of the cohort.",
    needed_for="Table 1 of the paper on day surgery and antibiotics.",
)


def passing_check(request: OutputRequest, at: datetime) -> ReleaseCheck:
    """A release check that passes: the SPE's own runs in tests/spe and tests/portal."""
    return ReleaseCheck(CheckStatus.PASSED, 0, at)


def airlock_world(store: SqlOutputStore) -> tuple[dict[str, User], Application]:
    """``make_world`` plus stella (steward and researcher, a named user of the permit) and sven
    (a third steward), and an approved permit naming rita and stella."""
    people = make_world(store)
    people["stella"] = make_user(store, "stella", Role.STEWARD, Role.RESEARCHER)
    people["sven"] = make_user(store, "sven", Role.STEWARD)
    application = submit(store, people["rita"], now=NOW - timedelta(days=2), data_users=["rita", "stella"])
    permit = service.decide(
        store,
        people["sam"],
        application.application_id,
        approve=True,
        reason="Permitted purpose, minimal variables.",
        now=NOW - timedelta(days=1),
    )
    return people, permit


def file_request(
    store: SqlOutputStore,
    author: User,
    permit: Application,
    *,
    result: CheckedResult = RESULT,
    sql: str = SQL,
) -> OutputRequest:
    return releases.request_release(
        store,
        author,
        permit_id=permit.application_id,
        sql=sql,
        result=result,
        versions={"claims": 3},
        context=CONTEXT,
    )


def vote(
    store: SqlOutputStore,
    people: dict[str, User],
    reviewer: str,
    request: OutputRequest,
    approve: bool = True,
) -> releases.RequestView:
    return releases.review(
        store, people[reviewer], request.request_id, approve=approve, reason=REASON, recheck=passing_check
    )
