"""The output-release (airlock) lifecycle as data: states, allowed transitions, their audit events.

A release request is submitted with the automated verdict of disclosure control; the first
steward's vote starts the review; after the second vote the request is released (two
approvals) or rejected (any rejection). The decision waits for both votes, so that neither
the state nor the audit log tells the second reviewer how the first one voted.
"""

from __future__ import annotations

from catalog.airlock.domain import OutputState as S
from catalog.people.domain import Role
from catalog.statemachine import Lifecycle, Transition

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
# Disclosure control run again when the second approval would release (status and counts).
RELEASE_CHECK_EVENT = "output.release_checked"
REVIEWABLE = frozenset({S.SUBMITTED, S.UNDER_REVIEW})
APPROVALS_NEEDED = 2


LIFECYCLE = Lifecycle(
    initial=INITIAL_STATE,
    transitions=TRANSITIONS,
    start=f"{REQUESTED_EVENT} (data user)",
    subject="an output request",
)
FINAL_STATES = LIFECYCLE.final_states
transition = LIFECYCLE.transition
mermaid_diagram = LIFECYCLE.mermaid_diagram


if __name__ == "__main__":  # python -m catalog.airlock.lifecycle: the diagram for README.md
    print(mermaid_diagram(), end="")
