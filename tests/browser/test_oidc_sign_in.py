"""Sign-in through an OpenID Connect issuer in a real browser: chromium follows the portal to
the local test issuer (``tests/portal/oidc_issuer.py``) and back, and lands signed in. The
sign-in page with its issuer button, the home page signed in, and the refusal page are
checked by axe-core."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from common.settings import Settings, get_settings, reset_settings
from portal.app import create_app
from portal.auth.oidc import OidcClient
from tests.browser.accessibility import assert_accessible
from tests.browser.live_server import LiveServer
from tests.portal.oidc_issuer import CLIENT_ID, CLIENT_SECRET, Issuer, running_issuer

pytestmark = pytest.mark.browser

RITA = "rita@example.be"


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as running:
        yield running


@pytest.fixture
def portal(
    haven_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    live_server: Callable[[Any], LiveServer],
    issuer: Issuer,
) -> LiveServer:
    """The portal of a fresh instance with Rita's account (no password: she never chose one),
    signing in through the test issuer, served on loopback."""
    monkeypatch.setenv("HAVEN_CATALOG_URL", f"sqlite:///{haven_home / 'catalog.db'}")
    reset_settings()
    haven_home.mkdir(parents=True, exist_ok=True)
    secret = haven_home / "oidc-client-secret"
    secret.write_text(CLIENT_SECRET)
    settings: Settings = get_settings().model_copy(
        update={"oidc_issuer": issuer.url, "oidc_client_id": CLIENT_ID, "oidc_client_secret_file": secret}
    )
    with unit_of_work(settings) as store:
        users.create_user(store, store.get_user("system"), RITA, {Role.RESEARCHER})
    app = create_app(settings)
    server = live_server(app)
    # The callback address the issuer sends the browser back to is the portal's own URL, known
    # only once the server listens on its port.
    served = settings.model_copy(update={"portal_url": server.url})
    state = app.state.portal
    app.state.portal = dataclasses.replace(state, settings=served, oidc=OidcClient(served, clock=state.clock))
    return server


def test_a_researcher_signs_in_through_her_organisation(page: Page, portal: LiveServer) -> None:
    page.goto(portal("/sign-in?next=/datasets"))
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("organisation's account")).click()
    expect(page.get_by_text(f"Signed in as {RITA}")).to_be_visible()
    assert page.url == portal("/datasets")
    page.goto(portal("/"))
    expect(page.get_by_text(f"Signed in as {RITA}")).to_be_visible()
    assert_accessible(page)


def test_someone_without_an_account_is_told_to_ask_an_operator(
    page: Page, portal: LiveServer, issuer: Issuer
) -> None:
    issuer.behaviour.email = "stranger@example.org"
    page.goto(portal("/sign-in"))
    page.get_by_role("link", name=re.compile("organisation's account")).click()
    expect(page.get_by_role("heading", name="No Haven account for this identity")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
