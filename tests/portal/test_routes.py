"""Every route for every role (and signed out): the status it answers, the security headers
on every response, and error pages that never show a stack trace or a value."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from common.settings import Settings
from portal.app import create_app
from portal.security import HEADERS
from tests.portal.conftest import ACCOUNTS, Clock, csrf_token, sign_in

ANONYMOUS = "signed out"
ROLES = [ANONYMOUS, *ACCOUNTS]
SIGNED_IN = 200


def expected(anonymous: int, signed_in: int) -> dict[str, int]:
    return {role: anonymous if role == ANONYMOUS else signed_in for role in ROLES}


EVERYONE_200 = expected(200, 200)
# (method, route as the app declares it, concrete path, body, expected status per role).
# Sign-out comes last: it ends the session the rows before it use.
TABLE: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/", "/", None, EVERYONE_200),
    ("GET", "/datasets", "/datasets", None, EVERYONE_200),
    ("GET", "/datasets/{dataset_id}", "/datasets/claims", None, EVERYONE_200),
    ("GET", "/sign-in", "/sign-in", None, EVERYONE_200),
    # OpenID Connect sign-in: 404 while no issuer is configured (tests/portal/test_oidc.py).
    ("GET", "/sign-in/oidc", "/sign-in/oidc", None, expected(404, 404)),
    ("GET", "/sign-in/oidc/callback", "/sign-in/oidc/callback?state=x&code=y", None, expected(404, 404)),
    ("GET", "/set-password/{secret}", "/set-password/not-a-link", None, expected(410, 410)),
    ("GET", "/api/datasets", "/api/datasets", None, EVERYONE_200),
    ("GET", "/api/datasets/{dataset_id}", "/api/datasets/claims", None, EVERYONE_200),
    ("GET", "/api/me", "/api/me", None, expected(401, 200)),
    ("GET", "/openapi.json", "/openapi.json", None, EVERYONE_200),
    ("POST", "/language", "/language", {"lang": "de", "next": "/datasets"}, expected(303, 303)),
    (
        "POST",
        "/sign-in",
        "/sign-in",
        {"username": "x@example.be", "password": "not it at all"},
        expected(400, 400),
    ),
    (
        "POST",
        "/set-password/{secret}",
        "/set-password/not-a-link",
        {"password": "p" * 20, "confirm": "p" * 20},
        expected(410, 410),
    ),
    ("PUT", "/api/me/language", "/api/me/language", {"language": "fr"}, expected(401, 200)),
    ("POST", "/sign-out", "/sign-out", {}, expected(303, 303)),
]


def area_routes() -> set[tuple[str, str]]:
    """(method, route) of every area that tests its routes x roles in its own module: each
    ``tests/portal/routes_<area>.py`` lists them in ``ROUTES`` and proves them with its own
    objects (applications, queries, outputs, ...)."""
    found: set[tuple[str, str]] = set()
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("routes_"):
            found |= set(importlib.import_module(f"tests.portal.{module.name}").ROUTES)
    return found


def test_the_table_covers_every_route_of_the_app(client: TestClient) -> None:
    declared = {
        (method, route.path)
        for route in client.app.routes  # type: ignore[attr-defined]
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD"
    }
    assert declared == {(method, route) for method, route, *_ in TABLE} | area_routes()


def _call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return client.request(method, path, follow_redirects=False)
    token = csrf_token(client)
    if path.startswith("/api/"):
        return client.request(method, path, json=body, headers={"x-csrf-token": token})
    return client.request(method, path, data={**body, "csrf_token": token}, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client: TestClient, role: str) -> None:
    if role != ANONYMOUS:
        sign_in(client, ACCOUNTS[role])
    for method, _route, path, body, statuses in TABLE:
        answer = _call(client, method, path, body)
        assert answer.status_code == statuses[role], (role, method, path, answer.text[:300])
        for name, value in HEADERS.items():
            assert answer.headers[name] == value, (method, path, name)
        if path == "/sign-out":
            where = "/sign-in?next=%2Fsign-out" if role == ANONYMOUS else "/"
            assert answer.headers["location"] == where


def test_headers_on_static_files_and_error_pages(client: TestClient) -> None:
    css = client.get("/static/css/haven.css")
    missing = client.get("/no/such/page")
    assert (css.status_code, missing.status_code) == (200, 404)
    for answer in (css, missing, client.get("/static/missing.css"), client.delete("/")):
        assert {name: answer.headers[name] for name in HEADERS} == HEADERS
    assert "frame-ancestors 'none'" in HEADERS["content-security-policy"]
    assert "'unsafe-inline'" not in HEADERS["content-security-policy"]
    assert missing.headers["cache-control"] == "no-store" and "no-store" not in css.headers.get(
        "cache-control", ""
    )


def test_pages_carry_no_inline_script_or_style(client: TestClient) -> None:
    sign_in(client, ACCOUNTS["researcher"])
    for path in ("/", "/datasets", "/datasets/wellness", "/sign-in", "/nope"):
        html = client.get(path).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html, path
        assert 'href="#main"' in html and '<main id="main"' in html and '<html lang="en">' in html


def test_an_unexpected_error_shows_the_translated_page_without_a_trace_or_value(
    settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, clock=clock)

    def broken() -> None:
        raise ValueError("patient 85073112345 has value 42")

    app.add_api_route("/broken", broken)
    caplog.set_level(logging.INFO)
    with TestClient(app) as client:
        page = client.get("/broken", headers={"accept-language": "fr-BE,fr;q=0.9"})
        api = client.get("/broken?lang=de", headers={"accept": "application/json"})
    assert page.status_code == 500 and '<html lang="fr">' in page.text
    assert "Quelque chose s&#39;est mal passé" in page.text
    assert api.status_code == 500
    for text in (page.text, caplog.text):
        assert "85073112345" not in text and "value 42" not in text and "Traceback" not in text
    assert "ValueError" not in page.text
    assert "portal.unexpected_error route=/broken error=ValueError at " in caplog.text
    assert {name: page.headers[name] for name in HEADERS} == HEADERS


def test_a_missing_dataset_is_a_translated_404(client: TestClient) -> None:
    page = client.get("/datasets/nothing-here?lang=nl")
    assert page.status_code == 404 and "<h1>Pagina niet gevonden</h1>" in page.text
    api = client.get("/api/datasets/nothing-here", headers={"accept-language": "de"})
    assert api.status_code == 404
    assert api.json() == {
        "detail": "Unter dieser Adresse gibt es keine Seite. "
        "Prüfen Sie die Adresse oder beginnen Sie erneut auf der Startseite."
    }


def test_the_openapi_document_describes_the_api(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert sorted(document["paths"]) == [
        "/api/applications",
        "/api/applications/{application_id}",
        "/api/applications/{application_id}/activate",
        "/api/applications/{application_id}/decision",
        "/api/applications/{application_id}/incomplete",
        "/api/applications/{application_id}/resubmit",
        "/api/applications/{application_id}/review",
        "/api/applications/{application_id}/revoke",
        "/api/audit",
        "/api/audit/verification",
        "/api/datasets",
        "/api/datasets/{dataset_id}",
        "/api/me",
        "/api/me/language",
        "/api/notifications",
        "/api/notifications/read",
        "/api/notifications/{notification_id}/read",
        "/api/outputs",
        "/api/outputs/{request_id}",
        "/api/outputs/{request_id}/released",
        "/api/outputs/{request_id}/reviews",
        "/api/quality",
        "/api/register",
        "/api/workbench",
        "/api/workbench/{permit_id}/history",
        "/api/workbench/{permit_id}/outputs",
        "/api/workbench/{permit_id}/query",
        "/api/workbench/{permit_id}/schema",
    ]
    schemas = document["components"]["schemas"]
    assert {"DatasetPage", "QueryAnswer", "OutputDetail", "ReleasedTable", "Problems"} <= set(schemas)
    assert {"AuditLog", "ChainCheck", "DatasetQuality", "Notifications", "MarkedRead"} <= set(schemas)
    assert {"ApplicationDetail", "ApplicationSummary", "Decision"} <= set(schemas)
