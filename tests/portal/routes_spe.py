"""Every route of the workbench and the airlock, for every role and signed out: the exact
status each answers (the coverage check in test_routes.py takes ``ROUTES`` from here).

The world: a permit naming the researcher account as its one data user (its claims table
published), another team's permit, and two release requests the researcher filed (one for
the page, one for the API, so that the steward's vote on each is a first vote).
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from catalog.airlock.domain import OutputContext
from common.settings import Settings
from portal.security import HEADERS
from spe.airlock import request_output
from tests.portal.conftest import ACCOUNTS, Clock, csrf_token, sign_in
from tests.portal.spe_factories import BY_KIND, NEEDED_FOR, SHOWS, workbench_world
from tests.portal.test_routes import ANONYMOUS, ROLES

ROUTES: list[tuple[str, str]] = [
    ("GET", "/workbench"),
    ("GET", "/workbench/{permit_id}"),
    ("POST", "/workbench/{permit_id}"),
    ("POST", "/workbench/{permit_id}/outputs"),
    ("GET", "/outputs"),
    ("GET", "/airlock"),
    ("GET", "/outputs/{request_id}"),
    ("POST", "/outputs/{request_id}/review"),
    ("GET", "/outputs/{request_id}/download"),
    ("GET", "/api/workbench"),
    ("GET", "/api/workbench/{permit_id}/schema"),
    ("POST", "/api/workbench/{permit_id}/query"),
    ("GET", "/api/workbench/{permit_id}/history"),
    ("POST", "/api/workbench/{permit_id}/outputs"),
    ("GET", "/api/outputs"),
    ("GET", "/api/outputs/{request_id}"),
    ("POST", "/api/outputs/{request_id}/reviews"),
    ("GET", "/api/outputs/{request_id}/released"),
]


def statuses(anonymous: int, **by_role: int) -> dict[str, int]:
    """``anonymous`` signed out; each role as given, ``other`` for the roles not named."""
    other = by_role.pop("other", None)
    table = {ANONYMOUS: anonymous}
    for role in ACCOUNTS:
        table[role] = by_role.get(role, other)  # type: ignore[assignment]
    assert None not in table.values()
    return table


CONTEXT = {"shows": SHOWS, "needed_for": NEEDED_FOR}
# (method, route, body, expected status per role); {permit}, {page_request} and {api_request}
# are filled in from the world. The researcher authored both requests: they see them, may not
# review them (403) and may not download them before release (403); the steward reviews.
TABLE: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/workbench", None, statuses(303, other=200)),
    ("GET", "/workbench/{permit}", None, statuses(303, researcher=200, other=404)),
    ("POST", "/workbench/{permit}", {"sql": BY_KIND}, statuses(303, researcher=200, other=404)),
    (
        "POST",
        "/workbench/{permit}/outputs",
        {"sql": BY_KIND, **CONTEXT, "submission_key": "k" * 32},
        statuses(303, researcher=303, other=404),
    ),
    ("GET", "/outputs", None, statuses(303, other=200)),
    ("GET", "/airlock", None, statuses(303, steward=200, other=403)),
    ("GET", "/outputs/{page_request}", None, statuses(303, researcher=200, steward=200, other=404)),
    (
        "POST",
        "/outputs/{page_request}/review",
        {"decision": "approve", "reason": "Counts above the threshold."},
        statuses(303, researcher=403, steward=303, other=404),
    ),
    ("GET", "/outputs/{page_request}/download", None, statuses(303, researcher=403, steward=403, other=404)),
    ("GET", "/api/workbench", None, statuses(401, other=200)),
    ("GET", "/api/workbench/{permit}/schema", None, statuses(401, researcher=200, other=404)),
    ("POST", "/api/workbench/{permit}/query", {"sql": BY_KIND}, statuses(401, researcher=200, other=404)),
    ("GET", "/api/workbench/{permit}/history", None, statuses(401, researcher=200, other=404)),
    (
        "POST",
        "/api/workbench/{permit}/outputs",
        {"sql": BY_KIND, **CONTEXT},
        statuses(401, researcher=201, other=404),
    ),
    ("GET", "/api/outputs", None, statuses(401, other=200)),
    ("GET", "/api/outputs/{api_request}", None, statuses(401, researcher=200, steward=200, other=404)),
    (
        "POST",
        "/api/outputs/{api_request}/reviews",
        {"approve": True, "reason": "Counts above the threshold."},
        statuses(401, researcher=403, steward=200, other=404),
    ),
    (
        "GET",
        "/api/outputs/{api_request}/released",
        None,
        statuses(401, researcher=403, steward=403, other=404),
    ),
]


def test_the_table_lists_every_route_once() -> None:
    declared = [
        (
            m,
            r.replace("{permit}", "{permit_id}")
            .replace("{page_request}", "{request_id}")
            .replace("{api_request}", "{request_id}"),
        )
        for m, r, *_ in TABLE
    ]
    assert sorted(declared) == sorted(ROUTES)


def _call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return client.request(method, path, follow_redirects=False)
    token = csrf_token(client)
    if path.startswith("/api/"):
        return client.request(method, path, json=body, headers={"x-csrf-token": token})
    return client.request(method, path, data={**body, "csrf_token": token}, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_every_workbench_route_for_every_role(
    client: TestClient, settings: Settings, clock: Clock, role: str
) -> None:
    world = workbench_world(settings)
    filed = [
        request_output(
            world.permit,
            ACCOUNTS["researcher"],
            BY_KIND,
            OutputContext(SHOWS, NEEDED_FOR),
            settings,
            at=clock(),
        )
        for _ in range(2)
    ]
    ids = {
        "permit": world.permit,
        **dict(
            zip(
                ("page_request", "api_request"),
                [f.request.request_id for f in filed if f.request],
                strict=True,
            )
        ),
    }
    if role != ANONYMOUS:
        sign_in(client, ACCOUNTS[role])
    for method, route, body, expected in TABLE:
        path = route.format(**ids)
        answer = _call(client, method, path, body)
        assert answer.status_code == expected[role], (role, method, route, answer.text[:300])
        for name, value in HEADERS.items():
            assert answer.headers[name] == value, (method, route, name)
        if answer.status_code == 303 and role == ANONYMOUS:
            assert answer.headers["location"].startswith("/sign-in?next=")
