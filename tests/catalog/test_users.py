"""Stored users and argon2 password hashes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.db.models import UserRow
from catalog.db.store import SqlStore
from catalog.errors import NotAuthorised, RuleViolation
from catalog.people import users
from catalog.people.domain import SYSTEM, Role

PASSWORD = "correct horse battery staple"


def test_password_is_stored_as_argon2_hash_and_authenticates(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "rita", {Role.RESEARCHER}, PASSWORD)
    stored = store.session.scalars(select(UserRow.password_hash).where(UserRow.username == "rita")).one()
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.authenticate(store, "rita", PASSWORD).roles == {Role.RESEARCHER}
    for name, password in (("rita", "wrong password here"), ("nobody", PASSWORD)):
        with pytest.raises(NotAuthorised, match=r"^unknown user or wrong password$"):
            users.authenticate(store, name, password)


def test_users_without_password_cannot_log_in(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "demo", {Role.CITIZEN})
    with pytest.raises(NotAuthorised):
        users.authenticate(store, "demo", PASSWORD)


@pytest.mark.parametrize(
    ("roles", "password", "message"),
    [
        (set(), None, "at least one role"),
        ({Role.STEWARD}, "short", "at least 12 characters"),
    ],
)
def test_user_rules(store: SqlStore, roles: set[Role], password: str | None, message: str) -> None:
    with pytest.raises(RuleViolation, match=message):
        users.create_user(store, SYSTEM, "x", roles, password)


def test_user_creation_is_audited_without_the_password(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "rita", {Role.RESEARCHER, Role.STEWARD}, PASSWORD)
    entry = store.audit_entries()[-1]
    assert (entry.actor, entry.action, entry.object_id, entry.details) == (
        "system",
        "user.created",
        "rita",
        {"roles": ["researcher", "steward"]},
    )
    assert PASSWORD not in repr(store.audit_entries())
