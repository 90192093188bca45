"""Sign-in, sign-out, sessions and their cookies, timeouts, throttling, and what is audited."""

from __future__ import annotations

import logging
import sys

import pytest
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from cli.main import run
from common.settings import Settings
from portal.app import create_app
from tests.portal.conftest import ACCOUNTS, PASSWORD, Clock, csrf_token, plant_session, sign_in

RITA = ACCOUNTS["researcher"]


def me(client: TestClient) -> int:
    return client.get("/api/me").status_code


def audit(settings: Settings, since: int = 0) -> list[tuple[str, str, str, dict[str, object]]]:
    with unit_of_work(settings) as store:
        entries = store.audit_entries()
    return [
        (e.actor, e.action, e.object_id, e.details)
        for e in entries[since:]
        if e.action.startswith("session.")
    ]


def test_sign_in_with_the_right_password_opens_a_session(client: TestClient, settings: Settings) -> None:
    assert me(client) == 401
    response = sign_in(client, RITA, next_page="/datasets")
    assert response.status_code == 303 and response.headers["location"] == "/datasets"
    answer = client.get("/api/me").json()
    assert (answer["username"], [r["code"] for r in answer["roles"]]) == (RITA, ["researcher"])
    assert f"Signed in as {RITA}" in client.get("/").text
    assert audit(settings) == [(RITA, "session.signed_in", RITA, {"client": "testclient"})]


@pytest.mark.parametrize(
    ("username", "password"), [(RITA, "wrong password here"), ("nobody@example.be", PASSWORD)]
)
def test_a_wrong_password_or_account_is_refused_with_one_message(
    client: TestClient, settings: Settings, username: str, password: str
) -> None:
    response = sign_in(client, username, password)
    assert response.status_code == 400
    assert "The user name or the password is not right." in response.text
    assert '<a href="#username">' in response.text  # the error summary links to the field
    assert "haven_session" not in response.headers.get("set-cookie", "")
    assert me(client) == 401
    known = username == RITA
    assert audit(settings) == [
        (
            "anonymous",
            "session.sign_in_failed",
            username if known else "unknown",
            {"client": "testclient", "reason": "wrong_password" if known else "unknown"},
        )
    ]


def test_empty_fields_are_listed_at_the_top_and_marked_on_each_field(client: TestClient) -> None:
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"username": " ", "password": "", "csrf_token": token})
    assert response.status_code == 400
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert '<a href="#username">Enter your user name.</a>' in summary
    assert '<a href="#password">Enter your password.</a>' in summary
    assert 'id="password" name="password" type="password"' in response.text
    assert 'aria-describedby="password-error" aria-invalid="true"' in response.text


def test_sign_in_makes_a_new_session_id_and_ends_the_one_before(client: TestClient) -> None:
    # A session id planted in the browser before sign-in (fixation) is never the one after.
    plant_session(client, "planted-by-someone-else")
    sign_in(client, RITA)
    first = client.cookies.get("haven_session")
    assert first and first != "planted-by-someone-else"
    sign_in(client, ACCOUNTS["steward"])
    second = client.cookies.get("haven_session")
    assert second and second != first
    plant_session(client, first)
    assert me(client) == 401  # signing in again ended the earlier session


def _cookie_headers(response: object) -> dict[str, str]:
    headers = response.headers.get_list("set-cookie")
    return {h.split("=", 1)[0]: h for h in headers}


def test_cookie_flags_over_http_and_https(settings: Settings, clock: Clock) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(create_app(settings, clock=clock), base_url=base) as client:
            visit = _cookie_headers(client.get("/sign-in"))["haven_visit"]
            session = _cookie_headers(sign_in(client, RITA))["haven_session"]
            for cookie in (visit, session):
                assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
                assert ("Secure" in cookie) is secure
                assert "Max-Age" not in cookie and "expires" not in cookie.lower()


