"""Opt-out events and a person's current state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from catalog.optout.vocabulary import OptOutAction, OptOutChannel, OptOutSource, Outcome


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


@dataclass(frozen=True)
class Receipt:
    """What a request made in the portal (online, or by an agent) came to, under its reference.

    It holds no pid: ``owner`` is the account that made the request (the citizen, or the
    agent who took it), ``form_key`` the one-time key of the form it was sent from, so that a
    form sent twice gives the same receipt and records one event.
    """

    reference: str
    owner: str
    form_key: str = field(repr=False)
    action: OptOutAction
    channel: OptOutChannel
    outcome: Outcome
    at: datetime
