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
class OutputContext:
    """What the author says about an output: what it shows and why it must leave the SPE.

    Missing context is the most common reason outputs are returned; the airlock requires both
    (``catalog.airlock.policies.check_context``). Free text: it never enters the audit log.
    """

    shows: str
    needed_for: str


class CheckStatus(StrEnum):
    """Disclosure control run again at release time (``spe.airlock.release_check``)."""

    PASSED = "pass"  # the result, checked again now, is the one the request holds
    CHANGED = "changed"  # checked again now, more cells would be suppressed: not released
    UNAVAILABLE = "unavailable"  # the check could not run (data versions gone, query refused)


@dataclass(frozen=True)
class ReleaseCheck:
    """The outcome of disclosure control run again just before a release."""

    status: CheckStatus
    suppressed: int  # cells the check suppressed that the request shows (0 when it passed)
    at: datetime

    @property
    def passed(self) -> bool:
        return self.status is CheckStatus.PASSED


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
    context: OutputContext | None = None  # None only for requests filed before context was required
    # The one-time key of the form or API call that filed it: a second submission returns this request.
    submission_key: str | None = None
    release_check: ReleaseCheck | None = None  # set when the second approval triggered the check


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
