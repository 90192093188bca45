"""A user of the control plane as the domain sees them, their roles, and the platform itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a user may do; a user holds one or more roles."""

    RESEARCHER = "researcher"
    STEWARD = "steward"
    POLICY_ANALYST = "policy_analyst"
    OPERATOR = "operator"
    CITIZEN = "citizen"


@dataclass(frozen=True)
class User:
    username: str
    roles: frozenset[Role]
    display_name: str = ""

    def has(self, role: Role) -> bool:
        return role in self.roles


# The author of the platform's own actions (automatic refusals, publications, expiries); the
# one account every catalogue holds from its first migration (0008_system_user).
SYSTEM = User(username="system", roles=frozenset({Role.OPERATOR}), display_name="Haven itself")
