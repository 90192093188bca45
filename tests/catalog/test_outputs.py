"""The airlock's rules as tables, on SQLite and PostgreSQL: who may request, review, see and download.

Two different stewards review every request, blind to each other until both voted; the
author and the permit's named users never review; two approvals release, one rejection
rejects; only released outputs leave.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from catalog.airlock import policies, releases
from catalog.airlock.domain import CheckStatus, OutputContext, OutputRequest, OutputState, ReleaseCheck, Vote
from catalog.airlock.policies import can_download, can_review
from catalog.audit import trail
from catalog.db.engine import Catalog
from catalog.db.outputs import SqlOutputStore
from catalog.errors import CatalogError, NotAuthorised, RuleViolation
from catalog.permits import service
from tests.catalog.factories import submit
from tests.catalog.fixtures import catalog, catalog_url  # noqa: F401 (fixtures
from tests.catalog.output_factories import (
    CONTEXT,
    NOW,
    REASON,
    RESULT,
    SQL,
    airlock_world,
    file_request,
    vote,
)


@pytest.fixture
def ostore(catalog: Catalog) -> Iterator[SqlOutputStore]:  # noqa: F811
    with catalog.session() as session:
        yield SqlOutputStore(session)


def test_a_request_stores_the_checked_result_sql_versions_and_verdict(ostore: SqlOutputStore) -> None:
    people, permit = airlock_world(ostore)
    request = file_request(ostore, people["rita"], permit)
    stored = ostore.get_output_request(request.request_id)
    assert stored == request
    assert (stored.state, stored.verdict, stored.sql, stored.versions) == (
        OutputState.SUBMITTED,
        "suppressed",
        SQL,
        {"claims": 3},
    )
    assert stored.result.rows == (("GP", 120), ("LAB", None))
    assert stored.result.suppressed == ({"row": 1, "column": "persons", "rule": "threshold"},)


@pytest.mark.parametrize(
    ("author", "permit_state", "error", "match"),
    [
        ("rita", "approved", None, None),
        ("stella", "approved", None, None),
        ("ruben", "approved", NotAuthorised, "not a named data user"),
        ("sam", "approved", NotAuthorised, "not a named data user"),
        ("rita", "revoked", RuleViolation, "is revoked"),
        ("rita", "expired", RuleViolation, "is expired"),
    ],
)
def test_who_may_request_a_release(
    ostore: SqlOutputStore, author: str, permit_state: str, error: type[Exception] | None, match: str | None
) -> None:
    people, permit = airlock_world(ostore)
    if permit_state == "revoked":
        service.revoke(ostore, people["sam"], permit.application_id, "Breach of permit terms.")
    if permit_state == "expired":
        service.expire_due(ostore, people["otto"], now=NOW + timedelta(days=3000))
    if error is None:
        assert file_request(ostore, people[author], permit).author == author
    else:
        with pytest.raises(error, match=match):
            file_request(ostore, people[author], permit)
        assert ostore.list_output_requests() == []


# (author, earlier votes by, reviewer, error, message)
REVIEW_RULES = [
    ("rita", [], "sam", None, None),
    ("rita", ["sam"], "sofie", None, None),
    ("stella", [], "stella", RuleViolation, "is the author .* may never review"),
    ("rita", [], "stella", RuleViolation, "named data user of permit"),
    ("rita", ["sam"], "sam", RuleViolation, "has already voted"),
    ("rita", [], "rita", NotAuthorised, "needs role steward"),
    ("rita", [], "ruben", NotAuthorised, "needs role steward"),
    ("rita", [], "otto", NotAuthorised, "needs role steward"),
    ("rita", ["sam", "sofie"], "sven", RuleViolation, "is released, not under review"),
]


@pytest.mark.parametrize(("author", "earlier", "reviewer", "error", "match"), REVIEW_RULES)
def test_who_may_review(
    ostore: SqlOutputStore,
    author: str,
    earlier: list[str],
    reviewer: str,
    error: type[Exception] | None,
    match: str | None,
) -> None:
    people, permit = airlock_world(ostore)
    request = file_request(ostore, people[author], permit)
    for steward in earlier:
        vote(ostore, people, steward, request)
    current = ostore.get_output_request(request.request_id)
    reviews = ostore.output_reviews(request.request_id)
    assert can_review(people[reviewer], current, permit, reviews) is (error is None)
    before = len(ostore.audit_entries())
    if error is None:
        assert vote(ostore, people, reviewer, request).votes_cast == len(earlier) + 1
    else:
        with pytest.raises(error, match=match):
            vote(ostore, people, reviewer, request)
        assert len(ostore.audit_entries()) == before  # a refused vote writes nothing
        assert len(ostore.output_reviews(request.request_id)) == len(earlier)


def test_the_applicant_of_the_permit_does_not_review_its_outputs(ostore: SqlOutputStore) -> None:
    people, _ = airlock_world(ostore)
    application = submit(ostore, people["stella"], now=NOW - timedelta(days=2), data_users=["rita"])
    permit = service.decide(
        ostore,
        people["sam"],
        application.application_id,
        approve=True,
        reason="Permitted purpose, minimal variables.",
        now=NOW - timedelta(days=1),
    )
    request = file_request(ostore, people["rita"], permit)
    with pytest.raises(RuleViolation, match="applied for permit"):
        vote(ostore, people, "stella", request)
    assert vote(ostore, people, "sofie", request).votes_cast == 1


@pytest.mark.parametrize(
    ("first", "second", "outcome"),
    [
        (True, True, OutputState.RELEASED),
        (True, False, OutputState.REJECTED),
        (False, True, OutputState.REJECTED),
        (False, False, OutputState.REJECTED),
    ],
)
def test_two_approvals_release_one_rejection_rejects(
    ostore: SqlOutputStore, first: bool, second: bool, outcome: OutputState
) -> None:
    people, permit = airlock_world(ostore)
    request = file_request(ostore, people["rita"], permit)
    after_first = vote(ostore, people, "sam", request, approve=first)
    # Whatever the first vote, the request looks the same until the second one.
    assert (after_first.request.state, after_first.request.decided_at) == (OutputState.UNDER_REVIEW, None)
    decided = vote(ostore, people, "sofie", request, approve=second)
    assert decided.request.state is outcome
    assert ostore.get_output_request(request.request_id).state is outcome
    final = [e for e in ostore.audit_entries() if e.action in ("output.released", "output.rejected")]
    assert [(e.action, e.details["approvals"], e.details["rejections"]) for e in final] == [
        (f"output.{outcome.value}", int(first) + int(second), 2 - int(first) - int(second))
    ]


@pytest.mark.parametrize("first", [True, False])
def test_reviewers_are_blind_to_each_others_vote_until_both_voted(
    ostore: SqlOutputStore, first: bool
) -> None:
    people, permit = airlock_world(ostore)
    request = file_request(ostore, people["rita"], permit)
    before = len(ostore.audit_entries())
    vote(ostore, people, "sam", request, approve=first)
    second_sees = releases.view(ostore, people["sofie"], request.request_id)
    assert (second_sees.votes_cast, second_sees.reviews) == (1, ())
    assert second_sees.request.state is OutputState.UNDER_REVIEW
    author_sees = releases.view(ostore, people["rita"], request.request_id)
    assert author_sees.reviews == ()
    first_sees = releases.view(ostore, people["sam"], request.request_id)
    assert [r.reviewer for r in first_sees.reviews] == ["sam"]
    # Nor does the audit log tell: the vote entry carries no direction.
    written = json.dumps([e.details for e in ostore.audit_entries()[before:]])
    assert "approve" not in written and "reject" not in written
    vote(ostore, people, "sofie", request, approve=True)
    both = releases.view(ostore, people["sofie"], request.request_id)
    assert [(r.reviewer, r.vote) for r in both.reviews] == [
        ("sam", Vote.APPROVE if first else Vote.REJECT),
        ("sofie", Vote.APPROVE),
    ]


@pytest.mark.parametrize(
    ("votes", "user", "error", "match"),
    [
        ([True, True], "rita", None, None),
        ([True, True], "stella", None, None),
        ([True, True], "sam", NotAuthorised, "only the permit's named data users"),
        ([True, True], "ruben", NotAuthorised, "only the permit's named data users"),
        ([], "rita", RuleViolation, "is submitted: only released outputs"),
        ([True], "rita", RuleViolation, "is under_review: only released outputs"),
        ([True, False], "rita", RuleViolation, "is rejected: only released outputs"),
    ],
)
def test_only_released_outputs_can_be_downloaded(
    ostore: SqlOutputStore, votes: list[bool], user: str, error: type[Exception] | None, match: str | None
) -> None:
    people, permit = airlock_world(ostore)
    request = file_request(ostore, people["rita"], permit)
    for steward, approve in zip(["sam", "sofie"], votes, strict=False):
        vote(ostore, people, steward, request, approve=approve)
    current = ostore.get_output_request(request.request_id)
    assert can_download(people[user], current, permit) is (error is None)
    if error is None:
        assert releases.download(ostore, people[user], request.request_id).result == request.result
        assert ostore.audit_entries()[-1].action == "output.downloaded"
    else:
        with pytest.raises(error, match=match):
            releases.download(ostore, people[user], request.request_id)


def test_lists_show_each_user_what_they_may_see(ostore: SqlOutputStore) -> None:
    people, permit = airlock_world(ostore)
    first = file_request(ostore, people["rita"], permit)
    second = file_request(ostore, people["stella"], permit)
    ids = [first.request_id, second.request_id]
    assert [r.request_id for r in releases.list_requests(ostore, people["sam"])] == ids
    assert [r.request_id for r in releases.list_requests(ostore, people["rita"])] == ids
    assert releases.list_requests(ostore, people["ruben"]) == []
    with pytest.raises(CatalogError, match="may not see"):
        releases.view(ostore, people["ruben"], first.request_id)


def test_every_step_is_audited_with_ids_and_counts_never_text_or_values(ostore: SqlOutputStore) -> None:
    people, permit = airlock_world(ostore)
    before = len(ostore.audit_entries())
    request = file_request(ostore, people["rita"], permit)
    vote(ostore, people, "sam", request)
    vote(ostore, people, "sofie", request)
    releases.download(ostore, people["rita"], request.request_id)
    entries = ostore.audit_entries()[before:]
    assert [(e.actor, e.action) for e in entries] == [
        ("rita", "output.requested"),
        ("sam", "output.vote_recorded"),
        ("sam", "output.review_started"),
        ("sofie", "output.vote_recorded"),
        ("sofie", "output.release_checked"),
        ("sofie", "output.released"),
        ("rita", "output.downloaded"),
    ]
    assert entries[4].details == {"status": "pass", "suppressed": 0}
    assert {e.object_id for e in entries} == {request.request_id}
    assert entries[0].details == {
        "permit": permit.application_id,
        "verdict": "suppressed",
        "sql_sha256": releases.sql_digest(SQL),
        "versions": ["claims@3"],
        "rows": 2,
        "columns": 2,
        "suppressed": 1,
    }
    # Hashes and times aside, nothing of the query, its result or the reasons is in the log.
    written = json.dumps(
        [
            (
                e.actor,
                e.action,
                e.object_type,
                e.object_id,
                {k: v for k, v in e.details.items() if k != "sql_sha256"},
            )
            for e in entries
        ]
    )
    for secret in (SQL, "GP", "LAB", "120", REASON, "count(DISTINCT", CONTEXT.shows, CONTEXT.needed_for):
        assert secret not in written
    assert trail.verify(ostore).ok


def test_the_database_refuses_a_second_vote_by_the_same_steward(ostore: SqlOutputStore) -> None:
    from sqlalchemy.exc import IntegrityError

    from catalog.airlock.domain import Review

    people, permit = airlock_world(ostore)
    request = file_request(ostore, people["rita"], permit)
    vote(ostore, people, "sam", request)
    with pytest.raises(IntegrityError), ostore.session.begin_nested():
        ostore.add_output_review(Review(request.request_id, "sam", Vote.REJECT, REASON, NOW))


@pytest.mark.parametrize(
    ("shows", "needed_for", "problems"),
    [
        ("", "  ", {"shows": "missing", "needed_for": "missing"}),
        ("Counts per kind.", CONTEXT.needed_for, {"shows": "too_short"}),
        (CONTEXT.shows, "x" * 4001, {"needed_for": "too_long"}),
        (CONTEXT.shows, CONTEXT.needed_for, {}),
    ],
)
def test_a_request_needs_its_context(
    ostore: SqlOutputStore, shows: str, needed_for: str, problems: dict[str, str]
) -> None:
    people, permit = airlock_world(ostore)
    assert policies.context_problems(shows, needed_for) == problems
    context = OutputContext(shows, needed_for)
    if problems:
        with pytest.raises(RuleViolation, match="needs its context"):
            releases.request_release(
                ostore,
                people["rita"],
                permit_id=permit.application_id,
                sql=SQL,
                result=RESULT,
                versions={},
                context=context,
            )
        assert ostore.list_output_requests() == []
    else:
        filed = releases.request_release(
            ostore,
            people["rita"],
            permit_id=permit.application_id,
            sql=SQL,
            result=RESULT,
            versions={},
            context=context,
        )
        assert ostore.get_output_request(filed.request_id).context == CONTEXT


def test_a_submission_key_files_once(ostore: SqlOutputStore) -> None:
    people, permit = airlock_world(ostore)

    def once() -> str:
        return releases.request_release(
            ostore,
            people["rita"],
            permit_id=permit.application_id,
            sql=SQL,
            result=RESULT,
            versions={},
            context=CONTEXT,
            submission_key="k" * 32,
        ).request_id

    assert once() == once()
    assert [r.request_id for r in ostore.list_output_requests()] == [once()]
    assert releases.filed_with(ostore, people["stella"], "k" * 32) is None


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (CheckStatus.PASSED, "released"),
        (CheckStatus.CHANGED, "rejected"),
        (CheckStatus.UNAVAILABLE, "rejected"),
    ],
)
def test_the_release_check_decides_after_two_approvals(
    ostore: SqlOutputStore, status: CheckStatus, state: str
) -> None:
    people, permit = airlock_world(ostore)
    request = file_request(ostore, people["rita"], permit)
    checked: list[str] = []

    def recheck(req: OutputRequest, at: datetime) -> ReleaseCheck:
        checked.append(req.request_id)
        return ReleaseCheck(status, 1 if status is CheckStatus.CHANGED else 0, at)

    vote(ostore, people, "sam", request)
    assert checked == []
    decided = releases.review(
        ostore, people["sofie"], request.request_id, approve=True, reason=REASON, recheck=recheck
    )
    assert checked == [request.request_id]
    assert decided.request.state.value == state
    stored = ostore.get_output_request(request.request_id)
    assert stored.release_check is not None and stored.release_check.status is status
    last = ostore.audit_entries()[-1]
    assert (last.action, last.details.get("release_check")) == (
        f"output.{state}",
        None if status is CheckStatus.PASSED else status.value,
    )


def test_a_rejection_needs_no_release_check(ostore: SqlOutputStore) -> None:
    people, permit = airlock_world(ostore)
    request = file_request(ostore, people["rita"], permit)

    def never(req: OutputRequest, at: datetime) -> ReleaseCheck:
        raise AssertionError("a rejected request is not checked again")

    vote(ostore, people, "sam", request, approve=False)
    decided = releases.review(
        ostore, people["sofie"], request.request_id, approve=True, reason=REASON, recheck=never
    )
    assert decided.request.state.value == "rejected" and decided.request.release_check is None


def test_why_a_user_may_not_review_comes_as_a_code(ostore: SqlOutputStore) -> None:
    people, permit = airlock_world(ostore)
    request = file_request(ostore, people["rita"], permit)
    application = ostore.get_application(permit.application_id)
    codes = {
        name: policies.review_refusal(people[name], request, application, [])
        for name in ("rita", "stella", "ruben", "sam")
    }
    assert codes == {"rita": "not_steward", "stella": "data_user", "ruben": "not_steward", "sam": None}
    vote(ostore, people, "sam", request)
    reviews = ostore.output_reviews(request.request_id)
    assert policies.review_refusal(people["sam"], request, application, reviews) == "already_voted"
