"""The opt-out registry: append-only events, and each person's current state derived from them.

Every opt-out and withdrawal (EHDS Art 71) is one event; nothing is ever updated or
deleted (the table refuses it). The state of a person is that of their latest event by
the time the citizen made it; at equal times the opt-out wins, so the outcome never
depends on the order events arrived in. An exact duplicate (same pid, action, time,
channel and agent) is recorded once, however often it is delivered.

Rules come in pairs: ``check_event`` raises ``InvalidOptOutEvent`` naming the field and
the rule, never the pid; ``can_record`` returns a bool. Audit entries count events and
name event ids, never a pid.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.errors import InvalidOptOutEvent
from catalog.optout.domain import OptOutEvent, OptOutStatus
from catalog.optout.store import OptOutStore
from catalog.optout.vocabulary import (
    AGENT_CHANNELS,
    PID_PATTERN,
    OptOutAction,
    OptOutChannel,
    OptOutSource,
)

_PID = re.compile(PID_PATTERN)
_AGENT = re.compile(r"^[A-Za-z0-9_.@:-]{1,120}$")


class RegistryStore(OptOutStore, AuditStore, Protocol):
    """What ``record`` needs: the events and the audit log, in one transaction."""


def _enum(kind: type[Any], value: object, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(v.value for v in kind)
        raise InvalidOptOutEvent(f"opt-out event: {field} must be one of {allowed}") from None


def make_event(
    *,
    pid: str,
    action: str,
    event_time: datetime,
    channel: str,
    agent: str | None,
    source: str,
    received_at: datetime | None = None,
) -> OptOutEvent:
    """An event from loose values (CLI, feed, portal), checked; raises ``InvalidOptOutEvent``."""
    event = OptOutEvent(
        pid=pid.strip() if isinstance(pid, str) else pid,
        action=_enum(OptOutAction, action, "action"),
        event_time=event_time,
        channel=_enum(OptOutChannel, channel, "channel"),
        agent=agent.strip() if isinstance(agent, str) and agent.strip() else None,
        source=_enum(OptOutSource, source, "source"),
        received_at=received_at or datetime.now(UTC),
    )
    check_event(event)
    return event


def check_event(event: OptOutEvent) -> None:
    """Raise ``InvalidOptOutEvent`` with the rule an event breaks; the pid is never quoted."""
    if not isinstance(event.pid, str) or not _PID.fullmatch(event.pid):
        raise InvalidOptOutEvent("opt-out event: pid must be 1 to 128 letters, digits or _.:-")
    for name in ("event_time", "received_at"):
        value = getattr(event, name)
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise InvalidOptOutEvent(f"opt-out event: {name} must be a date-time with a time zone")
    if event.agent is not None and not _AGENT.fullmatch(event.agent):
        raise InvalidOptOutEvent("opt-out event: agent id must be 1 to 120 letters, digits or _.@:-")
    if event.channel is OptOutChannel.ONLINE and event.agent is not None:
        raise InvalidOptOutEvent(
            "opt-out event: an online request has no agent; "
            "use --channel phone or desk when an agent takes it"
        )
    # The landing feed carries no agent column: its sender keeps who took phone and desk
    # requests. Every request Haven itself takes (CLI, portal) names its agent.
    if event.channel in AGENT_CHANNELS and event.agent is None and event.source is not OptOutSource.FEED:
        raise InvalidOptOutEvent(
            f"opt-out event: a {event.channel.value} request needs the agent id of who took it (--agent)"
        )


def can_record(event: OptOutEvent) -> bool:
    try:
        check_event(event)
    except InvalidOptOutEvent:
        return False
    return True


def event_key(event: OptOutEvent) -> str:
    """What makes two events the same: pid, action, time (UTC, microseconds), channel, agent."""
    at = event.event_time.astimezone(UTC).isoformat(timespec="microseconds")
    canonical = "\x1f".join([event.pid, event.action.value, at, event.channel.value, event.agent or ""])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _order(event: OptOutEvent) -> tuple[datetime, int]:
    # Later wins; at the same instant the opt-out wins over a withdrawal.
    return (event.event_time.astimezone(UTC), 1 if event.action is OptOutAction.OPTOUT else 0)


def derive_state(events: Iterable[OptOutEvent]) -> dict[str, datetime]:
    """The pids whose opt-out is in force, with the time of the event that put it in force.

    The result does not depend on the order of ``events`` and duplicates change nothing.
    """
    latest: dict[str, OptOutEvent] = {}
    for event in events:
        current = latest.get(event.pid)
        if current is None or _order(event) > _order(current):
            latest[event.pid] = event
    return {pid: e.event_time.astimezone(UTC) for pid, e in latest.items() if e.action is OptOutAction.OPTOUT}


@dataclass(frozen=True)
class Recorded:
    """What ``record`` did: new events stored, exact duplicates skipped, the new events' ids."""

    recorded: int
    duplicates: int
    event_ids: tuple[int, ...]

    def as_dict(self) -> dict[str, int]:
        return {"recorded": self.recorded, "duplicates": self.duplicates}


def record(
    store: RegistryStore, events: Iterable[OptOutEvent], *, actor: str, source: OptOutSource
) -> Recorded:
    """Check and store ``events`` (all or none), skip exact duplicates, write one audit entry.

    The audit entry counts the events and names the first new event's id, never a pid.
    """
    batch = list(events)
    for event in batch:
        check_event(event)
    ids: list[int] = []
    seen: set[str] = set()
    for event in batch:
        key = event_key(event)
        if key in seen:
            continue
        seen.add(key)
        new_id = store.add_optout_event(event, key)
        if new_id is not None:
            ids.append(new_id)
    outcome = Recorded(recorded=len(ids), duplicates=len(batch) - len(ids), event_ids=tuple(ids))
    trail.append(
        store,
        actor=actor,
        action="optout.events_recorded",
        object_type="optout_event",
        object_id=str(ids[0]) if ids else "none",
        details={**outcome.as_dict(), "source": source.value, "last_event_id": ids[-1] if ids else None},
    )
    return outcome


def opted_out_now(store: OptOutStore) -> dict[str, datetime]:
    """Every pid whose opt-out is in force, with when it took effect."""
    return derive_state(store.optout_events())


def status(store: OptOutStore) -> OptOutStatus:
    """Counts for stewards and auditors; names no one."""
    events = store.optout_events()
    return OptOutStatus(
        persons_opted_out=len(derive_state(events)),
        events=len(events),
        events_by_channel=_counts(Counter(e.channel.value for e in events), OptOutChannel),
        events_by_action=_counts(Counter(e.action.value for e in events), OptOutAction),
    )


def _counts(counter: Mapping[str, int], kind: type[Any]) -> dict[str, int]:
    return {v.value: counter.get(v.value, 0) for v in kind}
