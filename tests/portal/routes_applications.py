"""Every route of the permit applications area for every role (and signed out), with the exact
status each answers, over one submitted application and one draft of the researcher's."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from catalog.permits import drafts
from common.settings import Settings
from portal.security import HEADERS
from tests.catalog.factories import submit
from tests.portal.conftest import ACCOUNTS, Clock, csrf_token, sign_in

ANONYMOUS = "signed out"
ROLES = [ANONYMOUS, *ACCOUNTS]
DRAFT = "d" * 43


def per_role(anonymous: int, **roles: int) -> dict[str, int]:
    """``anonymous`` signed out; each role its own status, 403 when not named."""
    return {ANONYMOUS: anonymous, **{role: roles.get(role, 403) for role in ACCOUNTS}}


RESEARCHER = per_role(303, researcher=200)
RESEARCHER_POST = per_role(303, researcher=303)
STEWARDS = per_role(303, steward=200, operator=200)
STEWARDS_POST = per_role(303, steward=303, operator=303)
READERS = per_role(303, researcher=200, steward=200, operator=200, policy_analyst=404, citizen=404)
# (method, route as declared, concrete path, form or JSON body, expected status per role).
# Every steward action carries a stale state, so it changes nothing and each role finds the
# application as it was; the actions themselves are proved in test_applications.py.
TABLE: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/applications", "/applications", None, RESEARCHER),
    ("GET", "/applications/new", "/applications/new", None, RESEARCHER),
    ("POST", "/applications/new", "/applications/new", {"draft_key": DRAFT}, RESEARCHER_POST),
    ("GET", "/applications/drafts/{draft_id}", f"/applications/drafts/{DRAFT}", None, RESEARCHER),
    (
        "GET",
        "/applications/drafts/{draft_id}/sections/{section}",
        f"/applications/drafts/{DRAFT}/sections/cohort",
        None,
        RESEARCHER,
    ),
    (
        "POST",
        "/applications/drafts/{draft_id}/sections/{section}",
        f"/applications/drafts/{DRAFT}/sections/period",
        {"start": "2025-01-01", "action": "later"},
        RESEARCHER_POST,
    ),
    ("GET", "/applications/drafts/{draft_id}/check", f"/applications/drafts/{DRAFT}/check", None, RESEARCHER),
    (
        "POST",
        "/applications/drafts/{draft_id}/submit",
        f"/applications/drafts/{DRAFT}/submit",
        {},
        RESEARCHER_POST,
    ),
    ("GET", "/applications/{application_id}", "/applications/{app}", None, READERS),
    (
        "POST",
        "/applications/{application_id}/answer",
        "/applications/{app}/answer",
        {"draft_key": "e" * 43},
        RESEARCHER_POST,
    ),
    ("GET", "/review", "/review", None, STEWARDS),
    ("GET", "/review/{application_id}", "/review/{app}", None, STEWARDS),
    (
        "POST",
        "/review/{application_id}/notes",
        "/review/{app}/notes",
        {"section": "purpose", "text": "Looks fine.", "form_key": "f" * 43},
        per_role(303, steward=303, operator=403),
    ),
    ("POST", "/review/{application_id}/start", "/review/{app}/start", {"state": "stale"}, STEWARDS_POST),
    (
        "POST",
        "/review/{application_id}/ask",
        "/review/{app}/ask",
        {"state": "stale", "question": "Which hospitals, please?", "sections": "cohort"},
        STEWARDS_POST,
    ),
    (
        "POST",
        "/review/{application_id}/decide",
        "/review/{app}/decide",
        {"state": "stale", "decision": "approve", "reason": "Permitted purpose."},
        STEWARDS_POST,
    ),
    (
        "POST",
        "/review/{application_id}/activate",
        "/review/{app}/activate",
        {"state": "stale"},
        STEWARDS_POST,
    ),
    (
        "POST",
        "/review/{application_id}/revoke",
        "/review/{app}/revoke",
        {"state": "stale", "reason": "The study ended early."},
        STEWARDS_POST,
    ),
    (
        "GET",
        "/api/applications",
        "/api/applications",
        None,
        per_role(401, researcher=200, steward=200, operator=200),
    ),
    (
        "GET",
        "/api/applications/{application_id}",
        "/api/applications/{app}",
        None,
        {**READERS, ANONYMOUS: 401},
    ),
    ("POST", "/api/applications", "/api/applications", {"title": "x"}, per_role(401, researcher=422)),
    (
        "POST",
        "/api/applications/{application_id}/review",
        "/api/applications/app-none/review",
        {},
        per_role(401, steward=404),
    ),
    (
        "POST",
        "/api/applications/{application_id}/incomplete",
        "/api/applications/app-none/incomplete",
        {"question": "Which hospitals, please?", "sections": ["cohort"]},
        per_role(401, steward=404),
    ),
    (
        "POST",
        "/api/applications/{application_id}/decision",
        "/api/applications/app-none/decision",
        {"approve": True, "reason": "Permitted purpose."},
        per_role(401, steward=404),
    ),
    (
        "POST",
        "/api/applications/{application_id}/activate",
        "/api/applications/app-none/activate",
        {},
        per_role(401, steward=404, operator=404),
    ),
    (
        "POST",
        "/api/applications/{application_id}/revoke",
        "/api/applications/app-none/revoke",
        {"reason": "The study ended early."},
        per_role(401, steward=404),
    ),
    (
        "POST",
        "/api/applications/{application_id}/resubmit",
        "/api/applications/{app}/resubmit",
        {"title": "x"},
        per_role(401, researcher=422),
    ),
]
ROUTES: list[tuple[str, str]] = [(method, route) for method, route, *_ in TABLE]


@pytest.fixture
def world(settings: Settings, clock: Clock) -> str:
    """A submitted application of the researcher's, and a draft of theirs; the application's id."""
    with unit_of_work(settings) as store:
        rita = store.get_user(ACCOUNTS["researcher"])
        application = submit(store, rita, data_users=[rita.username])
        drafts.start(store, rita, DRAFT, clock())
    return application.application_id


def _call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return client.request(method, path, follow_redirects=False)
    token = csrf_token(client)
    if path.startswith("/api/"):
        headers = {"x-csrf-token": token, "idempotency-key": secrets.token_urlsafe(32)}
        return client.request(method, path, json=body, headers=headers)
    return client.request(method, path, data={**body, "csrf_token": token}, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_every_application_route_for_every_role(client: TestClient, world: str, role: str) -> None:
    if role != ANONYMOUS:
        sign_in(client, ACCOUNTS[role])
    for method, _route, path, body, statuses in TABLE:
        answer = _call(client, method, path.replace("{app}", world), body)
        assert answer.status_code == statuses[role], (role, method, path, answer.text[:300])
        for name, value in HEADERS.items():
            assert answer.headers[name] == value, (method, path, name)
        if role == ANONYMOUS and answer.status_code == 303:
            assert answer.headers["location"].startswith("/sign-in?next=")
