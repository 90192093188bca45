"""Output release (the airlock): file a request, review it twice blind, download it once released.

Every operation checks its rule (``catalog.airlock.policies``) before it writes, moves the
request only along ``catalog.airlock.lifecycle.TRANSITIONS`` and appends an audit entry in
the caller's transaction. Audit entries carry ids and counts (rows, columns, suppressed
cells, votes cast), never the SQL text, the context, a reason or a value; a vote's direction
enters the audit log only with the decision, after both reviewers voted.

Before a request is released, disclosure control runs again (``recheck``: the SPE's
``spe.airlock.release_check``, which the catalogue cannot import): against the thresholds in
force and everything the permit released since the request was filed. A result that would
now lose cells, or that cannot be checked, is rejected instead of released.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from catalog.airlock.domain import (
    CheckedResult,
    OutputContext,
    OutputRequest,
    OutputState,
    ReleaseCheck,
    RequestView,
    Review,
    Vote,
)
from catalog.airlock.lifecycle import (
    APPROVALS_NEEDED,
    DOWNLOAD_EVENT,
    INITIAL_STATE,
    RELEASE_CHECK_EVENT,
    REQUESTED_EVENT,
    VOTE_EVENT,
    transition,
)
from catalog.airlock.policies import (
    can_view,
    check_can_download,
    check_can_request,
    check_can_review,
    check_can_view,
    check_context,
    visible_reviews,
)
from catalog.airlock.store import OutputStore
from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.errors import NotAuthorised
from catalog.people.domain import User
from catalog.people.store import UserStore
from catalog.permits.policies import check_reason
from catalog.permits.store import PermitStore
from catalog.references import new_reference


class Store(OutputStore, PermitStore, AuditStore, UserStore, Protocol):
    """Everything the airlock reads and writes."""


# Disclosure control run again on a request about to be released, at the given time.
Recheck = Callable[[OutputRequest, datetime], ReleaseCheck]


def sql_digest(sql: str) -> str:
    """The SHA-256 of the SQL text: what the audit log records instead of the text."""
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """A result value as JSON can store it (DuckDB returns decimals and dates)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def plain_row(row: Sequence[Any]) -> tuple[Any, ...]:
    """A result row with its values as the catalogue stores them (floats, ISO dates)."""
    return tuple(_plain(v) for v in row)


def plain_result(result: CheckedResult) -> CheckedResult:
    """``result`` with its values as the catalogue stores them (floats, ISO dates)."""
    return CheckedResult(
        columns=tuple(result.columns),
        rows=tuple(plain_row(row) for row in result.rows),
        suppressed=tuple(dict(s) for s in result.suppressed),
    )


