"""pytest collects only ``test_*.py``: this runs the route x role tests of
``routes_steward.py``, whose ``ROUTES`` the coverage check in ``test_routes.py`` reads."""

from tests.portal.routes_steward import (
    notification_id,
    test_a_researcher_is_refused_the_audit_log_with_a_translated_page,
    test_every_steward_route_for_every_role,
)

__all__ = [
    "notification_id",
    "test_a_researcher_is_refused_the_audit_log_with_a_translated_page",
    "test_every_steward_route_for_every_role",
]
