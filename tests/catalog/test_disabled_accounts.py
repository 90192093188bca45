"""Disabled accounts: an operator disables one, it signs in no more (password or identity
provider), its sessions end; enabling it lets it sign in again; both are audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.db.store import SqlStore
from catalog.errors import NotAuthorised, RuleViolation
from catalog.people import identities, sessions, users
from catalog.people.domain import SYSTEM, Role
from catalog.people.identities import VerifiedIdentity
from catalog.people.sessions import SignedIn

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TIMEOUTS = sessions.Timeouts(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
RITA = VerifiedIdentity("https://idp.example.org", "sub-1", "rita@example.be", True)


@pytest.fixture
def people(store: SqlStore) -> SqlStore:
    users.create_user(store, SYSTEM, "otto@example.be", {Role.OPERATOR}, PASSWORD)
    users.create_user(store, SYSTEM, "rita@example.be", {Role.RESEARCHER}, PASSWORD)
    users.create_user(store, SYSTEM, "sam@example.be", {Role.STEWARD}, PASSWORD)
    return store


def test_a_disabled_account_signs_in_no_more_and_its_sessions_end(people: SqlStore) -> None:
    otto = people.get_user("otto@example.be")
    by_password = sessions.sign_in(people, "rita@example.be", PASSWORD, client=None, now=T0)
    by_issuer = identities.sign_in(people, RITA, client=None, now=T0)
    assert by_password is not None and isinstance(by_issuer, SignedIn)
    assert users.disable(people, otto, "rita@example.be", now=T0).disabled
    for secret in (by_password.secret, by_issuer.secret):
        assert sessions.resume(people, secret, now=T0, timeouts=TIMEOUTS) is None
    assert sessions.sign_in(people, "rita@example.be", PASSWORD, client=None, now=T0) is None
    assert identities.sign_in(people, RITA, client=None, now=T0) == "not_allowed"
    reasons = [
        e.details.get("reason") for e in people.audit_entries() if e.action == "session.sign_in_failed"
    ]
    assert reasons == ["disabled", "disabled"]
    disabled = next(e for e in people.audit_entries() if e.action == "user.disabled")
    assert (disabled.actor, disabled.object_id, disabled.details) == (
        "otto@example.be",
        "rita@example.be",
        {"sessions_ended": 2},
    )
    assert not users.enable(people, otto, "rita@example.be", now=T0).disabled
    assert sessions.sign_in(people, "rita@example.be", PASSWORD, client=None, now=T0) is not None
    assert isinstance(identities.sign_in(people, RITA, client=None, now=T0), SignedIn)
    assert [e.action for e in people.audit_entries()].count("user.enabled") == 1


def test_only_operators_disable_and_never_themselves_or_the_platform(people: SqlStore) -> None:
    otto, sam = people.get_user("otto@example.be"), people.get_user("sam@example.be")
    with pytest.raises(NotAuthorised):
        users.disable(people, sam, "rita@example.be", now=T0)
    with pytest.raises(NotAuthorised):
        users.enable(people, sam, "rita@example.be", now=T0)
    for username in ("otto@example.be", "system"):
        with pytest.raises(RuleViolation):
            users.disable(people, otto, username, now=T0)
    assert not any(u.disabled for u in people.list_users())
