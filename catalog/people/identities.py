"""Sign-in through an OpenID Connect issuer: which Haven account an identity of the issuer is,
and the session it opens.

The portal never creates an account or grants a role from an issuer's claims: accounts and
roles stay in Haven (``haven user add``). An identity, the pair (issuer, subject), is linked
to an account once, at its first sign-in, when the issuer vouches for an email address
(``email_verified`` true) equal to the account's user name; from then on the subject alone
finds the account, whatever email the issuer later sends. A refusal is audited without the
subject or the email, which may name a person who has no account here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.errors import NotAuthorised
from catalog.people.domain import SYSTEM, User
from catalog.people.sessions import SignedIn, open_session
from catalog.people.store import IdentityStore, SessionStore, UserStore

METHOD = "oidc"


class OidcSignInStore(UserStore, SessionStore, IdentityStore, AuditStore, Protocol):
    pass


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a verified ID token says of its holder: issuer, subject, and the email with
    whether the issuer verified it."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool


def check_can_sign_in(user: User) -> None:
    """Raise ``NotAuthorised`` if ``user`` may not open a portal session at all: a disabled
    account, or the platform's own ``system`` account."""
    if user.username == SYSTEM.username:
        raise NotAuthorised("the platform's own account does not sign in")
    if user.disabled:
        raise NotAuthorised("the account is disabled")


def account_of(store: OidcSignInStore, identity: VerifiedIdentity, *, now: datetime) -> User | None:
    """The Haven account of ``identity``, linking it on its first sign-in; None if it has none."""
    linked = store.find_identity(identity.issuer, identity.subject)
    if linked is not None:
        return store.find_user(linked)
    if not identity.email_verified or not identity.email:
        return None
    user = store.find_user(identity.email) or _by_email_ignoring_case(store, identity.email)
    if user is None or user.username == SYSTEM.username:
        return None
    if store.identity_of(identity.issuer, user.username) is not None:
        # The account is linked to another subject of this issuer already: the issuer moved the
        # email to someone else, or two of its accounts claim it. Refuse; an operator decides.
        return None
    store.add_identity(identity.issuer, identity.subject, user.username, now)
    trail.append(
        store,
        actor=user.username,
        action="user.identity_linked",
        object_type="user",
        object_id=user.username,
        details={"method": METHOD, "issuer": identity.issuer},
        at=now,
    )
    return user


def _by_email_ignoring_case(store: OidcSignInStore, email: str) -> User | None:
    # Email addresses are compared without case: issuers differ in how they case them.
    matches = [u for u in store.list_users() if u.username.lower() == email.lower()]
    return matches[0] if len(matches) == 1 else None


def refuse(store: OidcSignInStore, client: str | None, reason: str, now: datetime) -> None:
    """Audit a refused OIDC sign-in (``reason`` as ``portal.auth.oidc`` names it), naming no
    subject, email or token."""
    trail.append(
        store,
        actor="anonymous",
        action="session.sign_in_failed",
        object_type="user",
        object_id="unknown",
        details={"client": client, "method": METHOD, "reason": reason},
        at=now,
    )


def sign_in(
    store: OidcSignInStore, identity: VerifiedIdentity, *, client: str | None, now: datetime
) -> SignedIn | str:
    """A new session for the account of ``identity``, or the reason there is none
    (``no_account``, ``not_allowed``: a disabled or the platform's account); audited either way."""
    user = account_of(store, identity, now=now)
    if user is None:
        refuse(store, client, "no_account", now)
        return "no_account"
    try:
        check_can_sign_in(user)
    except NotAuthorised:
        refuse(store, client, "disabled" if user.disabled else "not_allowed", now)
        return "not_allowed"
    return open_session(store, user, client=client, now=now, method=METHOD)
