"""The lifecycle is data: every state covered, every move audited, the documented diagram current."""

from __future__ import annotations

import ast

import pytest

from catalog.errors import InvalidTransition
from catalog.people.domain import Role
from catalog.people.roles import PERMISSIONS, Operation
from catalog.permits.lifecycle import FINAL_STATES, TRANSITIONS, mermaid_diagram, transition
from catalog.permits.vocabulary import PermitState
from common.settings import PROJECT_ROOT


def test_every_state_is_covered_and_reachable() -> None:
    assert set(TRANSITIONS) == set(PermitState)
    seen, todo = set(), [PermitState.DRAFT]
    while todo:
        state = todo.pop()
        seen.add(state)
        todo.extend(t for t in TRANSITIONS[state] if t not in seen)
    assert seen == set(PermitState)
    assert {PermitState.REJECTED, PermitState.EXPIRED, PermitState.REVOKED} == FINAL_STATES


def test_every_transition_names_its_audit_event() -> None:
    for source, moves in TRANSITIONS.items():
        for target, move in moves.items():
            assert move.event.startswith(("application.", "permit.")), (source, target)
            assert move.event.rsplit(".", 1)[1], (source, target)


def test_transition_roles_agree_with_the_operation_matrix() -> None:
    by_operation = {
        (PermitState.UNDER_REVIEW, PermitState.APPROVED): Operation.DECIDE,
        (PermitState.UNDER_REVIEW, PermitState.REJECTED): Operation.DECIDE,
        (PermitState.SUBMITTED, PermitState.UNDER_REVIEW): Operation.REVIEW,
        (PermitState.SUBMITTED, PermitState.INCOMPLETE): Operation.REVIEW,
        (PermitState.DRAFT, PermitState.SUBMITTED): Operation.APPLY,
        (PermitState.INCOMPLETE, PermitState.SUBMITTED): Operation.APPLY,
        (PermitState.APPROVED, PermitState.ACTIVE): Operation.ACTIVATE,
        (PermitState.ACTIVE, PermitState.EXPIRED): Operation.EXPIRE,
        (PermitState.APPROVED, PermitState.EXPIRED): Operation.EXPIRE,
        (PermitState.ACTIVE, PermitState.REVOKED): Operation.REVOKE,
        (PermitState.APPROVED, PermitState.REVOKED): Operation.REVOKE,
    }
    for (source, target), operation in by_operation.items():
        assert TRANSITIONS[source][target].roles == PERMISSIONS[operation], (source, target)
    # The one move no user makes: refusing a prohibited purpose.
    assert TRANSITIONS[PermitState.SUBMITTED][PermitState.REJECTED].roles == frozenset()
    assert all(set(PERMISSIONS[op]) <= set(Role) for op in Operation)
    assert set(PERMISSIONS) == set(Operation)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (PermitState.DRAFT, PermitState.APPROVED),
        (PermitState.SUBMITTED, PermitState.APPROVED),
        (PermitState.REJECTED, PermitState.SUBMITTED),
        (PermitState.REVOKED, PermitState.ACTIVE),
    ],
)
def test_disallowed_moves_are_refused(source: PermitState, target: PermitState) -> None:
    with pytest.raises(InvalidTransition, match=f"cannot move from {source} to {target}"):
        transition(source, target)


def test_the_readme_shows_the_generated_diagram() -> None:
    """Regenerate with: python -m catalog.permits.lifecycle"""
    assert mermaid_diagram() in (PROJECT_ROOT / "README.md").read_text()


def test_sets_of_permit_states_are_defined_once_in_the_lifecycle() -> None:
    """'In force', 'ended', 'awaiting a decision' are named sets of ``lifecycle``; code that
    spells such a set out as string literals (``state in ("approved", "active")``) fails here."""
    root = PROJECT_ROOT
    values = {state.value for state in PermitState}
    offenders = []
    for package in ("catalog", "jobs", "spe", "cli", "dags", "portal"):
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Tuple | ast.Set | ast.List) and len(node.elts) >= 2:
                    literals = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                    if len(literals) == len(node.elts) and set(literals) <= values:
                        offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
