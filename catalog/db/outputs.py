"""The airlock's storage (``catalog.airlock.store.OutputStore``) over SQLAlchemy, beside the other stores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from catalog.airlock.domain import (
    CheckedResult,
    CheckStatus,
    OutputContext,
    OutputRequest,
    OutputState,
    ReleaseCheck,
    Review,
    Vote,
)
from catalog.db.models import OutputRequestRow, OutputReviewRow
from catalog.db.store import SqlStore
from catalog.errors import NotFound


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _check_row(check: ReleaseCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {"status": check.status.value, "suppressed": check.suppressed, "at": check.at.isoformat()}


def _check(row: dict[str, Any] | None) -> ReleaseCheck | None:
    if row is None:
        return None
    return ReleaseCheck(
        CheckStatus(row["status"]), int(row["suppressed"]), _utc(datetime.fromisoformat(row["at"]))
    )


class SqlOutputStore(SqlStore):
    """Every store Protocol, the airlock's included, over one SQLAlchemy session."""

    def add_output_request(self, request: OutputRequest) -> None:
        self.session.add(
            OutputRequestRow(
                request_id=request.request_id,
                permit_id=request.permit_id,
                author=request.author,
                sql=request.sql,
                sql_sha256=request.sql_sha256,
                columns=list(request.result.columns),
                rows=[list(row) for row in request.result.rows],
                suppressed=[dict(s) for s in request.result.suppressed],
                versions=dict(request.versions),
                verdict=request.verdict,
                state=request.state.value,
                created_at=request.created_at,
                decided_at=request.decided_at,
                shows=None if request.context is None else request.context.shows,
                needed_for=None if request.context is None else request.context.needed_for,
                submission_key=request.submission_key,
                release_check=_check_row(request.release_check),
            )
        )
        self.session.flush()

    @staticmethod
    def _request(row: OutputRequestRow) -> OutputRequest:
        result = CheckedResult(
            columns=tuple(row.columns),
            rows=tuple(tuple(r) for r in row.rows),
            suppressed=tuple(dict(s) for s in row.suppressed),
        )
        return OutputRequest(
            request_id=row.request_id,
            permit_id=row.permit_id,
            author=row.author,
            sql=row.sql,
            sql_sha256=row.sql_sha256,
            result=result,
            versions=dict(row.versions),
            verdict=row.verdict,
            state=OutputState(row.state),
            created_at=_utc(row.created_at),
            decided_at=None if row.decided_at is None else _utc(row.decided_at),
            context=None
            if row.shows is None or row.needed_for is None
            else OutputContext(row.shows, row.needed_for),
            submission_key=row.submission_key,
            release_check=_check(row.release_check),
        )

    def get_output_request(self, request_id: str) -> OutputRequest:
        row = self.session.get(OutputRequestRow, request_id)
        if row is None:
            raise NotFound(f"no output request {request_id!r}")
        return self._request(row)

    def update_output_request(self, request: OutputRequest) -> None:
        row = self.session.get(OutputRequestRow, request.request_id)
        if row is None:
            raise NotFound(f"no output request {request.request_id!r}")
        row.state, row.decided_at = request.state.value, request.decided_at
        row.release_check = _check_row(request.release_check)
        self.session.flush()

    def list_output_requests(self) -> list[OutputRequest]:
        query = select(OutputRequestRow).order_by(OutputRequestRow.created_at, OutputRequestRow.request_id)
        return [self._request(row) for row in self.session.scalars(query)]

    def find_output_request_by_key(self, submission_key: str) -> OutputRequest | None:
        query = select(OutputRequestRow).where(OutputRequestRow.submission_key == submission_key)
        row = self.session.scalars(query).first()
        return None if row is None else self._request(row)

    def add_output_review(self, review: Review) -> None:
        self.session.add(
            OutputReviewRow(
                request_id=review.request_id,
                reviewer=review.reviewer,
                vote=review.vote.value,
                reason=review.reason,
                at=review.at,
            )
        )
        self.session.flush()

    def output_reviews(self, request_id: str) -> list[Review]:
        query = select(OutputReviewRow).where(OutputReviewRow.request_id == request_id)
        return [
            Review(r.request_id, r.reviewer, Vote(r.vote), r.reason, _utc(r.at))
            for r in self.session.scalars(query.order_by(OutputReviewRow.id))
        ]
