"""Every route of the dashboards, for every role and signed out: the exact status each answers
(the coverage check in test_routes.py takes ``ROUTES`` from here; test_dashboards.py runs it).

The world: a released aggregate, a draft and a published public dashboard of the policy
analyst account (ana), composed from it.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from common.settings import Settings
from portal.security import HEADERS
from tests.portal.conftest import ACCOUNTS, Clock, csrf_token, sign_in
from tests.portal.dashboard_factories import compose, dashboard_form, released_world
from tests.portal.routes_spe import statuses
from tests.portal.test_routes import ANONYMOUS, ROLES

ROUTES: list[tuple[str, str]] = [
    ("GET", "/dashboards"),
    ("GET", "/dashboards/new"),
    ("POST", "/dashboards/new"),
    ("GET", "/dashboards/{dashboard_id}"),
    ("GET", "/dashboards/{dashboard_id}/edit"),
    ("POST", "/dashboards/{dashboard_id}/edit"),
    ("POST", "/dashboards/{dashboard_id}/publish"),
    ("POST", "/dashboards/{dashboard_id}/withdraw"),
    ("GET", "/dashboards/{dashboard_id}/data.csv"),
    ("GET", "/dashboards/{dashboard_id}/chart.svg"),
    ("GET", "/dashboards/{dashboard_id}/chart.png"),
    ("GET", "/dashboards/{dashboard_id}/chart.json"),
    ("GET", "/released/{aggregate_id}.csv"),
]

EVERYONE = statuses(200, other=200)
ANALYST = statuses(303, policy_analyst=200, other=403)
ANALYST_POST = statuses(303, policy_analyst=303, other=403)
# {draft}, {published} and {aggregate} come from the world; the published dashboard is
# withdrawn last, after every read of it.
TABLE: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/dashboards", None, EVERYONE),
    ("GET", "/dashboards/new", None, ANALYST),
    ("POST", "/dashboards/new", {"form": True}, ANALYST_POST),
    ("GET", "/dashboards/{draft}", None, statuses(404, policy_analyst=200, other=404)),
    ("GET", "/dashboards/{published}", None, EVERYONE),
    ("GET", "/dashboards/{published}/data.csv", None, EVERYONE),
    ("GET", "/dashboards/{published}/chart.svg", None, EVERYONE),
    ("GET", "/dashboards/{published}/chart.png", None, EVERYONE),
    ("GET", "/dashboards/{published}/chart.json", None, EVERYONE),
    ("GET", "/dashboards/{draft}/chart.svg", None, statuses(404, policy_analyst=200, other=404)),
    ("GET", "/released/{aggregate}.csv", None, EVERYONE),
    ("GET", "/dashboards/{draft}/edit", None, ANALYST),
    ("POST", "/dashboards/{draft}/edit", {"form": True}, ANALYST_POST),
    ("POST", "/dashboards/{draft}/publish", {}, ANALYST_POST),
    ("POST", "/dashboards/{published}/withdraw", {}, ANALYST_POST),
]


def test_the_table_lists_every_route_once() -> None:
    declared = [
        (
            m,
            r.replace("{draft}", "{dashboard_id}")
            .replace("{published}", "{dashboard_id}")
            .replace("{aggregate}", "{aggregate_id}"),
        )
        for m, r, *_ in TABLE
    ]
    assert sorted(set(declared)) == sorted(ROUTES)


@pytest.mark.parametrize("role", ROLES)
def test_every_dashboard_route_for_every_role(
    client: TestClient, settings: Settings, clock: Clock, role: str
) -> None:
    aggregate = released_world(settings, clock())
    ids = {
        "aggregate": aggregate,
        "draft": compose(settings, ACCOUNTS["policy_analyst"], aggregate).dashboard_id,
        "published": compose(settings, ACCOUNTS["policy_analyst"], aggregate, publish=True).dashboard_id,
    }
    if role != ANONYMOUS:
        sign_in(client, ACCOUNTS[role])
    for method, route, body, expected in TABLE:
        path = route.format(**ids)
        if body is None:
            answer = client.request(method, path, follow_redirects=False)
        else:
            data = dashboard_form(aggregate) if body else {}
            answer = client.request(
                method, path, data={**data, "csrf_token": csrf_token(client)}, follow_redirects=False
            )
        assert answer.status_code == expected[role], (role, method, route, answer.text[:300])
        for name, value in HEADERS.items():
            assert answer.headers[name] == value, (method, route, name)
        if answer.status_code == 303 and role == ANONYMOUS:
            assert answer.headers["location"].startswith("/sign-in?next=")
