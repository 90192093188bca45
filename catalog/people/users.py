"""Users and roles: stored users, argon2 password hashes for the web portal's sign-in.

Passwords are hashed with argon2id (argon2-cffi's defaults) and never stored, logged or
returned. A user without a password hash (the ``system`` user, a new account until its owner
used the one-time link of ``catalog.people.password_links``, demo users until
``catalog.demo.demo_passwords``) cannot sign in with a password at all; in the embedded
mode the trusted operator names the acting user on the command line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.errors import NotAuthorised, RuleViolation
from catalog.people.domain import SYSTEM, Role, User
from catalog.people.roles import Operation, check_can
from catalog.people.store import SessionStore, UserStore

_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


class UserAuditStore(UserStore, AuditStore, Protocol):
    pass


class AccountStore(UserStore, SessionStore, AuditStore, Protocol):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def create_user(
    store: UserAuditStore,
    actor: User,
    username: str,
    roles: set[Role] | frozenset[Role],
    password: str | None = None,
    display_name: str = "",
    organisation: str | None = None,
) -> User:
    """Register a user (operators only); the password, if any, is stored as an argon2 hash."""
    check_can(actor, Operation.MANAGE_USERS)
    if not roles:
        raise RuleViolation("a user needs at least one role")
    if store.find_user(username) is not None:
        raise RuleViolation(f"user {username!r} exists already")
    user = User(
        username=username, roles=frozenset(roles), display_name=display_name, organisation=organisation
    )
    store.add_user(user, None if password is None else hash_password(password))
    trail.append(
        store,
        actor=actor.username,
        action="user.created",
        object_type="user",
        object_id=username,
        details={"roles": sorted(r.value for r in roles)},
    )
    return user


def authenticate(store: UserStore, username: str, password: str) -> User:
    """The user if the password matches its stored hash; one message for every failure."""
    failure = NotAuthorised("unknown user or wrong password")
    stored = store.password_hash(username)
    if stored is None:
        _HASHER.hash(password)  # spend the same time whether or not the user exists
        raise failure
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    user = store.get_user(username)
    if user.disabled:
        raise failure
    if _HASHER.check_needs_rehash(stored):
        store.set_password_hash(username, _HASHER.hash(password))
    return user


def check_can_disable(actor: User, username: str) -> None:
    """Operators only, and never their own account or the platform's (``RuleViolation``)."""
    check_can(actor, Operation.MANAGE_USERS)
    if username in (actor.username, SYSTEM.username):
        raise RuleViolation("an operator cannot disable their own account or the platform's")


def disable(store: AccountStore, actor: User, username: str, *, now: datetime) -> User:
    """Disable ``username``: it signs in no more, by password or through an identity provider,
    and its open sessions end now; audited. Its roles, history and links stay."""
    check_can_disable(actor, username)
    store.get_user(username)
    store.set_user_disabled(username, now)
    ended = store.remove_sessions_of(username)
    trail.append(
        store,
        actor=actor.username,
        action="user.disabled",
        object_type="user",
        object_id=username,
        details={"sessions_ended": ended},
        at=now,
    )
    return store.get_user(username)


def enable(store: AccountStore, actor: User, username: str, *, now: datetime) -> User:
    """Let a disabled ``username`` sign in again (operators only); audited."""
    check_can(actor, Operation.MANAGE_USERS)
    store.get_user(username)
    store.set_user_disabled(username, None)
    trail.append(
        store, actor=actor.username, action="user.enabled", object_type="user", object_id=username, at=now
    )
    return store.get_user(username)
