"""A user of the control plane as the domain sees them, their roles, and the platform itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """What a user may do; a user holds one or more roles."""

    RESEARCHER = "researcher"
    STEWARD = "steward"
    POLICY_ANALYST = "policy_analyst"
    OPERATOR = "operator"
    CITIZEN = "citizen"
    AGENT = "agent"  # takes opt-outs and withdrawals by phone or at a desk for citizens


@dataclass(frozen=True)
class User:
    username: str
    roles: frozenset[Role]
    display_name: str = ""
    disabled: bool = False  # an operator disabled the account: it cannot sign in (``users.disable``)
    organisation: str | None = None  # who they work for: dashboards published to it (migration 0017)

    def has(self, role: Role) -> bool:
        return role in self.roles


# The author of the platform's own actions (automatic refusals, publications, expiries); the
# one account every catalogue holds from its first migration (0008_system_user).
SYSTEM = User(username="system", roles=frozenset({Role.OPERATOR}), display_name="Haven itself")


@dataclass(frozen=True)
class SignInSession:
    """A signed-in browser, as the catalogue keeps it: only the SHA-256 of its secret, so a
    copy of the database opens no session."""

    session_hash: str
    username: str
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class PasswordLink:
    """A one-time link to set a password, kept as the SHA-256 of its secret."""

    link_hash: str
    username: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
