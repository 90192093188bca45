"""The operations of the control plane, and which roles may do each.

Every operation of the service layers checks ``check_can`` first; ``PERMISSIONS`` is the one
table of who may do what (rules that also depend on the object, such as "the applicant may
not decide", live with the object's policies).
"""

from __future__ import annotations

from enum import StrEnum

from catalog.errors import NotAuthorised, passes
from catalog.people.domain import Role, User


class Operation(StrEnum):
    """Everything a user can ask of the control plane, as named in ``PERMISSIONS``."""

    APPLY = "apply"  # create, submit and resubmit one's own application
    REVIEW = "review"  # mark incomplete, start the review
    DECIDE = "decide"  # approve or reject
    ACTIVATE = "activate"
    EXPIRE = "expire"
    REVOKE = "revoke"
    VIEW_APPLICATION = "view_application"  # every field, including cohort criteria and users
    LIST_OVERDUE = "list_overdue"
    VIEW_REGISTER = "view_register"  # the public transparency register
    EXPORT_CATALOGUE = "export_catalogue"  # the public HealthDCAT-AP catalogue
    EDIT_DATASET = "edit_dataset"
    RECORD_PUBLICATION = "record_publication"
    READ_AUDIT = "read_audit"
    VERIFY_AUDIT = "verify_audit"
    VIEW_QUALITY = "view_quality"  # every dataset's validation results and labels, per version
    MANAGE_USERS = "manage_users"
    OPT_OUT_ONLINE = "opt_out_online"  # one's own opt-out, through one's linked pid
    TAKE_OPT_OUT = "take_opt_out"  # an opt-out or withdrawal for a citizen, by phone or desk
    COMPOSE_DASHBOARD = "compose_dashboard"  # dashboards over released aggregates (catalog.dashboards)


_EVERYONE = frozenset(Role)
PERMISSIONS: dict[Operation, frozenset[Role]] = {
    Operation.APPLY: frozenset({Role.RESEARCHER}),
    Operation.REVIEW: frozenset({Role.STEWARD}),
    Operation.DECIDE: frozenset({Role.STEWARD}),
    Operation.ACTIVATE: frozenset({Role.STEWARD, Role.OPERATOR}),
    Operation.EXPIRE: frozenset({Role.STEWARD, Role.OPERATOR}),
    Operation.REVOKE: frozenset({Role.STEWARD}),
    # Applicants and named users see their own applications too (check_can_view_application).
    Operation.VIEW_APPLICATION: frozenset({Role.STEWARD, Role.OPERATOR}),
    Operation.LIST_OVERDUE: frozenset({Role.STEWARD, Role.OPERATOR, Role.POLICY_ANALYST}),
    Operation.VIEW_REGISTER: _EVERYONE,
    Operation.EXPORT_CATALOGUE: _EVERYONE,
    Operation.EDIT_DATASET: frozenset({Role.STEWARD, Role.OPERATOR}),
    Operation.RECORD_PUBLICATION: frozenset({Role.OPERATOR}),
    Operation.READ_AUDIT: frozenset({Role.STEWARD, Role.OPERATOR}),
    Operation.VERIFY_AUDIT: frozenset({Role.STEWARD, Role.OPERATOR}),
    Operation.VIEW_QUALITY: frozenset({Role.STEWARD, Role.OPERATOR}),
    Operation.MANAGE_USERS: frozenset({Role.OPERATOR}),
    Operation.OPT_OUT_ONLINE: frozenset({Role.CITIZEN}),
    Operation.TAKE_OPT_OUT: frozenset({Role.AGENT}),
    Operation.COMPOSE_DASHBOARD: frozenset({Role.POLICY_ANALYST}),
}


def check_can(user: User, operation: Operation) -> None:
    """Raise ``NotAuthorised`` unless one of ``user``'s roles allows ``operation``."""
    if not user.roles & PERMISSIONS[operation]:
        allowed = ", ".join(sorted(PERMISSIONS[operation]))
        raise NotAuthorised(f"user {user.username!r} may not {operation.value}: needs role {allowed}")


def can(user: User, operation: Operation) -> bool:
    return passes(lambda: check_can(user, operation))
