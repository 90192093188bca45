"""Output release (airlock) values: a request, its reviews, their states and votes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class OutputState(StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    RELEASED = "released"
    REJECTED = "rejected"


class Vote(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class CheckedResult:
    """A result as disclosure control released it in the SPE: aggregated and checked, never row-level."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    suppressed: tuple[dict[str, Any], ...] = ()

    @property
    def verdict(self) -> str:
        """The automated verdict: ``pass`` when nothing was suppressed, else ``suppressed``."""
        return "suppressed" if self.suppressed else "pass"


@dataclass(frozen=True)
class OutputRequest:
    request_id: str
    permit_id: str
    author: str
    sql: str
    sql_sha256: str
    result: CheckedResult
    versions: dict[str, int]  # Delta version of each table the session read
    verdict: str
    state: OutputState
    created_at: datetime
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Review:
    request_id: str
    reviewer: str
    vote: Vote
    reason: str
    at: datetime


@dataclass(frozen=True)
class RequestView:
    """What one user may see of a request: the votes stay hidden until both reviewers voted."""

    request: OutputRequest
    votes_cast: int
    reviews: tuple[Review, ...] = field(default_factory=tuple)
