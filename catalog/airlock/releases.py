"""Output release (the airlock): file a request, review it twice blind, download it once released.

Every operation checks its rule (``catalog.airlock.policies``) before it writes, moves the
request only along ``catalog.airlock.lifecycle.TRANSITIONS`` and appends an audit entry in
the caller's transaction. Audit entries carry ids and counts (rows, columns, suppressed
cells, votes cast), never the SQL text, a reason or a value; a vote's direction enters the
audit log only with the decision, after both reviewers voted.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from catalog.airlock.domain import CheckedResult, OutputRequest, OutputState, RequestView, Review, Vote
from catalog.airlock.lifecycle import (
    APPROVALS_NEEDED,
    DOWNLOAD_EVENT,
    INITIAL_STATE,
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


class Store(OutputStore, PermitStore, AuditStore, UserStore, Protocol):
    """Everything the airlock reads and writes."""


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
    now: datetime | None = None,
) -> OutputRequest:
    """File a release request for a result that disclosure control released in the SPE."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    check_can_request(actor, store.get_application(permit_id), at)
    plain = CheckedResult(
        columns=tuple(result.columns),
        rows=tuple(tuple(_plain(v) for v in row) for row in result.rows),
        suppressed=tuple(dict(s) for s in result.suppressed),
    )
    request = OutputRequest(
        request_id=f"out-{at:%Y}-{store.count_output_requests() + 1:04d}",
        permit_id=permit_id,
        author=actor.username,
        sql=sql,
        sql_sha256=sql_digest(sql),
        result=plain,
        versions=dict(versions),
        verdict=plain.verdict,
        state=INITIAL_STATE,
        created_at=at,
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
    store: Store, actor: User, request_id: str, *, approve: bool, reason: str, now: datetime | None = None
) -> RequestView:
    """Record a steward's vote; after the second vote, release (two approvals) or reject."""
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
        request = _move(
            store, request, target, actor, at, approvals=approvals, rejections=len(reviews) - approvals
        )
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
