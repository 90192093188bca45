"""CSRF on every state-changing request, and the one-time set-password link from
`haven user add` (run in-process) to a working sign-in."""

from __future__ import annotations

import re
import sys

import pytest
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from cli.main import run
from common.settings import Settings
from portal.app import create_app
from tests.portal.conftest import ACCOUNTS, Clock, csrf_token, sign_in
from tests.portal.test_routes import area_routes

NEW_PASSWORD = "a long and fresh passphrase"


def sample(path: str) -> str:
    """``path`` with a sample value for each of its parameters."""
    return re.sub(r"\{(\w+)\}", lambda m: "some-secret" if m.group(1) == "secret" else "some-id", path)


def unsafe_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) of the app that changes state, with sample path values."""
    found = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        for method in sorted(getattr(route, "methods", None) or ()):
            if method not in {"GET", "HEAD", "OPTIONS"}:
                found.append((method, sample(route.path)))
    return found


@pytest.mark.parametrize("token", [None, "0" * 64, "other visitor"])
def test_every_state_changing_request_without_the_visitors_token_is_refused(
    client: TestClient, settings: object, clock: Clock, token: str | None
) -> None:
    sign_in(client, ACCOUNTS["researcher"])
    if token == "other visitor":
        with TestClient(create_app(settings, clock=clock)) as other:  # type: ignore[arg-type]
            token = csrf_token(other)
    routes = unsafe_routes(client)
    areas = [(method, sample(route)) for method, route in area_routes() if method not in {"GET", "HEAD"}]
    assert sorted(routes) == sorted(
        [
            ("POST", "/language"),
            ("POST", "/set-password/some-secret"),
            ("POST", "/sign-in"),
            ("POST", "/sign-out"),
            ("PUT", "/api/me/language"),
            *areas,
        ]
    )
    for method, path in routes:
        form = {"csrf_token": token} if token else {}
        headers = {"x-csrf-token": token} if token else {}
        answer = client.request(method, path, data=form, headers=headers)
        assert answer.status_code == 403, (method, path)
        if path.startswith("/api/"):
            assert answer.json() == {
                "detail": "For your security the form could not be accepted. "
                "Go back, reload the page and send it again."
            }
        else:
            assert "This form has expired" in answer.text
    assert client.get("/api/me").status_code == 200  # nothing was signed out


def test_the_api_takes_the_token_in_a_header(client: TestClient) -> None:
    sign_in(client, ACCOUNTS["researcher"])
    token = client.get("/api/me").json()["csrf_token"]
    changed = client.put("/api/me/language", json={"language": "nl"}, headers={"x-csrf-token": token})
    assert changed.status_code == 200 and changed.json()["language"] == "nl"
    assert client.get("/api/me").json()["roles"] == [{"code": "researcher", "label": "Onderzoeker"}]


def add_user(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str) -> str:
    """Run `haven user add` in-process and return its link's path."""
    monkeypatch.setattr(sys, "argv", ["haven", "user", "add", *argv])
    with pytest.raises(SystemExit) as exited:
        run()
    out, err = capsys.readouterr()
    assert exited.value.code == 0, out + err
    found = re.search(r"^  http://127\.0\.0\.1:8080(/set-password/[A-Za-z0-9_-]{43})$", out, re.M)
    assert found is not None, out
    return found.group(1)


def test_a_new_account_sets_its_password_once_through_the_printed_link(
    client: TestClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    link = add_user(
        capsys, monkeypatch, "nora@example.be", "--role", "researcher", "--as", ACCOUNTS["operator"]
    )
    form = client.get(link)
    assert form.status_code == 200 and "For the account nora@example.be." in form.text
    token = csrf_token(client, link)
    mismatch = client.post(
        link, data={"password": NEW_PASSWORD, "confirm": "something else", "csrf_token": token}
    )
    assert mismatch.status_code == 400
    assert '<a href="#confirm">The two passwords are not the same.</a>' in mismatch.text
    short = client.post(link, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert '<a href="#password">Choose a password of at least 12 characters.</a>' in short.text
    done = client.post(
        link,
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/sign-in?done=password"
    assert "Your password is set. Sign in with it now." in client.get("/sign-in?done=password").text
    assert sign_in(client, "nora@example.be", NEW_PASSWORD).status_code == 303
    for again in (
        client.get(link),
        client.post(
            link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(client)}
        ),
    ):
        assert again.status_code == 410 and "This link cannot be used" in again.text


def test_a_link_expires(
    client: TestClient, clock: Clock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI issues links on the wall clock; the portal's clock is moved past their expiry.
    from datetime import UTC, datetime

    link = add_user(capsys, monkeypatch, "nora@example.be", "--role", "citizen", "--as", ACCOUNTS["operator"])
    clock.now = datetime.now(UTC)
    clock.advance(hours=71, minutes=59)
    assert client.get(link).status_code == 200
    clock.advance(minutes=2)
    assert client.get(link).status_code == 410


def test_only_operators_add_users(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    monkeypatch.setattr(
        sys,
        "argv",
        ["haven", "user", "add", "x@example.be", "--role", "citizen", "--as", ACCOUNTS["steward"]],
    )
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 1
    assert "may not manage_users: needs role operator" in capsys.readouterr().err


def test_an_account_gets_its_organisation_and_markup_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    add_user(
        capsys,
        monkeypatch,
        "lea@example.be",
        "--role",
        "policy_analyst",
        "--organisation",
        "  FOD Volksgezondheid /\tSPF Santé  publique ",
        "--as",
        ACCOUNTS["operator"],
    )
    with unit_of_work(settings) as store:
        assert store.get_user("lea@example.be").organisation == "FOD Volksgezondheid / SPF Santé publique"
        (created,) = [e for e in store.audit_entries() if e.action == "user.created"][-1:]
        # The audit trail takes identifiers only, never free text such as a name.
        assert created.details == {"roles": ["policy_analyst"]}
    for bad in ("<script>alert(1)</script>", "", "x" * 301):
        command = ["user", "add", "max@example.be", "--role", "policy_analyst", "--organisation", bad]
        monkeypatch.setattr(sys, "argv", ["haven", *command, "--as", ACCOUNTS["operator"]])
        with pytest.raises(SystemExit) as exited:
            run()
        assert exited.value.code == 2
        assert "must be a name of 1 to 300 letters" in capsys.readouterr().err
    with unit_of_work(settings) as store:
        assert store.find_user("max@example.be") is None
