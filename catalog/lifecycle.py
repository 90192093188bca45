"""The permit lifecycle as data: states, allowed transitions, who may make each, its audit event.

An application moves draft -> submitted -> (incomplete -> submitted) -> under review ->
approved or rejected; an approved permit becomes active, then expired or revoked. The
service layer moves applications only along ``TRANSITIONS``; the documentation's state
diagram is generated from it (``mermaid_diagram``).
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.enums import PermitState as S
from catalog.enums import Role
from catalog.exceptions import InvalidTransition


@dataclass(frozen=True)
class Transition:
    """One allowed move: the audit event it writes and the roles that may make it."""

    event: str
    roles: frozenset[Role]


_RESEARCHER = frozenset({Role.RESEARCHER})
_STEWARD = frozenset({Role.STEWARD})
_RUNNING = frozenset({Role.STEWARD, Role.OPERATOR})
_SYSTEM: frozenset[Role] = frozenset()  # made by the platform itself, never by a user's request

TRANSITIONS: dict[S, dict[S, Transition]] = {
    S.DRAFT: {S.SUBMITTED: Transition("application.submitted", _RESEARCHER)},
    S.SUBMITTED: {
        S.INCOMPLETE: Transition("application.marked_incomplete", _STEWARD),
        S.UNDER_REVIEW: Transition("application.review_started", _STEWARD),
        # Applications for a prohibited purpose are refused at once, by the system, with the reason.
        S.REJECTED: Transition("application.refused", _SYSTEM),
    },
    S.INCOMPLETE: {S.SUBMITTED: Transition("application.resubmitted", _RESEARCHER)},
    S.UNDER_REVIEW: {
        S.APPROVED: Transition("application.approved", _STEWARD),
        S.REJECTED: Transition("application.rejected", _STEWARD),
    },
    S.APPROVED: {
        S.ACTIVE: Transition("permit.activated", _RUNNING),
        # A permit can end before its datasets were ever published.
        S.EXPIRED: Transition("permit.expired", _RUNNING),
        S.REVOKED: Transition("permit.revoked", _STEWARD),
    },
    S.REJECTED: {},
    S.ACTIVE: {
        S.EXPIRED: Transition("permit.expired", _RUNNING),
        S.REVOKED: Transition("permit.revoked", _STEWARD),
    },
    S.EXPIRED: {},
    S.REVOKED: {},
}

FINAL_STATES = frozenset(state for state, moves in TRANSITIONS.items() if not moves)
# States in which the 3-month decision clock runs.
AWAITING_DECISION = frozenset({S.SUBMITTED, S.UNDER_REVIEW})
# States in which a permit exists and may be used, subject to its dates.
IN_FORCE = frozenset({S.APPROVED, S.ACTIVE})


def transition(current: S, target: S) -> Transition:
    """The transition from ``current`` to ``target``; ``InvalidTransition`` if there is none."""
    try:
        return TRANSITIONS[current][target]
    except KeyError:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final state)"
        raise InvalidTransition(f"cannot move from {current} to {target}; allowed: {allowed}") from None


def mermaid_diagram() -> str:
    """The lifecycle as a Mermaid state diagram, for the documentation."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.DRAFT.value}"]
    for source, moves in TRANSITIONS.items():
        for target, move in moves.items():
            who = "/".join(sorted(role.value for role in move.roles)) or "system"
            lines.append(f"    {source.value} --> {target.value}: {move.event} ({who})")
    lines.extend(f"    {state.value} --> [*]" for state in sorted(FINAL_STATES))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m catalog.lifecycle: the diagram for README.md
    print(mermaid_diagram(), end="")
