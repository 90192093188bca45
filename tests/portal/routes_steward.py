"""Every route of the stewards' pages, notifications and the account, for every role and
signed out: the exact status each answers, and the security headers on each answer.

The notification in the paths belongs to the researcher (her application's approval): she
marks it read, everyone else gets 404 as for an id that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from catalog.permits import service
from common.settings import Settings
from portal.security import HEADERS
from tests.catalog.factories import submit
from tests.portal.conftest import ACCOUNTS, csrf_token, sign_in

ANONYMOUS = "signed out"
ROLES = [ANONYMOUS, *ACCOUNTS]
STEWARDS = {"steward", "operator"}
NOTE = "{notification_id}"


def _statuses(anonymous: int, allowed: int, others: int, who: set[str]) -> dict[str, int]:
    return {role: anonymous if role == ANONYMOUS else allowed if role in who else others for role in ROLES}


def signed_in(anonymous: int, status: int) -> dict[str, int]:
    return _statuses(anonymous, status, status, set(ACCOUNTS))


def stewards_only(anonymous: int) -> dict[str, int]:
    return _statuses(anonymous, 200, 403, STEWARDS)


def owner_only(anonymous: int, status: int) -> dict[str, int]:
    return _statuses(anonymous, status, 404, {"researcher"})


# (method, route as declared, concrete path, body, expected status per role)
TABLE: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/audit", "/audit?action=application.approved", None, stewards_only(303)),
    ("GET", "/quality", "/quality", None, stewards_only(303)),
    ("GET", "/account", "/account", None, signed_in(303, 200)),
    ("GET", "/notifications", "/notifications", None, signed_in(303, 200)),
    ("GET", "/api/audit", "/api/audit?object_type=application", None, stewards_only(401)),
    ("GET", "/api/audit/verification", "/api/audit/verification", None, stewards_only(401)),
    ("GET", "/api/quality", "/api/quality", None, stewards_only(401)),
    ("GET", "/api/notifications", "/api/notifications", None, signed_in(401, 200)),
    ("POST", "/account/language", "/account/language", {"language": "en"}, signed_in(303, 303)),
    (
        "POST",
        "/notifications/{notification_id}/read",
        f"/notifications/{NOTE}/read",
        {},
        owner_only(303, 303),
    ),
    (
        "POST",
        "/api/notifications/{notification_id}/read",
        f"/api/notifications/{NOTE}/read",
        {},
        owner_only(401, 200),
    ),
    ("POST", "/notifications/read", "/notifications/read", {}, signed_in(303, 303)),
    ("POST", "/api/notifications/read", "/api/notifications/read", {}, signed_in(401, 200)),
]
ROUTES: list[tuple[str, str]] = [(method, route) for method, route, *_ in TABLE]


@pytest.fixture
def notification_id(settings: Settings) -> str:
    """The researcher's application, approved by the steward: she is notified of the approval."""
    with unit_of_work(settings) as store:
        rita, sam = store.get_user(ACCOUNTS["researcher"]), store.get_user(ACCOUNTS["steward"])
        application = submit(store, rita, data_users=[rita.username])
        service.decide(
            store,
            sam,
            application.application_id,
            approve=True,
            reason="Permitted purpose, minimal data.",
            now=datetime(2026, 2, 3, tzinfo=UTC),
        )
        found = store.notifications_of(rita.username)
    assert [n.action for n in found] == ["application.approved"]
    return found[0].notification_id


def _call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return client.request(method, path, follow_redirects=False)
    token = csrf_token(client)
    if path.startswith("/api/"):
        return client.request(method, path, json=body, headers={"x-csrf-token": token})
    return client.request(method, path, data={**body, "csrf_token": token}, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_every_steward_route_for_every_role(client: TestClient, notification_id: str, role: str) -> None:
    if role != ANONYMOUS:
        sign_in(client, ACCOUNTS[role])
    for method, _route, path, body, statuses in TABLE:
        answer = _call(client, method, path.replace(NOTE, notification_id), body)
        assert answer.status_code == statuses[role], (role, method, path, answer.text[:300])
        for name, value in HEADERS.items():
            assert answer.headers[name] == value, (method, path, name)
        if answer.status_code == 303 and role == ANONYMOUS:
            assert answer.headers["location"].startswith("/sign-in?next=")
        if answer.headers.get("content-type", "").startswith("text/html"):
            html = answer.text
            assert "<script>" not in html and "<style" not in html and " style=" not in html, path
            assert '<main id="main"' in html and "<h1>" in html, path


def test_a_researcher_is_refused_the_audit_log_with_a_translated_page(client: TestClient) -> None:
    sign_in(client, ACCOUNTS["researcher"])
    page = client.get("/audit?lang=nl")
    assert page.status_code == 403 and "<h1>Niet toegestaan</h1>" in page.text
    assert client.get("/api/audit", headers={"accept-language": "de"}).json() == {
        "detail": "Ihr Konto darf dies nicht sehen oder tun."
    }
