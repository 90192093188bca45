"""Sign-in through an OpenID Connect issuer: the flow against a real local issuer
(``tests/portal/oidc_issuer.py``), the account mapping, and each refusal."""

from __future__ import annotations

import html
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from common.errors import ConfigError
from common.settings import Settings
from portal.app import create_app
from tests.portal.conftest import ACCOUNTS, Clock, csrf_token, plant_session
from tests.portal.oidc_issuer import CLIENT_ID, CLIENT_SECRET, Issuer, running_issuer

RITA = ACCOUNTS["researcher"]


@pytest.fixture
def issuer(clock: Clock) -> Iterator[Issuer]:
    with running_issuer(clock) as running:
        yield running


def configured(settings: Settings, issuer_url: str, tmp_path: Path, **more: Any) -> Settings:
    """``settings`` with the issuer configured and the client secret in an owner-only file."""
    secret = tmp_path / "oidc-client-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    secret.chmod(0o600)
    update = {
        "oidc_issuer": issuer_url,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret_file": secret,
        **more,
    }
    return settings.model_copy(update=update)


@pytest.fixture
def oidc_settings(settings: Settings, issuer: Issuer, tmp_path: Path) -> Settings:
    return configured(settings, issuer.url, tmp_path)


@pytest.fixture
def client(oidc_settings: Settings, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(oidc_settings, clock=clock)) as test_client:
        yield test_client


def to_issuer(client: TestClient, next_page: str = "/") -> str:
    """Start the sign-in; the authorization URL the portal sends the browser to."""
    start = client.get("/sign-in/oidc", params={"next": next_page}, follow_redirects=False)
    assert start.status_code == 303, start.text[:300]
    return start.headers["location"]


def back_from_issuer(authorization_url: str) -> str:
    """What the issuer answers the browser: the portal's callback path and query."""
    answer = httpx.get(authorization_url, follow_redirects=False)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["location"])
    assert callback.path == "/sign-in/oidc/callback"
    return f"{callback.path}?{callback.query}"


def through_issuer(client: TestClient, next_page: str = "/") -> httpx.Response:
    """The whole flow as a browser follows it; the callback's answer (not followed)."""
    return client.get(back_from_issuer(to_issuer(client, next_page)), follow_redirects=False)


def audit(settings: Settings) -> list[tuple[str, str, str, dict[str, object]]]:
    with unit_of_work(settings) as store:
        entries = store.audit_entries()
    return [
        (e.actor, e.action, e.object_id, e.details)
        for e in entries
        if e.action.startswith(("session.", "user.identity"))
    ]


def linked(settings: Settings, issuer: Issuer, subject: str) -> str | None:
    with unit_of_work(settings) as store:
        return store.find_identity(issuer.url, subject)


def test_the_authorization_request_carries_pkce_state_and_nonce_and_no_secret(
    client: TestClient, issuer: Issuer
) -> None:
    url = urlsplit(to_issuer(client, "/datasets"))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{issuer.url}/authorize"
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["scope"] == "openid email"
    assert query["redirect_uri"] == "http://127.0.0.1:8080/sign-in/oidc/callback"
    assert len(query["state"]) >= 30 and len(query["nonce"]) >= 30 and query["state"] != query["nonce"]
    assert "code_verifier" not in query and CLIENT_SECRET not in url.query


def test_a_first_sign_in_links_the_verified_email_and_opens_a_session(
    client: TestClient, oidc_settings: Settings, issuer: Issuer
) -> None:
    assert client.get("/api/me").status_code == 401
    answer = through_issuer(client, "/datasets")
    assert answer.status_code == 303 and answer.headers["location"] == "/datasets"
    assert client.get("/api/me").json()["username"] == RITA
    assert f"Signed in as {RITA}" in client.get("/").text
    assert linked(oidc_settings, issuer, "subject-0001") == RITA
    assert audit(oidc_settings) == [
        (RITA, "user.identity_linked", RITA, {"method": "oidc", "issuer": issuer.url}),
        (RITA, "session.signed_in", RITA, {"client": "testclient", "method": "oidc"}),
    ]


def test_once_linked_the_subject_alone_finds_the_account(
    client: TestClient, oidc_settings: Settings, issuer: Issuer
) -> None:
    through_issuer(client)
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    assert client.get("/api/me").status_code == 401
    issuer.behaviour.email, issuer.behaviour.email_verified = "someone.else@example.org", False
    assert through_issuer(client).status_code == 303
    assert client.get("/api/me").json()["username"] == RITA


def test_the_sign_in_page_offers_the_issuer_only_when_configured(
    client: TestClient, settings: Settings, clock: Clock
) -> None:
    link = 'href="/sign-in/oidc?next=%2Fdatasets"'
    assert link in client.get("/sign-in?next=/datasets").text
    with TestClient(create_app(settings, clock=clock)) as without:
        assert link not in without.get("/sign-in?next=/datasets").text
        assert without.get("/sign-in/oidc", follow_redirects=False).status_code == 404
        assert without.get("/sign-in/oidc/callback?code=x&state=y").status_code == 404


