"""Citizens and their opt-out in the portal: the link from an account to its TTP pid, a
citizen's own requests online, an agent's requests taken by phone or at a desk, and a
citizen's own state and history.

An account is linked to exactly one pid, and a pid to at most one account; the link is set
by an operator (``haven user add --role citizen --pid``) or the demo seeding, and later by
the identity provider's sign-in (OIDC), whichever creates the account. The pid never leaves
this module towards a page, a URL, a log or an error: callers get states, histories and
receipts, which hold none.

A request is idempotent twice over: the same form sent again (double click, back button,
replay) finds the receipt of its one-time form key and records nothing more; an opt-out while
one is in force, or a withdrawal without one, records nothing and says so.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.errors import InvalidOptOutEvent, NotAuthorised, NotFound, RuleViolation
from catalog.optout.domain import Receipt
from catalog.optout.registry import derive_state, make_event, record
from catalog.optout.store import CitizenStore, OptOutStore
from catalog.optout.vocabulary import (
    AGENT_CHANNELS,
    PID_PATTERN,
    OptOutAction,
    OptOutChannel,
    OptOutSource,
    Outcome,
)
from catalog.people.domain import Role, User
from catalog.people.roles import Operation, check_can
from catalog.people.store import UserStore

_PID = re.compile(PID_PATTERN)
PID_SHAPE = _PID  # what a pid looks like, for forms that check it before sending
# Crockford's base32 without I, L, O, U: easy to read out on the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE = re.compile(r"^HVN(-[0-9A-HJKMNP-TV-Z]{4}){4}$")
FORM_KEY = re.compile(r"^[0-9a-f]{32}$")


class CitizenServiceStore(CitizenStore, OptOutStore, UserStore, AuditStore, Protocol):
    """What the citizen services need: links, receipts, events, users and the audit log."""


def new_reference() -> str:
    """A reference number of 80 random bits, grouped for reading aloud: ``HVN-XXXX-XXXX-XXXX-XXXX``."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "HVN-" + "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def new_form_key() -> str:
    """The one-time key a confirmation form carries (128 random bits)."""
    return secrets.token_hex(16)


def check_pid(pid: str) -> str:
    """``pid`` stripped, or ``InvalidOptOutEvent`` naming the rule (never the value)."""
    cleaned = pid.strip() if isinstance(pid, str) else ""
    if not _PID.fullmatch(cleaned):
        raise InvalidOptOutEvent("pid must be 1 to 128 letters, digits or _.:-")
    return cleaned


def link(store: CitizenServiceStore, actor: User, username: str, pid: str, *, now: datetime) -> None:
    """Link the citizen account ``username`` to ``pid`` (operators only; audited without the pid)."""
    check_can(actor, Operation.MANAGE_USERS)
    cleaned = check_pid(pid)
    user = store.get_user(username)
    if not user.has(Role.CITIZEN):
        raise RuleViolation(f"user {username!r} is not a citizen: only citizen accounts have a pid")
    if store.citizen_pid(username) is not None:
        raise RuleViolation(f"user {username!r} is linked to a person already")
    store.link_citizen(username, cleaned, now)
    trail.append(store, actor=actor.username, action="citizen.linked", object_type="user", object_id=username)


@dataclass(frozen=True)
class HistoryItem:
    action: OptOutAction
    at: datetime
    channel: OptOutChannel


@dataclass(frozen=True)
class CitizenState:
    """A citizen's own opt-out: whether it is in force, since when, and every event, oldest first."""

    linked: bool
    in_force: bool
    since: datetime | None
    history: tuple[HistoryItem, ...]


def _pid_of(store: CitizenServiceStore, citizen: User) -> str | None:
    check_can(citizen, Operation.OPT_OUT_ONLINE)
    return store.citizen_pid(citizen.username)


def _state(store: CitizenServiceStore, pid: str) -> tuple[bool, datetime | None, list[HistoryItem]]:
    events = store.optout_events_of(pid)
    since = derive_state(events).get(pid)
    ordered = sorted(events, key=lambda e: (e.event_time, e.received_at))
    return since is not None, since, [HistoryItem(e.action, e.event_time, e.channel) for e in ordered]


def state_of(store: CitizenServiceStore, citizen: User) -> CitizenState:
    """The signed-in citizen's own state and history; an unlinked account has none."""
    pid = _pid_of(store, citizen)
    if pid is None:
        return CitizenState(linked=False, in_force=False, since=None, history=())
    in_force, since, history = _state(store, pid)
    return CitizenState(linked=True, in_force=in_force, since=since, history=tuple(history))


def _submit(
    store: CitizenServiceStore,
    actor: User,
    pid: str,
    action: OptOutAction,
    channel: OptOutChannel,
    form_key: str,
    now: datetime,
) -> Receipt:
    if not FORM_KEY.fullmatch(form_key):
        raise RuleViolation("the form key is not one this portal issued")
    earlier = store.find_receipt_by_form_key(actor.username, form_key)
    if earlier is not None:
        return earlier
    in_force, _since, _history = _state(store, pid)
    if action is OptOutAction.OPTOUT and in_force:
        outcome = Outcome.ALREADY_OPTED_OUT
    elif action is OptOutAction.WITHDRAWAL and not in_force:
        outcome = Outcome.NOTHING_TO_WITHDRAW
    else:
        event = make_event(
            pid=pid,
            action=action.value,
            event_time=now,
            channel=channel.value,
            agent=None if channel is OptOutChannel.ONLINE else actor.username,
            source=OptOutSource.PORTAL.value,
            received_at=now,
        )
        record(store, [event], actor=actor.username, source=OptOutSource.PORTAL)
        outcome = Outcome.RECORDED
    receipt = Receipt(
        reference=new_reference(),
        owner=actor.username,
        form_key=form_key,
        action=action,
        channel=channel,
        outcome=outcome,
        at=now,
    )
    store.add_receipt(receipt)
    return receipt


def request_online(
    store: CitizenServiceStore, citizen: User, action: OptOutAction, *, form_key: str, now: datetime
) -> Receipt:
    """The signed-in citizen's own opt-out or withdrawal, channel ``online``, source ``portal``."""
    pid = _pid_of(store, citizen)
    if pid is None:
        raise NotFound("this account is not linked to a person")
    return _submit(store, citizen, pid, action, OptOutChannel.ONLINE, form_key, now)


def request_by_agent(
    store: CitizenServiceStore,
    agent: User,
    pid: str,
    action: OptOutAction,
    channel: OptOutChannel,
    *,
    form_key: str,
    now: datetime,
) -> Receipt:
    """An opt-out or withdrawal an agent took by phone or at a desk; the agent's user name is
    the event's agent id."""
    check_can(agent, Operation.TAKE_OPT_OUT)
    if channel not in AGENT_CHANNELS:
        raise InvalidOptOutEvent("an agent takes requests by phone or at a desk")
    return _submit(store, agent, check_pid(pid), action, channel, form_key, now)


def receipt_of(store: CitizenServiceStore, owner: User, reference: str) -> Receipt:
    """The receipt ``reference`` of ``owner``'s own requests; ``NotFound`` for anyone else's."""
    if not (owner.has(Role.CITIZEN) or owner.has(Role.AGENT)):
        raise NotAuthorised(f"user {owner.username!r} makes no opt-out requests")
    found = store.find_receipt(owner.username, reference) if REFERENCE.fullmatch(reference) else None
    if found is None:
        raise NotFound("no such receipt")
    return found
