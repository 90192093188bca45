"""Citizen accounts linked to their pid, and opt-out requests made in the portal: online by
the citizen, by phone or desk through an agent; idempotent, with receipts that hold no pid."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.db.engine import Catalog
from catalog.db.store import SqlStore
from catalog.errors import InvalidOptOutEvent, NotAuthorised, NotFound, RuleViolation
from catalog.optout import citizens, registry
from catalog.optout.vocabulary import OptOutAction, OptOutChannel, OptOutSource, Outcome
from catalog.people.domain import SYSTEM, Role, User

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PID = "TTP-person-7f3a"
CITIZEN = User("cito@example.be", frozenset({Role.CITIZEN}))
AGENT = User("agnes@example.be", frozenset({Role.AGENT}))


@pytest.fixture
def linked(catalog: Catalog) -> Catalog:
    with catalog.session() as session:
        store = SqlStore(session)
        for user in (CITIZEN, AGENT):
            store.add_user(user, None)
        citizens.link(store, SYSTEM, CITIZEN.username, PID, now=T0)
    return catalog


def online(catalog: Catalog, action: OptOutAction, minutes: int, key: str | None = None) -> citizens.Receipt:
    with catalog.session() as session:
        return citizens.request_online(
            SqlStore(session),
            CITIZEN,
            action,
            form_key=key or citizens.new_form_key(),
            now=T0 + timedelta(minutes=minutes),
        )


def events(catalog: Catalog) -> list[tuple[str, str, str, str | None, str]]:
    with catalog.session() as session:
        return [
            (e.pid, e.action.value, e.channel.value, e.agent, e.source.value)
            for e in SqlStore(session).optout_events()
        ]


def test_an_online_opt_out_and_withdrawal_are_portal_events_of_the_linked_pid(linked: Catalog) -> None:
    first = online(linked, OptOutAction.OPTOUT, 1)
    second = online(linked, OptOutAction.WITHDRAWAL, 2)
    assert (first.outcome, second.outcome) == (Outcome.RECORDED, Outcome.RECORDED)
    assert events(linked) == [
        (PID, "optout", "online", None, "portal"),
        (PID, "withdrawal", "online", None, "portal"),
    ]
    assert citizens.REFERENCE.fullmatch(first.reference) and first.reference != second.reference
    assert PID not in repr(first)
    with linked.session() as session:
        state = citizens.state_of(SqlStore(session), CITIZEN)
        audit = repr(SqlStore(session).audit_entries())
    assert (state.linked, state.in_force) == (True, False)
    assert [(h.action.value, h.at) for h in state.history] == [
        ("optout", T0 + timedelta(minutes=1)),
        ("withdrawal", T0 + timedelta(minutes=2)),
    ]
    assert PID not in audit


def test_the_same_form_sent_twice_records_one_event_and_gives_one_receipt(linked: Catalog) -> None:
    key = citizens.new_form_key()
    first = online(linked, OptOutAction.OPTOUT, 1, key)
    again = online(linked, OptOutAction.OPTOUT, 3, key)
    assert again == first and len(events(linked)) == 1


def test_a_second_opt_out_and_a_withdrawal_without_one_record_nothing(linked: Catalog) -> None:
    assert online(linked, OptOutAction.WITHDRAWAL, 1).outcome is Outcome.NOTHING_TO_WITHDRAW
    assert events(linked) == []
    assert online(linked, OptOutAction.OPTOUT, 2).outcome is Outcome.RECORDED
    assert online(linked, OptOutAction.OPTOUT, 3).outcome is Outcome.ALREADY_OPTED_OUT
    assert len(events(linked)) == 1
    with linked.session() as session:
        assert registry.status(SqlStore(session)).persons_opted_out == 1


def test_an_agent_records_for_a_pid_under_their_own_name(linked: Catalog) -> None:
    with linked.session() as session:
        receipt = citizens.request_by_agent(
            SqlStore(session),
            AGENT,
            " other-person-1 ",
            OptOutAction.OPTOUT,
            OptOutChannel.PHONE,
            form_key=citizens.new_form_key(),
            now=T0,
        )
    assert receipt.owner == AGENT.username and receipt.outcome is Outcome.RECORDED
    assert events(linked) == [
        ("other-person-1", "optout", "phone", AGENT.username, OptOutSource.PORTAL.value)
    ]


@pytest.mark.parametrize(
    ("who", "pid", "channel", "error"),
    [
        (CITIZEN, "p1", OptOutChannel.PHONE, NotAuthorised),
        (AGENT, "p1", OptOutChannel.ONLINE, InvalidOptOutEvent),
        (AGENT, "not a pid!", OptOutChannel.DESK, InvalidOptOutEvent),
        (AGENT, "", OptOutChannel.DESK, InvalidOptOutEvent),
    ],
)
def test_agent_requests_are_refused_without_naming_the_pid(
    linked: Catalog, who: User, pid: str, channel: OptOutChannel, error: type[Exception]
) -> None:
    with linked.session() as session, pytest.raises(error) as raised:
        citizens.request_by_agent(
            SqlStore(session),
            who,
            pid,
            OptOutAction.OPTOUT,
            channel,
            form_key=citizens.new_form_key(),
            now=T0,
        )
    assert pid.strip() == "" or pid not in str(raised.value)


def test_receipts_are_their_owners_only(linked: Catalog) -> None:
    receipt = online(linked, OptOutAction.OPTOUT, 1)
    with linked.session() as session:
        store = SqlStore(session)
        assert citizens.receipt_of(store, CITIZEN, receipt.reference) == receipt
        with pytest.raises(NotFound):
            citizens.receipt_of(store, AGENT, receipt.reference)
        with pytest.raises(NotFound):
            citizens.receipt_of(store, CITIZEN, "HVN-0000-0000-0000-0000")


def test_links_are_set_once_by_an_operator_for_a_citizen(linked: Catalog) -> None:
    with linked.session() as session:
        store = SqlStore(session)
        with pytest.raises(RuleViolation, match="linked to a person already"):
            citizens.link(store, SYSTEM, CITIZEN.username, "another", now=T0)
        with pytest.raises(RuleViolation, match="is not a citizen"):
            citizens.link(store, SYSTEM, AGENT.username, "another", now=T0)
        with pytest.raises(NotAuthorised):
            citizens.link(store, AGENT, CITIZEN.username, "another", now=T0)


def test_an_unlinked_citizen_has_no_state_and_cannot_request(catalog: Catalog) -> None:
    with catalog.session() as session:
        store = SqlStore(session)
        store.add_user(CITIZEN, None)
        assert citizens.state_of(store, CITIZEN).linked is False
        with pytest.raises(NotFound):
            citizens.request_online(
                store, CITIZEN, OptOutAction.OPTOUT, form_key=citizens.new_form_key(), now=T0
            )


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
def test_the_demo_citizens_are_persons_of_the_demo_population(catalog_url: str, tmp_path: Path) -> None:
    from catalog.db.gateway import unit_of_work
    from catalog.demo import DEMO_CITIZENS, DEMO_USERS, seed
    from cli.catalog_commands import demo_citizen_pids
    from synthetic.generate import generate
    from tests.catalog.factories import describe_lake

    pids = demo_citizen_pids(people=50, seed=3)
    assert len(pids) == 2 and pids == demo_citizen_pids(people=50, seed=3)
    with unit_of_work() as store:
        describe_lake(store)
    assert seed(citizen_pids=pids) is True
    with unit_of_work() as store:
        assert [store.citizen_pid(u) for u in DEMO_CITIZENS] == pids
        assert DEMO_USERS["agent@demo"] is Role.AGENT
        assert PID not in repr(store.audit_entries())
    # `haven demo` generates the population with the same people and seed: both are in it.
    generate(tmp_path, 50, 3, parquet=False)
    with (tmp_path / "population.csv").open() as population:
        assert set(pids) <= {row["pid"] for row in csv.DictReader(population)}
