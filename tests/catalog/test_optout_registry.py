"""The opt-out registry on SQLite and PostgreSQL: events are appended, state is derived from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DatabaseError

from catalog.audit import trail
from catalog.db.engine import Catalog
from catalog.db.models import OptOutEventRow
from catalog.db.store import SqlStore
from catalog.errors import InvalidOptOutEvent
from catalog.optout import registry
from catalog.optout.domain import OptOutEvent
from catalog.optout.vocabulary import OptOutAction, OptOutChannel, OptOutSource

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PID = "TTP-person-7f3a"
OTHER = "TTP-person-b201"


def ev(
    action: str = "optout",
    *,
    pid: str = PID,
    minutes: int = 0,
    channel: str = "online",
    agent: str | None = None,
    source: str = "cli",
) -> OptOutEvent:
    return registry.make_event(
        pid=pid,
        action=action,
        event_time=T0 + timedelta(minutes=minutes),
        channel=channel,
        agent=agent,
        source=source,
        received_at=T0,
    )


def record(catalog: Catalog, events: list[OptOutEvent]) -> registry.Recorded:
    with catalog.session() as session:
        return registry.record(SqlStore(session), events, actor="system", source=OptOutSource.CLI)


def state(catalog: Catalog) -> dict[str, datetime]:
    with catalog.session() as session:
        return registry.opted_out_now(SqlStore(session))


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


STATE_CASES: list[tuple[str, list[list[OptOutEvent]], dict[str, datetime]]] = [
    ("one opt-out", [[ev()]], {PID: at(0)}),
    ("exact duplicate in one batch", [[ev(), ev()]], {PID: at(0)}),
    ("exact duplicate in two batches", [[ev()], [ev()]], {PID: at(0)}),
    ("withdrawal after opt-out", [[ev(), ev("withdrawal", minutes=5)]], {}),
    ("withdrawal arrives first, happened later", [[ev("withdrawal", minutes=5)], [ev()]], {}),
    ("opt-out arrives last, happened first", [[ev("withdrawal", minutes=5), ev()]], {}),
    ("withdrawal then re-opt-out", [[ev(), ev("withdrawal", minutes=5), ev(minutes=9)]], {PID: at(9)}),
    (
        "re-opt-out delivered out of order",
        [[ev(minutes=9)], [ev("withdrawal", minutes=5)], [ev()]],
        {PID: at(9)},
    ),
    ("same instant: opt-out wins", [[ev("withdrawal"), ev()]], {PID: at(0)}),
    ("same instant, other order", [[ev()], [ev("withdrawal")]], {PID: at(0)}),
    ("withdrawal alone", [[ev("withdrawal")]], {}),
    (
        "two people",
        [[ev(), ev(pid=OTHER, minutes=3, channel="desk", agent="agent-12")]],
        {PID: at(0), OTHER: at(3)},
    ),
]


@pytest.mark.parametrize(
    ("events", "expected"), [c[1:] for c in STATE_CASES], ids=[c[0] for c in STATE_CASES]
)
def test_state_is_derived_from_events(
    catalog: Catalog, events: list[list[OptOutEvent]], expected: dict[str, datetime]
) -> None:
    for batch in events:
        record(catalog, batch)
    assert state(catalog) == expected
    # The pure derivation agrees whatever the order the events come in.
    flat = [e for batch in events for e in batch]
    assert registry.derive_state(reversed(flat)) == expected


def test_duplicates_are_stored_once_and_counted(catalog: Catalog) -> None:
    first = record(catalog, [ev(), ev("withdrawal", minutes=1)])
    again = record(catalog, [ev(), ev("withdrawal", minutes=1), ev(minutes=2)])
    assert (first.recorded, first.duplicates) == (2, 0)
    assert (again.recorded, again.duplicates) == (1, 2)
    with catalog.session() as session:
        assert len(SqlStore(session).optout_events()) == 3


def test_the_same_instant_in_another_zone_and_source_is_a_duplicate(catalog: Catalog) -> None:
    brussels = registry.make_event(
        pid=PID,
        action="optout",
        channel="online",
        agent=None,
        source="feed",
        event_time=T0.astimezone(timezone(timedelta(hours=1))),
    )
    assert record(catalog, [ev(), brussels]).as_dict() == {"recorded": 1, "duplicates": 1}


MALFORMED: list[tuple[str, dict[str, Any], str]] = [
    ("phone without agent", {"channel": "phone"}, "phone request needs the agent id"),
    ("desk without agent", {"channel": "desk"}, "desk request needs the agent id"),
    ("online with agent", {"channel": "online", "agent": "agent-1"}, "online request has no agent"),
    ("unknown channel", {"channel": "fax"}, "channel must be one of online, phone, desk"),
    ("unknown action", {"action": "delete"}, "action must be one of optout, withdrawal"),
    ("unknown source", {"source": "email"}, "source must be one of cli, feed, portal"),
    ("empty pid", {"pid": "  "}, "pid must be"),
    ("pid with spaces", {"pid": "TTP person 7f3a"}, "pid must be"),
    ("naive time", {"event_time": datetime(2026, 3, 1, 9)}, "event_time must be a date-time"),
    ("agent with free text", {"channel": "desk", "agent": "Mrs Janssens, Leuven"}, "agent id must be"),
]


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_events_are_refused_without_quoting_the_pid(
    catalog: Catalog, change: dict[str, Any], message: str
) -> None:
    values: dict[str, Any] = {
        "pid": PID,
        "action": "optout",
        "event_time": T0,
        "channel": "online",
        "agent": None,
        "source": "cli",
        **change,
    }
    with pytest.raises(InvalidOptOutEvent, match=message) as caught:
        registry.make_event(**values)
    assert PID not in str(caught.value) and "7f3a" not in str(caught.value)


def test_agent_rules_per_channel_and_source() -> None:
    def can(channel: str, agent: str | None, source: str) -> bool:
        return registry.can_record(
            OptOutEvent(
                pid=PID,
                action=OptOutAction.OPTOUT,
                event_time=T0,
                channel=OptOutChannel(channel),
                agent=agent,
                source=OptOutSource(source),
                received_at=T0,
            )
        )

    assert [
        can("online", None, "cli"),
        can("online", "a-1", "cli"),
        can("phone", "a-1", "cli"),
        can("phone", None, "cli"),
        can("desk", None, "portal"),
        can("desk", None, "feed"),
        can("online", "a-1", "feed"),
    ] == [True, False, True, False, False, True, False]


def test_a_malformed_event_stores_nothing_of_its_batch(catalog: Catalog) -> None:
    bad = OptOutEvent(
        pid=OTHER,
        action=OptOutAction.OPTOUT,
        event_time=T0,
        channel=OptOutChannel.PHONE,
        agent=None,
        source=OptOutSource.CLI,
        received_at=T0,
    )
    with pytest.raises(InvalidOptOutEvent):
        record(catalog, [ev(), bad])
    assert state(catalog) == {}


def test_audit_entries_count_events_and_never_name_the_pid(catalog: Catalog) -> None:
    record(catalog, [ev(), ev(pid=OTHER)])
    record(catalog, [ev()])
    with catalog.session() as session:
        store = SqlStore(session)
        entries = [e for e in store.audit_entries() if e.action == "optout.events_recorded"]
        assert trail.verify(store).ok
    assert [(e.object_id, e.details) for e in entries] == [
        ("1", {"recorded": 2, "duplicates": 0, "source": "cli", "last_event_id": 2}),
        ("none", {"recorded": 0, "duplicates": 1, "source": "cli", "last_event_id": None}),
    ]
    assert not any(PID in repr(e) or OTHER in repr(e) for e in entries)


def test_status_counts_only(catalog: Catalog) -> None:
    record(
        catalog,
        [
            ev(),
            ev(pid=OTHER, channel="phone", agent="agent-7"),
            ev("withdrawal", pid=OTHER, minutes=4, channel="desk", agent="agent-2"),
        ],
    )
    with catalog.session() as session:
        result = registry.status(SqlStore(session))
    assert result.persons_opted_out == 1
    assert result.events == 3
    assert result.events_by_channel == {"online": 1, "phone": 1, "desk": 1}
    assert result.events_by_action == {"optout": 2, "withdrawal": 1}


def test_events_are_append_only(catalog: Catalog) -> None:
    record(catalog, [ev()])
    for statement in (update(OptOutEventRow).values(action="withdrawal"), delete(OptOutEventRow)):
        with pytest.raises(DatabaseError, match="optout_events is append-only"), catalog.session() as session:
            session.execute(statement)
    assert state(catalog) == {PID: at(0)}


def test_event_repr_names_no_one() -> None:
    assert PID not in repr(ev())
