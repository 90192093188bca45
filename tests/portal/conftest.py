"""Portal fixtures: a fresh instance (SQLite, and PostgreSQL where a test server answers),
the lake's datasets described, one account per role with a password, a clock the test moves,
and a TestClient over ``create_app``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from common.settings import Settings, get_settings
from portal.app import create_app
from tests.catalog.factories import describe_lake
from tests.catalog.fixtures import catalog_url

__all__ = ["catalog_url"]

PASSWORD = "correct horse battery staple"
# One account per role, named as people sign in: by email address.
ACCOUNTS = {
    "researcher": "rita@example.be",
    "steward": "sam@example.be",
    "policy_analyst": "ana@example.be",
    "operator": "otto@example.be",
    "citizen": "cito@example.be",
}
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@dataclass
class Clock:
    """The portal's clock in tests: time moves only when the test says so."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small costs: same code path, a fraction of the time per hash."""
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def settings(catalog_url: str) -> Settings:
    """The instance: every dataset of the lake described, one account per role."""
    settings = get_settings()
    with unit_of_work(settings) as store:
        describe_lake(store)
        for role, username in ACCOUNTS.items():
            users.create_user(store, store.get_user("system"), username, {Role(role)}, PASSWORD)
    return settings


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(settings: Settings, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def csrf_token(client: TestClient, path: str = "/") -> str:
    """The CSRF token the page at ``path`` gives this client's forms."""
    found = CSRF.search(client.get(path).text)
    assert found is not None, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next_page: str = "/") -> object:
    """Sign in through the form, as a browser would; returns the response (not followed)."""
    token = csrf_token(client, "/sign-in")
    return client.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": token, "next": next_page},
        follow_redirects=False,
    )


def plant_session(client: TestClient, value: str) -> None:
    """Put ``value`` in the browser's session cookie, as an attacker or an old tab would."""
    client.cookies.delete("haven_session")
    client.cookies.set("haven_session", value, domain="testserver.local", path="/")