def as_csv(result: CheckedResult) -> str:
    """The released table as the CSV file a data user downloads: a header, then the rows
    (suppressed cells empty); the CLI and the portal write exactly these bytes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(result.columns)
    writer.writerows(result.rows)
    return buffer.getvalue()


def _counts(result: CheckedResult) -> dict[str, Any]:
    return {"rows": len(result.rows), "columns": len(result.columns), "suppressed": len(result.suppressed)}


def request_release(
    store: Store,
    actor: User,
    *,
    permit_id: str,
    sql: str,
    result: CheckedResult,
    versions: dict[str, int],
    context: OutputContext,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> OutputRequest:
    """File a release request for a result that disclosure control released in the SPE.

    ``context`` is required (``check_context``). A ``submission_key`` already used by the
    same author returns that request instead of filing a second one (double submission).
    """
    at = (now or datetime.now(UTC)).astimezone(UTC)
    check_can_request(actor, store.get_application(permit_id), at)
    context = check_context(context.shows, context.needed_for)
    if submission_key is not None:
        earlier = filed_with(store, actor, submission_key)
        if earlier is not None:
            return earlier
    plain = plain_result(result)
    request = OutputRequest(
        request_id=new_reference("out", at),
        permit_id=permit_id,
        author=actor.username,
        sql=sql,
        sql_sha256=sql_digest(sql),
        result=plain,
        versions=dict(versions),
        verdict=plain.verdict,
        state=INITIAL_STATE,
        created_at=at,
        context=context,
        submission_key=submission_key,
    )
    store.add_output_request(request)
    trail.append(
        store,
        actor=actor.username,
        action=REQUESTED_EVENT,
        object_type="output",
        object_id=request.request_id,
        at=at,
        details={
            "permit": permit_id,
            "verdict": request.verdict,
            "sql_sha256": request.sql_sha256,
            "versions": [f"{t}@{v}" for t, v in sorted(versions.items())],
            **_counts(plain),
        },
    )
    return request


def filed_with(store: Store, actor: User, submission_key: str) -> OutputRequest | None:
    """The request ``actor`` filed with ``submission_key``, if any."""
    found = store.find_output_request_by_key(submission_key)
    return found if found is not None and found.author == actor.username else None


def _check_before_release(
    store: Store, actor: User, request: OutputRequest, recheck: Recheck, at: datetime
) -> OutputRequest:
    """Run disclosure control again, keep its outcome on the request and audit it."""
    check = recheck(request, at)
    request = replace(request, release_check=check)
    store.update_output_request(request)
    trail.append(
        store,
        actor=actor.username,
        action=RELEASE_CHECK_EVENT,
        object_type="output",
        object_id=request.request_id,
        at=at,
        details={"status": check.status.value, "suppressed": check.suppressed},
    )
    return request


def _move(
    store: Store, request: OutputRequest, target: OutputState, actor: User, at: datetime, **details: Any
) -> OutputRequest:
    move = transition(request.state, target)
    if not actor.roles & move.roles:
        raise NotAuthorised(
            f"user {actor.username!r} may not move {request.request_id} from {request.state} to {target}"
        )
    updated = replace(
        request,
        state=target,
        decided_at=at if target in (OutputState.RELEASED, OutputState.REJECTED) else None,
    )
    store.update_output_request(updated)
    trail.append(
        store,
        actor=actor.username,
        action=move.event,
        object_type="output",
        object_id=request.request_id,
        at=at,
        details={"from": request.state.value, "to": target.value, **details},
    )
    return updated


def review(
    store: Store,
    actor: User,
    request_id: str,
    *,
    approve: bool,
    reason: str,
    recheck: Recheck,
    now: datetime | None = None,
) -> RequestView:
    """Record a steward's vote; after the second vote, release (two approvals and disclosure
    control passing again, ``recheck``) or reject."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    request = store.get_output_request(request_id)
    reviews = store.output_reviews(request_id)
    check_can_review(actor, request, store.get_application(request.permit_id), reviews)
    text = check_reason(reason)
    vote = Review(request_id, actor.username, Vote.APPROVE if approve else Vote.REJECT, text, at)
    store.add_output_review(vote)
    reviews = [*reviews, vote]
    trail.append(
        store,
        actor=actor.username,
        action=VOTE_EVENT,
        object_type="output",
        object_id=request_id,
        at=at,
        details={"votes_cast": len(reviews)},
    )
    if request.state is OutputState.SUBMITTED:
        request = _move(store, request, OutputState.UNDER_REVIEW, actor, at)
    if len(reviews) >= APPROVALS_NEEDED:
        approvals = sum(r.vote is Vote.APPROVE for r in reviews)
        target = OutputState.RELEASED if approvals >= APPROVALS_NEEDED else OutputState.REJECTED
        details: dict[str, Any] = {"approvals": approvals, "rejections": len(reviews) - approvals}
        if target is OutputState.RELEASED:
            request = _check_before_release(store, actor, request, recheck, at)
            if request.release_check is not None and not request.release_check.passed:
                target = OutputState.REJECTED
                details["release_check"] = request.release_check.status.value
        request = _move(store, request, target, actor, at, **details)
    return RequestView(request, len(reviews), visible_reviews(actor, request, reviews))


def view(store: Store, actor: User, request_id: str) -> RequestView:
    """A request as ``actor`` may see it: the table, SQL, verdict and versions, and votes if decided."""
    request = store.get_output_request(request_id)
    check_can_view(actor, request, store.get_application(request.permit_id))
    reviews = store.output_reviews(request_id)
    return RequestView(request, len(reviews), visible_reviews(actor, request, reviews))


def list_requests(store: Store, actor: User | None = None) -> list[OutputRequest]:
    """Requests ``actor`` may see; with no actor, every request (callers show only ids and states)."""
    requests = store.list_output_requests()
    if actor is None:
        return requests
    permits = {pid: store.get_application(pid) for pid in {r.permit_id for r in requests}}
    return [r for r in requests if can_view(actor, r, permits[r.permit_id])]


def download(store: Store, actor: User, request_id: str, now: datetime | None = None) -> OutputRequest:
    """The released table, for a named user of its permit; refused for any other state or user."""
    request = store.get_output_request(request_id)
    check_can_download(actor, request, store.get_application(request.permit_id))
    trail.append(
        store,
        actor=actor.username,
        action=DOWNLOAD_EVENT,
        object_type="output",
        object_id=request_id,
        at=now,
        details=_counts(request.result),
    )
    return request
