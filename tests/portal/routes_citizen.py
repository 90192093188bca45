"""Every route of the citizen's pages, for every role (and the agent) and signed out: the
exact status each answers, and the security headers on each answer.

The citizen account is linked to a pid; the receipts in the paths are the citizen's own
(an opt-out) and the agent's own (a phone opt-out): everyone else gets 404 or 403.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from catalog.optout import citizens
from catalog.optout.vocabulary import OptOutAction, OptOutChannel
from catalog.people import users
from catalog.people.domain import SYSTEM, Role
from common.settings import Settings
from portal.security import HEADERS
from tests.portal.conftest import ACCOUNTS, PASSWORD, csrf_token, sign_in

AGENT = "agnes@example.be"
CITIZEN_PID = "TTP-cito-0001"
ANONYMOUS = "signed out"
ROLES = [ANONYMOUS, *ACCOUNTS, "agent"]
MINE = "{citizen_receipt}"
THEIRS = "{agent_receipt}"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(role: str, anonymous: int, status: int, others: int) -> dict[str, int]:
    return {r: anonymous if r == ANONYMOUS else status if r == role else others for r in ROLES}


# (method, route as declared, concrete path, body, expected status per role)
TABLE: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/register", "/register?status=active", None, everyone(200)),
    ("GET", "/register.csv", "/register.csv", None, everyone(200)),
    ("GET", "/register.json", "/register.json", None, everyone(200)),
    ("GET", "/api/register", "/api/register", None, everyone(200)),
    ("GET", "/could-my-data-be-used", "/could-my-data-be-used", None, everyone(200)),
    ("POST", "/could-my-data-be-used", "/could-my-data-be-used", {"sex": "F"}, everyone(200)),
    ("GET", "/data-types", "/data-types", None, everyone(200)),
    ("GET", "/accessibility", "/accessibility", None, everyone(200)),
    ("GET", "/opt-out", "/opt-out", None, everyone(200)),
    ("GET", "/opt-out/choose", "/opt-out/choose", None, only("citizen", 303, 200, 403)),
    ("POST", "/opt-out/choose", "/opt-out/choose", {"action": "optout"}, only("citizen", 303, 303, 403)),
    ("GET", "/opt-out/check", "/opt-out/check?action=optout", None, only("citizen", 303, 200, 403)),
    ("GET", "/opt-out/status", "/opt-out/status", None, only("citizen", 303, 200, 403)),
    ("GET", "/opt-out/done/{reference}", f"/opt-out/done/{MINE}", None, only("citizen", 303, 200, 403)),
    (
        "POST",
        "/opt-out/confirm",
        "/opt-out/confirm",
        {"action": "withdrawal", "form_key": "0" * 32},
        only("citizen", 303, 303, 403),
    ),
    ("GET", "/agent/opt-out", "/agent/opt-out", None, only("agent", 303, 200, 403)),
    (
        "POST",
        "/agent/opt-out",
        "/agent/opt-out",
        {"pid": "TTP-other-9", "action": "withdrawal", "channel": "desk", "form_key": "1" * 32},
        only("agent", 303, 303, 403),
    ),
    (
        "GET",
        "/agent/opt-out/done/{reference}",
        f"/agent/opt-out/done/{THEIRS}",
        None,
        only("agent", 303, 200, 403),
    ),
]
ROUTES: list[tuple[str, str]] = [(method, route) for method, route, *_ in TABLE]


def link_citizen_and_agent(settings: Settings) -> None:
    """The citizen account linked to a pid, and an agent account."""
    with unit_of_work(settings) as store:
        users.create_user(store, SYSTEM, AGENT, {Role.AGENT}, PASSWORD)
        citizens.link(store, SYSTEM, ACCOUNTS["citizen"], CITIZEN_PID, now=datetime(2026, 3, 1, tzinfo=UTC))


@pytest.fixture
def receipts(settings: Settings) -> dict[str, str]:
    """The citizen's own opt-out receipt and the agent's phone receipt."""
    link_citizen_and_agent(settings)
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    with unit_of_work(settings) as store:
        mine = citizens.request_online(
            store,
            store.get_user(ACCOUNTS["citizen"]),
            OptOutAction.OPTOUT,
            form_key=citizens.new_form_key(),
            now=at,
        )
        theirs = citizens.request_by_agent(
            store,
            store.get_user(AGENT),
            "TTP-other-8",
            OptOutAction.OPTOUT,
            OptOutChannel.PHONE,
            form_key=citizens.new_form_key(),
            now=at,
        )
    return {MINE: mine.reference, THEIRS: theirs.reference}


def _call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return client.request(method, path, follow_redirects=False)
    return client.request(
        method, path, data={**body, "csrf_token": csrf_token(client)}, follow_redirects=False
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_citizen_route_for_every_role(client: TestClient, receipts: dict[str, str], role: str) -> None:
    if role != ANONYMOUS:
        sign_in(client, AGENT if role == "agent" else ACCOUNTS[role])
    for method, _route, declared_path, body, statuses in TABLE:
        path = declared_path
        for placeholder, reference in receipts.items():
            path = path.replace(placeholder, reference)
        answer = _call(client, method, path, body)
        assert answer.status_code == statuses[role], (role, method, path, answer.text[:300])
        for name, value in HEADERS.items():
            assert answer.headers[name] == value, (method, path, name)
        if answer.status_code == 303 and role == ANONYMOUS:
            assert answer.headers["location"].startswith("/sign-in?next=")
        if answer.headers.get("content-type", "").startswith("text/html"):
            html = answer.text
            assert "<script>" not in html and "<style" not in html and " style=" not in html, path
            assert '<main id="main"' in html and "<h1>" in html, path
            assert CITIZEN_PID not in html and "TTP-other" not in html, path


def test_a_receipt_is_its_owners_only(client: TestClient, receipts: dict[str, str]) -> None:
    sign_in(client, AGENT)
    assert client.get(f"/agent/opt-out/done/{receipts[MINE]}").status_code == 404
    client.cookies.clear()
    sign_in(client, ACCOUNTS["citizen"])
    assert client.get(f"/opt-out/done/{receipts[THEIRS]}").status_code == 404
    assert client.get("/opt-out/done/HVN-0000-0000-0000-0000").status_code == 404
