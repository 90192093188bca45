"""A user of the control plane, as the domain sees them."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.people.roles import Role


@dataclass(frozen=True)
class User:
    username: str
    roles: frozenset[Role]
    display_name: str = ""

    def has(self, role: Role) -> bool:
        return role in self.roles
