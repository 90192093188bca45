"""The account page: the signed-in user's name, roles and language (changed there, checked on
the server), and their latest notifications."""

from __future__ import annotations

from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from common.settings import Settings
from tests.portal.conftest import ACCOUNTS, csrf_token, sign_in

SAM = ACCOUNTS["steward"]


def test_the_account_shows_who_the_user_is(client: TestClient) -> None:
    sign_in(client, SAM)
    page = client.get("/account").text
    assert (
        "<dt>User name</dt><dd>sam@example.be</dd>" in page and "<dt>Roles</dt><dd>Data steward</dd>" in page
    )
    assert '<option value="en" lang="en" selected>English</option>' in page
    assert "Unread: 0 of 0." in page and '<a href="/account" aria-current="page">Your account</a>' in page


def test_the_language_is_kept_on_the_account(client: TestClient, settings: Settings) -> None:
    sign_in(client, SAM)
    token = csrf_token(client, "/account")
    for _ in range(2):  # sent twice: the same one choice
        answer = client.post(
            "/account/language", data={"language": "nl", "csrf_token": token}, follow_redirects=False
        )
        assert (answer.status_code, answer.headers["location"]) == (303, "/account?done=language")
    with unit_of_work(settings) as store:
        assert store.user_language(SAM) == "nl"
    page = client.get("/account?done=language").text
    assert '<html lang="nl">' in page and "Uw taal is opgeslagen." in page
    assert client.get("/api/me").json()["language"] == "nl"


def test_a_language_that_is_not_offered_is_refused_with_the_field_named(
    client: TestClient, settings: Settings
) -> None:
    sign_in(client, SAM)
    token = csrf_token(client, "/account")
    answer = client.post("/account/language", data={"language": "es", "csrf_token": token})
    assert answer.status_code == 400
    assert '<a href="#language">Choose one of the four languages.</a>' in answer.text
    assert 'aria-describedby="language-error" aria-invalid="true"' in answer.text
    assert (
        answer.text.startswith("<!doctype html>")
        and "<title>Error: Your account – Haven</title>" in answer.text
    )
    with unit_of_work(settings) as store:
        assert store.user_language(SAM) is None
