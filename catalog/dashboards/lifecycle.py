"""A dashboard's lifecycle as data: composed as a draft, published to its audience, withdrawn."""

from __future__ import annotations

from catalog.dashboards.domain import DashboardState as S
from catalog.people.domain import Role
from catalog.statemachine import Lifecycle, Transition

_ANALYST = frozenset({Role.POLICY_ANALYST})

TRANSITIONS: dict[S, dict[S, Transition]] = {
    S.DRAFT: {S.PUBLISHED: Transition("dashboard.published", _ANALYST)},
    S.PUBLISHED: {S.DRAFT: Transition("dashboard.withdrawn", _ANALYST)},
}
COMPOSED_EVENT = "dashboard.composed"
EDITED_EVENT = "dashboard.edited"

LIFECYCLE = Lifecycle(initial=S.DRAFT, transitions=TRANSITIONS, start=COMPOSED_EVENT, subject="a dashboard")
transition = LIFECYCLE.transition
