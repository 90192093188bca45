"""The airlock lifecycle is data: every state covered and reachable, every move audited and reviewed."""

from __future__ import annotations

import pytest

from catalog.airlock.domain import OutputState
from catalog.airlock.lifecycle import (
    FINAL_STATES,
    INITIAL_STATE,
    REVIEWABLE,
    TRANSITIONS,
    mermaid_diagram,
    transition,
)
from catalog.errors import InvalidTransition
from catalog.people.domain import Role
from common.settings import PROJECT_ROOT


def test_every_state_is_covered_and_reachable() -> None:
    assert set(TRANSITIONS) == set(OutputState)
    seen, todo = set(), [INITIAL_STATE]
    while todo:
        state = todo.pop()
        seen.add(state)
        todo.extend(t for t in TRANSITIONS[state] if t not in seen)
    assert seen == set(OutputState)
    assert {OutputState.RELEASED, OutputState.REJECTED} == FINAL_STATES
    assert set(OutputState) - FINAL_STATES == REVIEWABLE


def test_every_transition_names_its_audit_event_and_only_stewards_make_them() -> None:
    for source, moves in TRANSITIONS.items():
        for target, move in moves.items():
            expected = "review_started" if target is OutputState.UNDER_REVIEW else target.value
            assert move.event == f"output.{expected}"
            assert move.roles == frozenset({Role.STEWARD}), (source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (OutputState.SUBMITTED, OutputState.RELEASED),  # never on one vote
        (OutputState.SUBMITTED, OutputState.REJECTED),  # decided only after both votes (blindness)
        (OutputState.REJECTED, OutputState.RELEASED),
        (OutputState.RELEASED, OutputState.UNDER_REVIEW),
    ],
)
def test_disallowed_moves_are_refused(source: OutputState, target: OutputState) -> None:
    with pytest.raises(InvalidTransition, match=f"from {source} to {target}"):
        transition(source, target)


def test_the_readme_shows_the_generated_diagram() -> None:
    """Regenerate with: python -m catalog.airlock.lifecycle"""
    assert mermaid_diagram() in (PROJECT_ROOT / "README.md").read_text()
