"""Opt-out events and a person's current state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from catalog.optout.vocabulary import OptOutAction, OptOutChannel, OptOutSource


@dataclass(frozen=True)
class OptOutEvent:
    """One opt-out or withdrawal as a citizen made it (``event_time``) and Haven received it.

    ``pid`` is the trusted third party's pseudonym; it is never part of ``repr`` so that an
    event printed by accident names no one.
    """

    pid: str = field(repr=False)
    action: OptOutAction
    event_time: datetime
    channel: OptOutChannel
    agent: str | None
    source: OptOutSource
    received_at: datetime


@dataclass(frozen=True)
class OptOutStatus:
    """Counts only: persons whose opt-out is in force, and events by channel and action."""

    persons_opted_out: int
    events: int
    events_by_channel: dict[str, int]
    events_by_action: dict[str, int]
