"""One-time links to set a password: how a new account gets its first password, chosen by its
owner and never seen by the operator who created the account.

An operator issues a link (``haven user add``); the catalogue keeps only the SHA-256 of its
secret, its expiry and whether it was used. Setting the password through it uses it up, ends
the account's open sessions and is audited; the secret, the password and its hash are never
in an audit entry or a message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.errors import InvalidLink
from catalog.people.domain import PasswordLink, User
from catalog.people.roles import Operation, check_can
from catalog.people.sessions import digest, new_secret
from catalog.people.store import PasswordLinkStore, SessionStore, UserStore
from catalog.people.users import hash_password


class LinkStore(UserStore, SessionStore, PasswordLinkStore, AuditStore, Protocol):
    pass


def issue(store: LinkStore, actor: User, username: str, *, now: datetime, valid_for: timedelta) -> str:
    """A new link secret for ``username`` (operators only), valid for ``valid_for``."""
    check_can(actor, Operation.MANAGE_USERS)
    store.get_user(username)
    secret = new_secret()
    link = PasswordLink(digest(secret), username, now, now + valid_for)
    store.add_password_link(link)
    trail.append(
        store,
        actor=actor.username,
        action="user.password_link_issued",
        object_type="user",
        object_id=username,
        details={"valid_hours": round(valid_for.total_seconds() / 3600, 2)},
        at=now,
    )
    return secret


def check(store: LinkStore, secret: str, *, now: datetime) -> PasswordLink:
    """The link of ``secret`` if it can still be used; ``InvalidLink`` otherwise."""
    link = store.find_password_link(digest(secret))
    if link is None or link.used_at is not None or now >= link.expires_at:
        raise InvalidLink("this set-password link is unknown, used already or expired")
    return link


def redeem(store: LinkStore, secret: str, password: str, *, now: datetime) -> User:
    """Set the password of the link's account and use the link up; ends the account's sessions."""
    link = check(store, secret, now=now)
    store.set_password_hash(link.username, hash_password(password))
    store.mark_password_link_used(link.link_hash, now)
    ended = store.remove_sessions_of(link.username)
    trail.append(
        store,
        actor=link.username,
        action="user.password_set",
        object_type="user",
        object_id=link.username,
        details={"sessions_ended": ended},
        at=now,
    )
    return store.get_user(link.username)