def test_a_session_ends_after_the_idle_timeout(client: TestClient, clock: Clock) -> None:
    sign_in(client, RITA)
    for _ in range(4):  # 4 x 29 minutes, each with a request: still signed in
        clock.advance(minutes=29)
        assert me(client) == 200
    clock.advance(minutes=30)
    ended = client.get("/api/me")
    assert ended.status_code == 401
    assert "Max-Age=0" in _cookie_headers(ended)["haven_session"]  # the dead cookie is cleared


def test_a_session_ends_after_the_absolute_timeout_however_busy(client: TestClient, clock: Clock) -> None:
    sign_in(client, RITA)
    for _ in range(12 * 4 - 1):
        clock.advance(minutes=15)
        assert me(client) == 200
    clock.advance(minutes=15)  # 12 hours after sign-in
    assert me(client) == 401


def test_sign_out_ends_the_session(client: TestClient, settings: Settings) -> None:
    sign_in(client, RITA)
    old = client.cookies.get("haven_session")
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert me(client) == 401
    plant_session(client, old or "")
    assert me(client) == 401  # the id is dead on the server, not only forgotten by the browser
    assert [a[1] for a in audit(settings)] == ["session.signed_in", "session.signed_out"]


def test_an_account_is_held_after_five_failures_until_the_window_passes(
    client: TestClient, clock: Clock, settings: Settings
) -> None:
    for _ in range(5):
        assert sign_in(client, RITA, "wrong password here").status_code == 400
    held = sign_in(client, RITA)  # even the right password is not tried now
    assert held.status_code == 429
    assert "Too many failed sign-ins. Wait 15 minutes, then try again." in held.text
    assert me(client) == 401
    assert audit(settings)[-1][1:] == (
        "session.sign_in_failed",
        RITA,
        {"client": "testclient", "reason": "throttled"},
    )
    clock.advance(minutes=15)
    assert sign_in(client, RITA).status_code == 303


def test_an_address_is_held_after_twenty_failures_whatever_the_accounts(
    client: TestClient, clock: Clock
) -> None:
    for n in range(20):
        assert sign_in(client, f"guess{n}@example.be", "wrong password here").status_code == 400
    assert sign_in(client, ACCOUNTS["steward"]).status_code == 429
    clock.advance(minutes=16)
    assert sign_in(client, ACCOUNTS["steward"]).status_code == 303


def test_no_password_or_session_secret_in_the_audit_log_or_the_logs(
    client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sign_in(client, RITA, "a wrong password 123")
    sign_in(client, RITA)
    secret = client.cookies.get("haven_session")
    assert secret
    with unit_of_work(settings) as store:
        recorded = repr(store.audit_entries())
    for text in (recorded, caplog.text):
        assert PASSWORD not in text and "a wrong password 123" not in text and secret not in text
    assert "portal.request method=POST route=/sign-in status=303" in caplog.text


def _haven(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the ``haven`` command in-process; what it printed."""
    monkeypatch.setattr(sys, "argv", ["haven", *argv])
    with pytest.raises(SystemExit) as exited:
        run()
    out = capsys.readouterr().out
    assert exited.value.code == 0, out
    return out


def test_a_disabled_account_signs_in_no_more_until_enabled(
    client: TestClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sign_in(client, RITA)
    assert me(client) == 200
    operator = ACCOUNTS["operator"]
    out = _haven(monkeypatch, capsys, "user", "disable", RITA, "--as", operator)
    assert out == f"disabled {RITA}: it cannot sign in; its sessions ended\n"
    assert me(client) == 401  # the open session ended
    refused = sign_in(client, RITA)
    assert refused.status_code == 400
    assert "The user name or the password is not right." in refused.text
    assert audit(settings)[-1] == (
        "anonymous",
        "session.sign_in_failed",
        RITA,
        {"client": "testclient", "reason": "disabled"},
    )
    _haven(monkeypatch, capsys, "user", "enable", RITA, "--as", operator)
    assert sign_in(client, RITA).status_code == 303
    assert me(client) == 200
