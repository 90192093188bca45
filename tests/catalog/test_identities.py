"""Sign-in through an OpenID Connect issuer in the control plane: which account an identity
is, when it is linked, and what the audit log keeps of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog.db.store import SqlStore
from catalog.people import identities, users
from catalog.people.domain import SYSTEM, Role
from catalog.people.identities import VerifiedIdentity
from catalog.people.sessions import SignedIn, digest

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ISSUER = "https://idp.example.org/realms/haven"


def identity(
    subject: str = "sub-1", email: str | None = "rita@example.be", verified: bool = True
) -> VerifiedIdentity:
    return VerifiedIdentity(issuer=ISSUER, subject=subject, email=email, email_verified=verified)


def test_the_first_sign_in_links_by_verified_email_ignoring_case(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "Rita@Example.be", {Role.RESEARCHER})
    signed = identities.sign_in(store, identity(), client="10.0.0.1", now=T0)
    assert isinstance(signed, SignedIn) and signed.user.username == "Rita@Example.be"
    assert store.find_session(digest(signed.secret)) is not None
    assert store.find_identity(ISSUER, "sub-1") == "Rita@Example.be"
    assert store.find_identity("https://other.example.org", "sub-1") is None


def test_a_linked_subject_needs_no_email_and_another_issuer_is_another_identity(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "rita@example.be", {Role.RESEARCHER})
    assert isinstance(identities.sign_in(store, identity(), client=None, now=T0), SignedIn)
    again = identities.sign_in(store, identity(email=None, verified=False), client=None, now=T0)
    assert isinstance(again, SignedIn) and again.user.username == "rita@example.be"
    elsewhere = VerifiedIdentity("https://other.example.org", "sub-1", None, False)
    assert identities.sign_in(store, elsewhere, client=None, now=T0) == "no_account"


@pytest.mark.parametrize(
    ("email", "verified"),
    [("rita@example.be", False), (None, True), ("nobody@example.be", True), ("system", True)],
)
def test_no_link_without_a_verified_email_of_an_account(
    store: SqlStore, email: str | None, verified: bool
) -> None:
    users.create_user(store, SYSTEM, "rita@example.be", {Role.RESEARCHER})
    assert identities.sign_in(store, identity(email=email, verified=verified), client=None, now=T0) == (
        "no_account"
    )
    assert store.find_identity(ISSUER, "sub-1") is None


def test_the_audit_log_keeps_neither_subject_nor_email_of_a_refusal(store: SqlStore) -> None:
    users.create_user(store, SYSTEM, "rita@example.be", {Role.RESEARCHER})
    identities.sign_in(
        store, identity(subject="sub-secret-9", email="nobody@example.be"), client=None, now=T0
    )
    identities.sign_in(store, identity(), client="10.0.0.1", now=T0)
    entries = [(e.actor, e.action, e.object_id, e.details) for e in store.audit_entries()][-3:]
    assert entries == [
        (
            "anonymous",
            "session.sign_in_failed",
            "unknown",
            {"client": None, "method": "oidc", "reason": "no_account"},
        ),
        ("rita@example.be", "user.identity_linked", "rita@example.be", {"method": "oidc", "issuer": ISSUER}),
        ("rita@example.be", "session.signed_in", "rita@example.be", {"client": "10.0.0.1", "method": "oidc"}),
    ]
    assert "sub-secret-9" not in str(store.audit_entries()) and "nobody@" not in str(store.audit_entries())
