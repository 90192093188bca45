"""The output-release (airlock) lifecycle as data: states, allowed transitions, their audit events.

A release request is submitted with the automated verdict of disclosure control; the first
steward's vote starts the review; after the second vote the request is released (two
approvals) or rejected (any rejection). The decision waits for both votes, so that neither
the state nor the audit log tells the second reviewer how the first one voted.
"""

from __future__ import annotations

from catalog.enums import Role
from catalog.exceptions import InvalidTransition
from catalog.lifecycle import Transition
from catalog.outputs_domain import OutputState as S

_STEWARD = frozenset({Role.STEWARD})

TRANSITIONS: dict[S, dict[S, Transition]] = {
    S.SUBMITTED: {S.UNDER_REVIEW: Transition("output.review_started", _STEWARD)},
    S.UNDER_REVIEW: {
        S.RELEASED: Transition("output.released", _STEWARD),
        S.REJECTED: Transition("output.rejected", _STEWARD),
    },
    S.RELEASED: {},
    S.REJECTED: {},
}

INITIAL_STATE = S.SUBMITTED
REQUESTED_EVENT = "output.requested"  # the request is filed (no transition: it starts here)
VOTE_EVENT = "output.vote_recorded"  # a vote, without its direction (blindness)
DOWNLOAD_EVENT = "output.downloaded"
FINAL_STATES = frozenset(state for state, moves in TRANSITIONS.items() if not moves)
REVIEWABLE = frozenset({S.SUBMITTED, S.UNDER_REVIEW})
APPROVALS_NEEDED = 2


def transition(current: S, target: S) -> Transition:
    """The transition from ``current`` to ``target``; ``InvalidTransition`` if there is none."""
    try:
        return TRANSITIONS[current][target]
    except KeyError:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final state)"
        raise InvalidTransition(f"cannot move an output request from {current} to {target}; "
                                f"allowed: {allowed}") from None


def mermaid_diagram() -> str:
    """The airlock lifecycle as a Mermaid state diagram, for the documentation."""
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL_STATE.value}: {REQUESTED_EVENT} (data user)"]
    for source, moves in TRANSITIONS.items():
        for target, move in moves.items():
            who = "/".join(sorted(role.value for role in move.roles))
            lines.append(f"    {source.value} --> {target.value}: {move.event} ({who})")
    lines.extend(f"    {state.value} --> [*]" for state in sorted(FINAL_STATES))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m catalog.outputs_lifecycle: the diagram for README.md
    print(mermaid_diagram(), end="")
