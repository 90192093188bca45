"""Runs the route x role table of ``routes_applications.py``: pytest collects ``test_*.py``
files only, and the route coverage check reads ``ROUTES`` from ``routes_*.py`` modules."""

from tests.portal.routes_applications import test_every_application_route_for_every_role, world

__all__ = ["test_every_application_route_for_every_role", "world"]
