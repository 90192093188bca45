"""pytest collects only ``test_*.py``: this runs the route x role tests of
``routes_citizen.py``, whose ``ROUTES`` the coverage check in ``test_routes.py`` reads."""

from tests.portal.routes_citizen import (
    receipts,
    test_a_receipt_is_its_owners_only,
    test_every_citizen_route_for_every_role,
)

__all__ = ["receipts", "test_a_receipt_is_its_owners_only", "test_every_citizen_route_for_every_role"]
