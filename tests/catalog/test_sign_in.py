"""Portal sign-in in the control plane: sessions, one-time set-password links, demo passwords,
and the access state the catalogue's cards show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.db.store import SqlStore
from catalog.errors import InvalidLink, NotAuthorised
from catalog.people import password_links, sessions, users
from catalog.people.domain import SYSTEM, Role
from catalog.permits import service
from catalog.permits.access import Access, access_by_dataset
from tests.catalog.factories import approved, make_world, submit

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TIMEOUTS = sessions.Timeouts(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def test_a_session_is_stored_as_a_hash_and_times_out(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "rita", {Role.RESEARCHER}, PASSWORD)
    signed = sessions.sign_in(store, "rita", PASSWORD, client="10.0.0.1", now=T0)
    assert signed is not None and signed.user.username == "rita"
    assert store.find_session(signed.secret) is None  # the secret itself is not stored
    assert store.find_session(sessions.digest(signed.secret)) is not None
    # Idle: every request pushes the idle deadline; the absolute one never moves.
    at = T0
    for _ in range(23):
        at += timedelta(minutes=29)
        assert sessions.resume(store, signed.secret, now=at, timeouts=TIMEOUTS) is not None
    assert sessions.resume(store, signed.secret, now=T0 + timedelta(hours=12), timeouts=TIMEOUTS) is None
    assert store.find_session(sessions.digest(signed.secret)) is None
    again = sessions.sign_in(store, "rita", PASSWORD, client=None, now=T0)
    assert again is not None
    late = T0 + timedelta(minutes=30)
    assert sessions.resume(store, again.secret, now=late, timeouts=TIMEOUTS) is None


def test_sign_in_and_out_are_audited_without_the_password(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "rita", {Role.RESEARCHER}, PASSWORD)
    assert sessions.sign_in(store, "rita", "wrong password!!", client="10.0.0.1", now=T0) is None
    assert sessions.sign_in(store, PASSWORD, PASSWORD, client="10.0.0.1", now=T0) is None
    signed = sessions.sign_in(store, "rita", PASSWORD, client="10.0.0.1", now=T0)
    assert signed is not None
    assert sessions.sign_out(store, signed.secret, client="10.0.0.1", now=T0) is True
    assert sessions.sign_out(store, signed.secret, client="10.0.0.1", now=T0) is False
    entries = [(e.actor, e.action, e.object_id, e.details) for e in store.audit_entries()[1:]]
    assert entries == [
        ("anonymous", "session.sign_in_failed", "rita", {"client": "10.0.0.1", "reason": "wrong_password"}),
        ("anonymous", "session.sign_in_failed", "unknown", {"client": "10.0.0.1", "reason": "unknown"}),
        ("rita", "session.signed_in", "rita", {"client": "10.0.0.1"}),
        ("rita", "session.signed_out", "rita", {"client": "10.0.0.1"}),
    ]
    assert PASSWORD not in repr(store.audit_entries()) and signed.secret not in repr(store.audit_entries())


def test_a_password_link_is_single_use_expires_and_only_operators_issue_it(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "rita", {Role.RESEARCHER})
    with pytest.raises(NotAuthorised):
        password_links.issue(store, store.get_user("rita"), "rita", now=T0, valid_for=timedelta(hours=1))
    secret = password_links.issue(store, SYSTEM, "rita", now=T0, valid_for=timedelta(hours=1))
    with pytest.raises(InvalidLink):
        password_links.check(store, secret, now=T0 + timedelta(hours=1))
    assert password_links.redeem(store, secret, PASSWORD, now=T0).username == "rita"
    assert users.authenticate(store, "rita", PASSWORD).username == "rita"
    with pytest.raises(InvalidLink, match="unknown, used already or expired"):
        password_links.redeem(store, secret, "another long password", now=T0)
    with pytest.raises(InvalidLink):
        password_links.check(store, "not-a-link", now=T0)
    actions = [(e.action, e.details) for e in store.audit_entries()[-2:]]
    assert actions == [
        ("user.password_link_issued", {"valid_hours": 1.0}),
        ("user.password_set", {"sessions_ended": 0}),
    ]
    assert secret not in repr(store.audit_entries())


def test_setting_a_password_ends_the_accounts_sessions(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "rita", {Role.RESEARCHER}, PASSWORD)
    signed = sessions.sign_in(store, "rita", PASSWORD, client=None, now=T0)
    assert signed is not None
    secret = password_links.issue(store, SYSTEM, "rita", now=T0, valid_for=timedelta(hours=1))
    password_links.redeem(store, secret, "a brand new passphrase", now=T0)
    assert sessions.resume(store, signed.secret, now=T0, timeouts=TIMEOUTS) is None


def test_access_state_per_dataset(store: SqlStore) -> None:
    people = make_world(store)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert access_by_dataset(store, people["rita"], now=now) == {}
    pending = submit(store, people["rita"])
    assert access_by_dataset(store, people["rita"], now=now) == {"claims": Access.PENDING}
    assert access_by_dataset(store, people["ruben"], now=now) == {}
    service.decide(store, people["sam"], pending.application_id, approve=False, reason="Not needed.")
    assert access_by_dataset(store, people["rita"], now=now) == {}
    permit = approved(store, people)
    assert access_by_dataset(store, people["rita"], now=now) == {"claims": Access.IN_FORCE}
    assert permit.expires_at is not None
    assert access_by_dataset(store, people["rita"], now=permit.expires_at) == {}
