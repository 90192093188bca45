"""The citizen's pages: the transparency register (filters, exports), "could my data be
used?" (criteria only, nothing kept, impossible inputs, rate limit), opting out online one
question per page (replay, idempotent outcomes, the pid never shown), the agent's form, and
the opt-out reaching `haven optout status`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from catalog.optout import registry
from catalog.permits import service
from cli.main import run
from common.settings import Settings
from portal.app import create_app
from tests.catalog.factories import submit
from tests.portal.conftest import ACCOUNTS, Clock, csrf_token, sign_in
from tests.portal.routes_citizen import AGENT, CITIZEN_PID, link_citizen_and_agent

REFERENCE = re.compile(r'<span class="reference">(HVN(?:-[0-9A-Z]{4}){4})</span>')
COHORT = {"age": {"min": 18, "max": 64}, "sex": ["F"], "provinces": ["10000"]}


@pytest.fixture
def register(settings: Settings) -> Settings:
    """Three applications: one approved with cohort criteria, one refused (commercial), one submitted."""
    with unit_of_work(settings) as store:
        rita, sam = store.get_user(ACCOUNTS["researcher"]), store.get_user(ACCOUNTS["steward"])
        granted = submit(
            store,
            rita,
            data_users=[rita.username],
            title="Women of working age in Antwerp",
            cohort_rules=COHORT,
        )
        service.decide(
            store,
            sam,
            granted.application_id,
            approve=True,
            reason="Minimal data.",
            now=datetime(2026, 2, 3, tzinfo=UTC),
        )
        refused = submit(
            store,
            rita,
            data_users=[rita.username],
            title="Pricing study",
            commercial=True,
            organisation={"name": "Pharma NV", "type": "company"},
        )
        service.decide(
            store,
            sam,
            refused.application_id,
            approve=False,
            reason="The purpose does not need personal data.",
            now=datetime(2026, 2, 4, tzinfo=UTC),
        )
        submit(store, rita, data_users=[rita.username], title="Still waiting")
    return settings


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 id="entry-\d+">([^<]+)</h3>', html)


def test_the_register_lists_every_application_with_its_decision_and_reasons(
    client: TestClient, register: Settings
) -> None:
    page = client.get("/register")
    assert titles(page.text) == ["Women of working age in Antwerp", "Pricing study", "Still waiting"]
    assert "Reasons: The purpose does not need personal data." in page.text
    assert "Showing 3 of 3 applications." in page.text
    assert "Yes: every opt-out in force is applied each time the permit's data are refreshed." in page.text
    assert page.text.count("Not applicable: no data were made available.") == 2
    assert page.text.count("Outputs released after checks by two stewards: 0") == 3


@pytest.mark.parametrize(
    ("lang", "criteria"),
    [
        ("en", "aged 18 to 64; Women; living in Antwerp"),
        ("nl", "van 18 tot 64 jaar oud; Vrouwen; wonend in Antwerpen"),
        ("fr", "âgées de 18 à 64 ans; Femmes; domicile : Anvers"),
    ],
)
def test_cohort_criteria_are_shown_in_the_visitors_language(
    client: TestClient, register: Settings, lang: str, criteria: str
) -> None:
    assert f"<dd>{criteria}</dd>" in client.get(f"/register?lang={lang}").text
    # The CSV export, which people open in a spreadsheet, says them in the same words.
    rows = list(csv.DictReader(io.StringIO(client.get(f"/register.csv?lang={lang}").text)))
    assert [r["cohort_summary"] for r in rows] == [criteria, "", ""]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("commercial=yes", ["Pricing study"]),
        ("commercial=no", ["Women of working age in Antwerp", "Still waiting"]),
        ("organisation_type=company", ["Pricing study"]),
        ("status=rejected", ["Pricing study"]),
        ("status=approved&dataset=claims", ["Women of working age in Antwerp"]),
        ("dataset=pharmacy", []),
        (
            "purpose=scientific_research",
            ["Women of working age in Antwerp", "Pricing study", "Still waiting"],
        ),
    ],
)
def test_register_filters_say_how_many_they_hide(
    client: TestClient, register: Settings, query: str, shown: list[str]
) -> None:
    page = client.get(f"/register?{query}")
    assert titles(page.text) == shown
    hidden = 3 - len(shown)
    if hidden:
        assert f"Applications hidden by the filters: {hidden}." in page.text
    else:
        assert "hidden by the filters" not in page.text


def test_the_register_exports_as_csv_and_json(client: TestClient, register: Settings) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/register.csv").text)))
    assert [(r["title"], r["decision"], r["commercial"], r["optouts_applied"]) for r in rows] == [
        ("Women of working age in Antwerp", "approved", "no", "all_in_force"),
        ("Pricing study", "rejected", "yes", "not_applicable"),
        ("Still waiting", "", "no", "not_applicable"),
    ]
    assert rows[0]["datasets"] == "claims: nomenclature_code, service_date"
    exported = client.get("/register.json").json()
    assert exported == client.get("/api/register").json()
    assert [(e["title"], e["released_outputs"]) for e in exported] == [
        ("Women of working age in Antwerp", 0),
        ("Pricing study", 0),
        ("Still waiting", 0),
    ]
    assert "cohort" not in exported[0] and "data_users" not in exported[0] and "applicant" not in exported[0]
    assert ACCOUNTS["researcher"] not in client.get("/register.csv").text


def test_csv_cells_never_run_as_spreadsheet_formulas(client: TestClient, settings: Settings) -> None:
    with unit_of_work(settings) as store:
        rita = store.get_user(ACCOUNTS["researcher"])
        submit(store, rita, data_users=[rita.username], title='=HYPERLINK("http://x.example","y")')
    rows = list(csv.reader(io.StringIO(client.get("/register.csv").text)))
    assert rows[1][1] == '\'=HYPERLINK("http://x.example","y")'


def ask(client: TestClient, **answers: str) -> httpx.Response:
    return client.post("/could-my-data-be-used", data={**answers, "csrf_token": csrf_token(client)})


@pytest.mark.parametrize(
    ("answers", "could"),
    [
        ({}, 1),
        ({"sex": "F", "province": "10000", "age_band": "30-44"}, 1),
        ({"sex": "M"}, 0),
        ({"province": "60000"}, 0),
        ({"age_band": "65-79"}, 0),
        ({"age_band": "0-17"}, 0),
        ({"age_band": "45-64", "sex": "F"}, 1),
    ],
)
def test_could_my_data_be_used_compares_with_the_permits_criteria(
    client: TestClient, register: Settings, answers: dict[str, str], could: int
) -> None:
    page = ask(client, **answers)
    assert page.status_code == 200
    assert (
        f"Permits that could include someone like you: {could}. Permits that could not: {1 - could}."
        in page.text
    )
    assert ("Women of working age in Antwerp" in page.text) is bool(could)


def test_impossible_answers_are_refused_field_by_field_in_the_visitors_language(client: TestClient) -> None:
    page = client.post(
        "/could-my-data-be-used?lang=fr",
        data={
            "age_band": "200-300",
            "sex": "X",
            "province": "99999",
            "csrf_token": csrf_token(client, "/?lang=fr"),
        },
    )
    assert page.status_code == 400
    for field in ("age_band", "sex", "province"):
        assert f'<a href="#{field}">' in page.text and f'id="{field}-error"' in page.text
    assert "Choisissez une des tranches d’âge proposées, ou laissez vide." in page.text
    assert "200-300" not in page.text and "99999" not in page.text


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nothing_entered_is_stored_or_logged(
    client: TestClient, register: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    database = Path(register.catalog_url.removeprefix("sqlite:///")) if register.catalog_url else None
    if database is None or not database.is_file():
        pytest.skip("the catalogue file is checked on SQLite")
    token = csrf_token(client)
    before = _digest(database)
    caplog.set_level(logging.DEBUG)
    page = client.post(
        "/could-my-data-be-used",
        data={"age_band": "45-64", "sex": "F", "province": "10000", "csrf_token": token},
    )
    assert page.status_code == 200 and "Permits that could include someone like you: 1." in page.text
    assert _digest(database) == before
    logged = caplog.text + "".join(p.read_text() for p in register.logs.glob("*.log"))
    assert "portal.request" in logged
    for value in ("45-64", "10000", "age_band", "province="):
        assert value not in logged


def test_could_my_data_be_used_is_rate_limited_per_address(register: Settings, clock: Clock) -> None:
    limited = register.model_copy(update={"portal_lookup_max_per_address": 2})
    with TestClient(create_app(limited, clock=clock)) as client:
        answers = [ask(client).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        assert "Too many requests" in ask(client).text
        clock.advance(minutes=16)
        assert ask(client).status_code == 200


def _opt(client: TestClient, action: str) -> tuple[str, str]:
    """Choose ``action``, reach the check page; returns its form key and the page."""
    chosen = client.post(
        "/opt-out/choose", data={"action": action, "csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == f"/opt-out/check?action={action}"
    check = client.get(chosen.headers["location"])
    found = re.search(r'name="form_key" value="([0-9a-f]{32})"', check.text)
    assert found is not None
    return found.group(1), check.text


def _confirm(client: TestClient, action: str, key: str) -> str:
    done = client.post(
        "/opt-out/confirm",
        data={"action": action, "form_key": key, "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/opt-out/done/HVN-")
    return done.headers["location"]


def _events(settings: Settings) -> list[tuple[str, str, str | None, str]]:
    with unit_of_work(settings) as store:
        return [(e.action.value, e.channel.value, e.agent, e.source.value) for e in store.optout_events()]


def test_a_citizen_opts_out_and_withdraws_one_question_per_page(
    client: TestClient, register: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    link_citizen_and_agent(register)
    sign_in(client, ACCOUNTS["citizen"])
    empty = client.post("/opt-out/choose?lang=nl", data={"csrf_token": csrf_token(client)})
    assert empty.status_code == 400 and '<a href="#action">' in empty.text
    assert "Kies of u zich wilt afmelden of uw afmelding wilt intrekken." in empty.text

    key, check = _opt(client, "optout")
    assert "It reaches every permit, including those in force today:" in check
    location = _confirm(client, "optout", key)
    page = client.get(location)
    reference = REFERENCE.search(page.text)
    assert reference is not None and "Opt-out recorded" in page.text
    # The same form again (double click, back button, replay): the same receipt, one event.
    assert _confirm(client, "optout", key) == location
    assert _events(register) == [("optout", "online", None, "portal")]
    # A new opt-out while one is in force records nothing and says so.
    clock.advance(minutes=5)
    again = client.get(_confirm(client, "optout", _opt(client, "optout")[0]))
    assert "The opt-out was in force already" in again.text and len(_events(register)) == 1

    clock.advance(minutes=5)
    withdrawn = client.get(_confirm(client, "withdrawal", _opt(client, "withdrawal")[0]))
    assert "Opt-out withdrawn" in withdrawn.text
    clock.advance(minutes=5)
    nothing = client.get(_confirm(client, "withdrawal", _opt(client, "withdrawal")[0]))
    assert "There was no opt-out to withdraw" in nothing.text
    assert _events(register) == [
        ("optout", "online", None, "portal"),
        ("withdrawal", "online", None, "portal"),
    ]

    status = client.get("/opt-out/status")
    assert "You have no opt-out in force" in status.text
    # A citizen's menu offers their opt-out, not the researchers' release requests.
    assert 'href="/opt-out"' in status.text and 'href="/outputs"' not in status.text
    assert re.findall(r"<td>(Opt-out|Withdrawal)</td><td>online</td>", status.text) == [
        "Opt-out",
        "Withdrawal",
    ]
    for html in (check, page.text, again.text, withdrawn.text, status.text):
        assert CITIZEN_PID not in html
    assert CITIZEN_PID not in caplog.text


def test_a_confirmation_without_the_csrf_token_records_nothing(
    client: TestClient, register: Settings
) -> None:
    link_citizen_and_agent(register)
    sign_in(client, ACCOUNTS["citizen"])
    key, _check = _opt(client, "optout")
    refused = client.post("/opt-out/confirm", data={"action": "optout", "form_key": key})
    assert refused.status_code == 403 and _events(register) == []


def test_an_agent_records_a_phone_opt_out_and_never_sees_the_pid_again(
    client: TestClient, register: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    link_citizen_and_agent(register)
    sign_in(client, AGENT)
    form = client.get("/agent/opt-out")
    key = re.search(r'name="form_key" value="([0-9a-f]{32})"', form.text)
    assert key is not None
    wrong = client.post(
        "/agent/opt-out",
        data={"pid": "TTP secret!", "action": "optout", "channel": "", "csrf_token": csrf_token(client)},
    )
    assert wrong.status_code == 400 and "TTP secret" not in wrong.text
    assert '<a href="#pid">' in wrong.text and '<a href="#channel">' in wrong.text
    form = {
        "pid": CITIZEN_PID,
        "action": "optout",
        "channel": "phone",
        "form_key": key.group(1),
        "csrf_token": csrf_token(client),
    }
    done = client.post("/agent/opt-out", data=form)
    replayed = client.post("/agent/opt-out", data=form)
    assert replayed.url == done.url and len(_events(register)) == 1
    assert done.status_code == 200 and "Opt-out recorded" in done.text and "by phone" in done.text
    assert CITIZEN_PID not in done.text and CITIZEN_PID not in caplog.text
    assert _events(register) == [("optout", "phone", AGENT, "portal")]
    # The citizen sees it in their own history.
    client.cookies.clear()
    sign_in(client, ACCOUNTS["citizen"])
    assert "<td>by phone</td>" in client.get("/opt-out/status").text


def test_an_opt_out_made_in_the_portal_counts_in_haven_optout_status(
    client: TestClient,
    register: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link_citizen_and_agent(register)
    sign_in(client, ACCOUNTS["citizen"])
    _confirm(client, "optout", _opt(client, "optout")[0])
    monkeypatch.setattr(sys, "argv", ["haven", "optout", "status", "--json"])
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["persons_opted_out"] == 1 and counts["events_by_channel"]["online"] == 1
    with unit_of_work(register) as store:
        assert set(registry.opted_out_now(store)) == {CITIZEN_PID}


def test_haven_user_add_links_a_citizen_to_its_pid(
    client: TestClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["nora@example.be", "--role", "citizen", "--pid", "TTP-nora-1", "--as", ACCOUNTS["operator"]]
    monkeypatch.setattr(sys, "argv", ["haven", "user", "add", *argv])
    with pytest.raises(SystemExit) as exited:
        run()
    out = capsys.readouterr().out
    assert exited.value.code == 0 and "created nora@example.be (citizen, linked to its person)" in out
    assert "TTP-nora-1" not in out
    with unit_of_work() as store:
        assert store.citizen_pid("nora@example.be") == "TTP-nora-1"
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "haven",
            "user",
            "add",
            "x@example.be",
            "--role",
            "researcher",
            "--pid",
            "p",
            "--as",
            ACCOUNTS["operator"],
        ],
    )
    with pytest.raises(SystemExit) as refused:
        run()
    assert refused.value.code != 0 and "only a citizen account has a pid" in capsys.readouterr().err


def test_the_accessibility_statement_names_the_deployments_own_contact(settings: Settings) -> None:
    with TestClient(
        create_app(settings.model_copy(update={"contact_email": "toegang@hda.example.be"}))
    ) as client:
        page = client.get("/accessibility?lang=nl")
    assert page.status_code == 200
    assert "toegang@hda.example.be" in page.text
    assert "accessibility@haven.example" not in page.text
