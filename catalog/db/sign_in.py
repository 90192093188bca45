"""The portal's sign-in storage (``catalog.people.store.SessionStore``, ``PasswordLinkStore``
and ``IdentityStore``) over SQLAlchemy; ``SqlStore`` inherits it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.db.models import OidcIdentityRow, PasswordLinkRow, SignInSessionRow
from catalog.errors import NotFound
from catalog.people.domain import PasswordLink, SignInSession


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every datetime Haven stores is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def required_utc(value: datetime) -> datetime:
    result = as_utc(value)
    assert result is not None
    return result


class SqlSignInStore:
    """Sessions, set-password links and OIDC identities over the session of the store that
    inherits this."""

    session: Session

    def add_session(self, session: SignInSession) -> None:
        self.session.add(
            SignInSessionRow(
                session_hash=session.session_hash,
                username=session.username,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
            )
        )
        self.session.flush()

    def find_session(self, session_hash: str) -> SignInSession | None:
        row = self.session.get(SignInSessionRow, session_hash)
        if row is None:
            return None
        return SignInSession(
            row.session_hash, row.username, required_utc(row.created_at), required_utc(row.last_seen_at)
        )

    def touch_session(self, session_hash: str, at: datetime) -> None:
        row = self.session.get(SignInSessionRow, session_hash)
        if row is not None:
            row.last_seen_at = at
            self.session.flush()

    def remove_session(self, session_hash: str) -> None:
        self.session.execute(delete(SignInSessionRow).where(SignInSessionRow.session_hash == session_hash))

    def remove_sessions_of(self, username: str) -> int:
        result = self.session.execute(delete(SignInSessionRow).where(SignInSessionRow.username == username))
        return int(getattr(result, "rowcount", 0) or 0)

    def add_password_link(self, link: PasswordLink) -> None:
        self.session.add(
            PasswordLinkRow(
                link_hash=link.link_hash,
                username=link.username,
                created_at=link.created_at,
                expires_at=link.expires_at,
                used_at=link.used_at,
            )
        )
        self.session.flush()

    def find_password_link(self, link_hash: str) -> PasswordLink | None:
        row = self.session.get(PasswordLinkRow, link_hash)
        if row is None:
            return None
        return PasswordLink(
            row.link_hash,
            row.username,
            required_utc(row.created_at),
            required_utc(row.expires_at),
            as_utc(row.used_at),
        )

    def mark_password_link_used(self, link_hash: str, at: datetime) -> None:
        row = self.session.get(PasswordLinkRow, link_hash)
        if row is None:
            raise NotFound("no such set-password link")
        row.used_at = at
        self.session.flush()

    def find_identity(self, issuer: str, subject: str) -> str | None:
        row = self.session.get(OidcIdentityRow, (issuer, subject))
        return None if row is None else row.username

    def identity_of(self, issuer: str, username: str) -> str | None:
        query = select(OidcIdentityRow.subject).where(
            OidcIdentityRow.issuer == issuer, OidcIdentityRow.username == username
        )
        return self.session.execute(query).scalar_one_or_none()

    def add_identity(self, issuer: str, subject: str, username: str, at: datetime) -> None:
        self.session.add(OidcIdentityRow(issuer=issuer, subject=subject, username=username, linked_at=at))
        self.session.flush()