def test_a_new_session_id_and_the_same_cookie_flags_as_the_password(client: TestClient) -> None:
    plant_session(client, "planted-by-someone-else")
    answer = through_issuer(client)
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("haven_session="))
    secret = cookie.split(";")[0].split("=", 1)[1]
    assert secret != "planted-by-someone-else" and len(secret) >= 43
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags


@pytest.mark.parametrize(
    ("email", "verified"),
    [("nobody@example.be", True), (RITA, False), (None, False), ("system", True)],
    ids=["unknown email", "unverified email", "no email", "the platform's own account"],
)
def test_an_identity_without_an_account_is_refused_and_audited_without_naming_it(
    client: TestClient,
    oidc_settings: Settings,
    issuer: Issuer,
    caplog: pytest.LogCaptureFixture,
    email: str | None,
    verified: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    issuer.behaviour.subject, issuer.behaviour.email = "subject-without-account", email
    issuer.behaviour.email_verified = verified
    answer = through_issuer(client)
    assert answer.status_code == 403
    assert "No Haven account for this identity" in answer.text
    assert "Ask an operator of the platform to create your account." in answer.text
    assert client.get("/api/me").status_code == 401
    assert linked(oidc_settings, issuer, "subject-without-account") is None
    entries = audit(oidc_settings)
    assert entries == [
        (
            "anonymous",
            "session.sign_in_failed",
            "unknown",
            {"client": "testclient", "method": "oidc", "reason": "no_account"},
        )
    ]
    for text in (str(entries), caplog.text, answer.text):
        assert "subject-without-account" not in text
        assert "nobody@example.be" not in text


def test_an_account_linked_to_one_subject_refuses_another_with_its_email(
    client: TestClient, oidc_settings: Settings, issuer: Issuer
) -> None:
    through_issuer(client)
    issuer.behaviour.subject = "subject-0002"  # the issuer gave Rita's email to someone else
    with TestClient(client.app) as other:
        assert through_issuer(other).status_code == 403
    assert linked(oidc_settings, issuer, "subject-0002") is None


def test_a_disabled_account_cannot_sign_in_through_the_issuer(
    client: TestClient, oidc_settings: Settings, issuer: Issuer
) -> None:
    from catalog.people import users

    with unit_of_work(oidc_settings) as store:
        users.disable(store, store.get_user(ACCOUNTS["operator"]), RITA, now=datetime.now(UTC))
    answer = through_issuer(client)
    assert answer.status_code == 403 and "This account cannot sign in to the portal." in answer.text
    assert client.get("/api/me").status_code == 401
    assert audit(oidc_settings)[-1][3] == {"client": "testclient", "method": "oidc", "reason": "disabled"}


@pytest.mark.parametrize(
    ("misbehaviour", "value"),
    [("wrong_key", True), ("audience", "another-client"), ("nonce", "another-nonce"), ("lifetime_s", -120)],
    ids=["wrong signature", "wrong audience", "wrong nonce", "expired"],
)
def test_an_id_token_failing_a_check_is_refused(
    client: TestClient,
    oidc_settings: Settings,
    issuer: Issuer,
    caplog: pytest.LogCaptureFixture,
    misbehaviour: str,
    value: object,
) -> None:
    caplog.set_level(logging.DEBUG)
    setattr(issuer.behaviour, misbehaviour, value)
    answer = through_issuer(client)
    assert answer.status_code == 400
    assert "The sign-in could not be verified" in answer.text
    assert "Traceback" not in answer.text and "eyJ" not in answer.text
    assert "eyJ" not in caplog.text  # no token (a JWT starts so) in any log
    assert client.get("/api/me").status_code == 401
    assert linked(oidc_settings, issuer, "subject-0001") is None
    assert audit(oidc_settings)[-1][3] == {
        "client": "testclient",
        "method": "oidc",
        "reason": "invalid_token",
    }


def test_the_issuer_refusing_access_gives_a_translated_page(
    client: TestClient, oidc_settings: Settings, issuer: Issuer
) -> None:
    issuer.behaviour.deny = True
    client.cookies.set("haven_lang", "fr", domain="testserver.local", path="/")
    answer = through_issuer(client)
    assert answer.status_code == 403
    assert "Le fournisseur d'identité ne vous a pas connecté" in html.unescape(answer.text)
    assert issuer.token_requests == 0
    assert audit(oidc_settings)[-1][3]["reason"] == "denied"


def test_a_callback_works_once_and_only_in_the_browser_that_started_it(
    client: TestClient, issuer: Issuer
) -> None:
    callback = back_from_issuer(to_issuer(client))
    with TestClient(client.app) as other_browser:
        stolen = other_browser.get(callback, follow_redirects=False)
        assert stolen.status_code == 400 and "This sign-in has expired" in stolen.text
        assert other_browser.get("/api/me").status_code == 401
    # The state was taken out by the attempt: the rightful browser must start again too.
    assert client.get(callback, follow_redirects=False).status_code == 400
    callback = back_from_issuer(to_issuer(client))
    assert client.get(callback, follow_redirects=False).status_code == 303
    replayed = client.get(callback, follow_redirects=False)
    assert replayed.status_code == 400 and "This sign-in has expired" in replayed.text
    assert issuer.token_requests == 1  # a replay never reaches the token endpoint


def test_an_unknown_or_expired_state_is_refused(client: TestClient, clock: Clock) -> None:
    assert client.get("/sign-in/oidc/callback?code=abc&state=made-up").status_code == 400
    assert client.get("/sign-in/oidc/callback").status_code == 400
    callback = back_from_issuer(to_issuer(client))
    clock.advance(minutes=11)
    answer = client.get(callback, follow_redirects=False)
    assert answer.status_code == 400 and "This sign-in has expired" in answer.text


def test_a_code_the_token_endpoint_refuses(client: TestClient, issuer: Issuer) -> None:
    callback = back_from_issuer(to_issuer(client))
    issuer.codes.clear()  # the code expired at the issuer
    answer = client.get(callback, follow_redirects=False)
    assert answer.status_code == 400 and "The sign-in could not be completed" in answer.text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_or_impostor_issuer_gives_a_page_not_a_trace(
    settings: Settings, issuer: Issuer, clock: Clock, tmp_path: Path
) -> None:
    down = configured(settings, f"http://127.0.0.1:{_closed_port()}", tmp_path)
    with TestClient(create_app(down, clock=clock)) as client:
        answer = client.get("/sign-in/oidc", follow_redirects=False)
        assert answer.status_code == 502 and "The identity provider did not answer" in answer.text
        assert "Traceback" not in answer.text
    issuer.behaviour.discovery_issuer = "http://127.0.0.1:1/someone-else"
    with TestClient(create_app(configured(settings, issuer.url, tmp_path), clock=clock)) as client:
        assert client.get("/sign-in/oidc", follow_redirects=False).status_code == 502


def test_failed_callbacks_hold_the_address(
    settings: Settings, issuer: Issuer, clock: Clock, tmp_path: Path
) -> None:
    held = configured(settings, issuer.url, tmp_path, portal_signin_max_per_address=2)
    with TestClient(create_app(held, clock=clock)) as client:
        for _ in range(2):
            assert client.get("/sign-in/oidc/callback?state=guess&code=x").status_code == 400
        answer = client.get("/sign-in/oidc", follow_redirects=False)
        assert answer.status_code == 429 and "Wait 15 minutes" in answer.text
        assert client.get("/sign-in/oidc/callback?state=guess&code=x").status_code == 429
        clock.advance(minutes=15)
        assert through_issuer(client).status_code == 303
    assert audit(held)[2][3] == {"client": "testclient", "method": "oidc", "reason": "throttled"}


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"oidc_issuer": "http://idp.example.org"}, "must use https"),
        ({"oidc_issuer": "https://idp.example.org/?tenant=1"}, "no query"),
        ({"oidc_client_id": None}, "HAVEN_OIDC_CLIENT_ID is required"),
        ({"oidc_client_secret_file": None}, "HAVEN_OIDC_CLIENT_SECRET_FILE is required"),
        ({"oidc_scopes": "email profile"}, "must contain openid"),
    ],
)
def test_settings_refuse_an_unsafe_or_half_configuration(
    tmp_path: Path, update: dict[str, Any], message: str
) -> None:
    secret = tmp_path / "secret"
    secret.write_text(CLIENT_SECRET)
    values: dict[str, Any] = {
        "home": tmp_path,
        "oidc_issuer": "https://idp.example.org/realms/haven",
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret_file": secret,
    }
    assert Settings(**values).oidc_enabled
    with pytest.raises(ValueError, match=message):
        Settings(**(values | update))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.0.0.2"])
def test_plain_http_only_on_loopback(tmp_path: Path, host: str) -> None:
    settings = Settings(
        home=tmp_path,
        oidc_issuer=f"http://{host}:9000",
        oidc_client_id=CLIENT_ID,
        oidc_client_secret_file=tmp_path / "secret",
    )
    assert settings.oidc_issuer == f"http://{host}:9000"


def test_the_portal_does_not_start_without_its_client_secret(
    settings: Settings, issuer: Issuer, clock: Clock, tmp_path: Path
) -> None:
    broken = configured(settings, issuer.url, tmp_path)
    assert broken.oidc_client_secret_file is not None
    broken.oidc_client_secret_file.write_text("  \n")
    with pytest.raises(ConfigError, match="is empty"):
        create_app(broken, clock=clock)
    broken.oidc_client_secret_file.unlink()
    with pytest.raises(ConfigError, match="cannot be read") as raised:
        create_app(broken, clock=clock)
    assert CLIENT_SECRET not in str(raised.value)
