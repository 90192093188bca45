"""The permit lifecycle as data: states, allowed transitions, who may make each, its audit event.

An application moves draft -> submitted -> (incomplete -> submitted) -> under review ->
approved or rejected (an incomplete one not completed in time lapses to rejected); an
approved permit becomes active, then expired or revoked. The service layer moves
applications only along ``TRANSITIONS``; the documentation's state diagram is generated
from it (``mermaid_diagram``).
"""

from __future__ import annotations

from catalog.people.domain import Role
from catalog.permits.vocabulary import PermitState as S
from catalog.statemachine import Lifecycle, Transition

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
    S.INCOMPLETE: {
        S.SUBMITTED: Transition("application.resubmitted", _RESEARCHER),
        # Not completed within the completion window (EHDS Art 68: four weeks): the sweep
        # rejects it, with the reason.
        S.REJECTED: Transition("application.lapsed", _RUNNING),
    },
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

# States in which the 3-month decision clock runs.
AWAITING_DECISION = frozenset({S.SUBMITTED, S.UNDER_REVIEW})
# States in which a permit exists and may be used, subject to its dates.
IN_FORCE = frozenset({S.APPROVED, S.ACTIVE})
# States in which a permit has ended: its workspace is removed at the next sweep.
ENDED = frozenset({S.EXPIRED, S.REVOKED})


LIFECYCLE = Lifecycle(initial=S.DRAFT, transitions=TRANSITIONS)
FINAL_STATES = LIFECYCLE.final_states
transition = LIFECYCLE.transition
mermaid_diagram = LIFECYCLE.mermaid_diagram


if __name__ == "__main__":  # python -m catalog.permits.lifecycle: the diagram for README.md
    print(mermaid_diagram(), end="")
