"""A lifecycle as data: the moves allowed from each state, who may make them, their audit event.

Both lifecycles of the control plane (a permit application's, an output release request's)
are one ``Lifecycle``: the service layers move objects only along its transitions, and the
documentation's state diagrams are generated from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from catalog.errors import InvalidTransition
from catalog.people.domain import Role


@dataclass(frozen=True)
class Transition:
    """One allowed move: the audit event it writes and the roles that may make it (none: only
    the platform itself makes it, never a user's request)."""

    event: str
    roles: frozenset[Role]


S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Lifecycle(Generic[S]):
    """The states of one kind of object and the transitions between them."""

    initial: S
    transitions: Mapping[S, Mapping[S, Transition]]
    start: str = ""  # how an object enters the initial state, for the diagram
    subject: str = ""  # what moves, if error messages name it: "an output request"

    @property
    def final_states(self) -> frozenset[S]:
        return frozenset(state for state, moves in self.transitions.items() if not moves)

    def transition(self, current: S, target: S) -> Transition:
        """The transition from ``current`` to ``target``; ``InvalidTransition`` if there is none."""
        try:
            return self.transitions[current][target]
        except KeyError:
            allowed = ", ".join(sorted(self.transitions[current])) or "none (final state)"
            what = f"{self.subject} " if self.subject else ""
            raise InvalidTransition(
                f"cannot move {what}from {current} to {target}; allowed: {allowed}"
            ) from None

    def mermaid_diagram(self) -> str:
        """The lifecycle as a Mermaid state diagram, for the documentation."""
        entry = f": {self.start}" if self.start else ""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial.value}{entry}"]
        for source, moves in self.transitions.items():
            for target, move in moves.items():
                who = "/".join(sorted(role.value for role in move.roles)) or "system"
                lines.append(f"    {source.value} --> {target.value}: {move.event} ({who})")
        lines.extend(f"    {state.value} --> [*]" for state in sorted(self.final_states))
        return "\n".join(lines) + "\n"
