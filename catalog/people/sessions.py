"""Sign-in sessions of the web portal: start one on a correct password, resume it while it is
neither idle too long nor too old, end it on sign-out; every sign-in, refusal and sign-out is
audited (who, from which address, never the password).

The browser holds a random secret; the catalogue keeps only its SHA-256, so reading the
database opens no session. Each sign-in makes a new secret (no session fixation).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.errors import NotAuthorised
from catalog.people.domain import SignInSession, User
from catalog.people.store import SessionStore, UserStore
from catalog.people.users import authenticate


class SignInStore(UserStore, SessionStore, AuditStore, Protocol):
    pass


@dataclass(frozen=True)
class Timeouts:
    """How long a session lives: ``idle`` since its last request, ``absolute`` since sign-in."""

    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class SignedIn:
    """A new session: the user and the secret for the browser's cookie (never stored)."""

    user: User
    secret: str


def new_secret() -> str:
    """A secret for a cookie or a link: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the catalogue stores of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def refuse(store: SignInStore, username: str, client: str | None, reason: str, now: datetime) -> None:
    """Audit a refused sign-in (``reason``: ``wrong_password``, ``unknown``, ``disabled``,
    ``throttled``).

    The typed user name is kept only when it names an account, else ``unknown``: people
    sometimes type their password into the user name field.
    """
    known = store.find_user(username) is not None
    trail.append(
        store,
        actor="anonymous",
        action="session.sign_in_failed",
        object_type="user",
        object_id=username if known else "unknown",
        details={"client": client, "reason": reason},
        at=now,
    )


def sign_in(
    store: SignInStore, username: str, password: str, *, client: str | None, now: datetime
) -> SignedIn | None:
    """A new session if the password is right, else None; both outcomes are audited."""
    try:
        user = authenticate(store, username, password)
    except NotAuthorised:
        known = store.find_user(username)
        reason = "unknown" if known is None else "disabled" if known.disabled else "wrong_password"
        refuse(store, username, client, reason, now)
        return None
    return open_session(store, user, client=client, now=now)


def open_session(
    store: SignInStore, user: User, *, client: str | None, now: datetime, method: str | None = None
) -> SignedIn:
    """A new session for ``user``, whom a sign-in method has just recognised; audited with
    the client and, when not the password, the ``method``."""
    secret = new_secret()
    store.add_session(SignInSession(digest(secret), user.username, now, now))
    details = {"client": client} if method is None else {"client": client, "method": method}
    trail.append(
        store,
        actor=user.username,
        action="session.signed_in",
        object_type="user",
        object_id=user.username,
        details=details,
        at=now,
    )
    return SignedIn(user, secret)


def expired(session: SignInSession, now: datetime, timeouts: Timeouts) -> bool:
    """Whether ``session`` has been idle too long or lived too long."""
    return now - session.last_seen_at >= timeouts.idle or now - session.created_at >= timeouts.absolute


def resume(store: SignInStore, secret: str, *, now: datetime, timeouts: Timeouts) -> User | None:
    """The user of a live session (marking it seen now), or None; an expired one is removed."""
    session = store.find_session(digest(secret))
    if session is None:
        return None
    user = store.get_user(session.username)
    if expired(session, now, timeouts) or user.disabled:
        store.remove_session(session.session_hash)
        return None
    store.touch_session(session.session_hash, now)
    return user


def sign_out(store: SignInStore, secret: str, *, client: str | None, now: datetime) -> bool:
    """End the session of ``secret``; False if there was none (already ended or expired)."""
    session = store.find_session(digest(secret))
    if session is None:
        return False
    store.remove_session(session.session_hash)
    trail.append(
        store,
        actor=session.username,
        action="session.signed_out",
        object_type="user",
        object_id=session.username,
        details={"client": client},
        at=now,
    )
    return True
