"""The query workbench and the airlock through the portal: suppressed cells marked and their
rules explained in the user's language, refusals with their reason, 404 for other permits,
the release form's per-field errors and one request per submission, blind two-steward review,
no self-review, download only once released, and the same audit entries as the CLI."""

from __future__ import annotations

import csv
import html
import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from catalog.airlock.releases import as_csv
from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from cli.main import run
from common.settings import Settings
from tests.portal.conftest import ACCOUNTS, PASSWORD, csrf_token, sign_in
from tests.portal.routes_spe import (  # noqa: F401 (pytest collects test_*.py only: run them here)
    test_every_workbench_route_for_every_role,
    test_the_table_lists_every_route_once,
)
from tests.portal.spe_factories import (
    BY_KIND,
    NEEDED_FOR,
    OTHER_RESEARCHER,
    SECOND_STEWARD,
    SHOWS,
    World,
    grant,
    publish_claims,
    workbench_world,
)

RITA, SAM = ACCOUNTS["researcher"], ACCOUNTS["steward"]
SMALL = "SELECT count(DISTINCT person_id) AS persons FROM claims WHERE kind = 'LAB'"
EVERYONE = "SELECT count(DISTINCT person_id) AS persons FROM claims"
ALL_BUT_LAB = "SELECT count(DISTINCT person_id) AS persons FROM claims WHERE kind <> 'LAB'"
REASON = "Counts above the threshold, no small cells."


@pytest.fixture
def world(settings: Settings) -> World:
    return workbench_world(settings)


def text_of(page: Any) -> str:
    """The page's text with entities decoded and tags and runs of blanks made single spaces."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def run_query(client: TestClient, permit: str, sql: str, lang: str = "en") -> Any:
    token = csrf_token(client, f"/workbench/{permit}")
    return client.post(f"/workbench/{permit}?lang={lang}", data={"sql": sql, "csrf_token": token})


def submission_key(page: Any) -> str:
    found = re.search(r'name="submission_key" value="([A-Za-z0-9_-]+)"', page.text)
    assert found is not None
    return found.group(1)


def file_release(client: TestClient, permit: str, sql: str = BY_KIND, **fields: str) -> Any:
    ran = run_query(client, permit, sql)
    form = {"sql": sql, "shows": SHOWS, "needed_for": NEEDED_FOR, "submission_key": submission_key(ran)}
    form.update(fields)
    return client.post(
        f"/workbench/{permit}/outputs",
        data={**form, "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def vote(client: TestClient, request_id: str, decision: str, reason: str = REASON) -> Any:
    token = csrf_token(client, f"/outputs/{request_id}")
    return client.post(
        f"/outputs/{request_id}/review",
        data={"decision": decision, "reason": reason, "csrf_token": token},
        follow_redirects=False,
    )


def request_id_of(filed: Any) -> str:
    assert filed.status_code == 303, filed.text[-2000:]
    found = re.fullmatch(r"/outputs/(out-\d{4}-[2-9a-z]{10})\?filed=1", filed.headers["location"])
    assert found is not None
    return found.group(1)


def audit(settings: Settings) -> list[Any]:
    with unit_of_work(settings) as store:
        return store.audit_entries()


@pytest.mark.parametrize(
    ("lang", "marked", "rule", "explanation"),
    [
        (
            "fr",
            "Masquée",
            "Trop peu de personnes",
            "Moins de personnes que le minimum se trouvent derrière cette cellule (ou aucune), "
            "elle pourrait donc désigner quelqu'un.",
        ),
        (
            "nl",
            "Onderdrukt",
            "Te weinig personen",
            "Achter deze cel zitten minder personen dan het minimum (of geen enkele), "
            "dus ze zou naar iemand kunnen wijzen.",
        ),
    ],
)
def test_a_small_group_is_marked_suppressed_with_its_rule_in_words(
    client: TestClient, world: World, lang: str, marked: str, rule: str, explanation: str
) -> None:
    sign_in(client, RITA)
    page = run_query(client, world.permit, SMALL, lang)
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
    # The one cell (3 persons) is replaced by words naming its rule, linked to the explanation.
    assert (
        f'<td class="suppressed"><strong>{marked}</strong> '
        f'(<a href="#rule-result-threshold">{rule}</a>)</td>' in page.text
    )
    assert f'<dt id="rule-result-threshold">{rule}</dt>' in page.text
    assert explanation in text_of(page)
    assert "<td>3</td>" not in page.text


def test_a_total_that_would_difference_an_earlier_one_is_suppressed_and_said_so(
    client: TestClient, world: World
) -> None:
    sign_in(client, RITA)
    first = run_query(client, world.permit, EVERYONE)
    assert "<td>29</td>" in first.text  # 14 + 12 + 3 persons
    second = run_query(client, world.permit, ALL_BUT_LAB, "nl")
    assert '(<a href="#rule-result-differencing">Differentiëring</a>)' in second.text
    assert (
        "Met dit totaal zou iemand de al vrijgegeven groepen kunnen aftrekken en een kleine groep "
        "personen vinden." in text_of(second)
    )
    assert "<td>26</td>" not in second.text


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        (
            "SELECT count(*) FROM claims; DROP TABLE claims",
            "Une seule instruction SELECT s'exécute à la fois : les autres instructions, et plusieurs "
            "instructions ensemble, sont refusées.",
        ),
        (
            "SELECT person_id, amount FROM claims",
            "Le contrôle de divulgation ne peut pas vérifier une requête",
        ),
        (
            "SELECT count(*) AS n FROM read_csv('/etc/passwd')",
            "Le contrôle de divulgation ne peut pas vérifier",
        ),
    ],
)
def test_a_hostile_statement_is_refused_with_its_reason(
    client: TestClient, world: World, settings: Settings, sql: str, reason: str
) -> None:
    sign_in(client, RITA)
    page = run_query(client, world.permit, sql, "fr")
    assert page.status_code == 200
    shown = text_of(page)
    assert "La requête a été refusée" in shown and reason in shown
    assert "Demander la diffusion" not in shown  # nothing to release
    assert "root:" not in page.text and "p1" not in page.text
    queried = [e for e in audit(settings) if e.action == "spe.query"]
    assert [e.details["status"] for e in queried] == ["refused"]


def test_another_permits_workbench_is_not_found(client: TestClient, world: World, settings: Settings) -> None:
    sign_in(client, RITA)
    assert client.get(f"/workbench/{world.other_permit}").status_code == 404
    assert run_query(client, world.permit, BY_KIND).status_code == 200
    token = csrf_token(client)
    posted = client.post(f"/workbench/{world.other_permit}", data={"sql": BY_KIND, "csrf_token": token})
    assert posted.status_code == 404
    assert client.get("/workbench/no-such-permit").status_code == 404
    api = client.post(
        f"/api/workbench/{world.other_permit}/query", json={"sql": BY_KIND}, headers={"x-csrf-token": token}
    )
    assert api.status_code == 404
    assert client.get(f"/api/workbench/{world.other_permit}/history").status_code == 404
    # Denied, audited as the CLI does; nothing of the other permit's data came back.
    denied = [e for e in audit(settings) if e.object_id == world.other_permit and e.actor == RITA]
    assert [(e.action, e.details["status"]) for e in denied] == [
        ("spe.schema_listed", "denied"),
        ("spe.query", "denied"),
        ("spe.query", "denied"),
    ]
    listing = client.get("/workbench")
    assert world.permit in listing.text and world.other_permit not in listing.text


def test_the_history_shows_only_the_users_own_queries(
    client: TestClient, world: World, settings: Settings
) -> None:
    shared = grant(settings, RITA, title="A shared study", data_users=[RITA, OTHER_RESEARCHER])
    publish_claims(settings, shared)
    sign_in(client, OTHER_RESEARCHER)
    run_query(client, shared, EVERYONE)
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    sign_in(client, RITA)
    page = run_query(client, shared, BY_KIND)
    mine = re.findall(r"<td><code>([0-9a-f]{12})</code></td>", page.text)
    history = client.get(f"/api/workbench/{shared}/history").json()
    assert [h["sql_sha256"][:12] for h in history] == mine
    assert len(mine) == 1 and history[0]["status"]["code"] == "ok"
    assert history[0]["rules"] == [{"code": "secondary", "label": "Secondary suppression"}]


def test_a_release_request_without_its_context_says_what_is_missing_per_field(
    client: TestClient, world: World, settings: Settings
) -> None:
    sign_in(client, RITA)
    answer = file_release(client, world.permit, shows="", needed_for="For a paper.")
    assert answer.status_code == 400
    assert '<a href="#shows">Say what this output shows.</a>' in answer.text
    assert '<a href="#needed_for">Say why this output is needed in at least 20 characters.</a>' in answer.text
    assert 'id="shows-error"' in answer.text and 'aria-invalid="true"' in answer.text
    assert "For a paper.</textarea>" in answer.text  # what was typed stays
    with unit_of_work(settings) as store:
        assert store.list_output_requests() == []
    french = client.post(
        f"/workbench/{world.permit}/outputs?lang=fr",
        data={
            "sql": BY_KIND,
            "shows": "x" * 4001,
            "needed_for": "",
            "submission_key": "k" * 32,
            "csrf_token": csrf_token(client),
        },
    )
    assert french.status_code == 400
    assert "Décrivez ce que montre ce résultat en au plus 4000 caractères." in french.text
    assert "Dites pourquoi ce résultat doit quitter l&#39;environnement sécurisé." in french.text


def test_a_double_submission_files_one_request(client: TestClient, world: World, settings: Settings) -> None:
    sign_in(client, RITA)
    ran = run_query(client, world.permit, BY_KIND)
    assert "Cells suppressed: they stay hidden in the output" in ran.text  # the verdict, before filing
    form = {
        "sql": BY_KIND,
        "shows": SHOWS,
        "needed_for": NEEDED_FOR,
        "submission_key": submission_key(ran),
        "csrf_token": csrf_token(client),
    }
    first = client.post(f"/workbench/{world.permit}/outputs", data=form, follow_redirects=False)
    again = client.post(f"/workbench/{world.permit}/outputs", data=form, follow_redirects=False)
    assert request_id_of(first) == request_id_of(again)
    with unit_of_work(settings) as store:
        assert [r.request_id for r in store.list_output_requests()] == [request_id_of(first)]
    actions = [e.action for e in audit(settings) if e.actor == RITA]
    assert actions.count("output.requested") == 1
    assert actions.count("spe.query") == 2  # the run, then the filing; the second submission ran nothing
    # A fresh page gives a fresh key: a new submission is a new request.
    assert submission_key(run_query(client, world.permit, BY_KIND)) != form["submission_key"]


def test_the_api_files_once_per_idempotency_key(client: TestClient, world: World) -> None:
    sign_in(client, RITA)
    token = client.get("/api/me").json()["csrf_token"]
    body = {"sql": BY_KIND, "shows": SHOWS, "needed_for": NEEDED_FOR}
    headers = {"x-csrf-token": token, "idempotency-key": "a" * 24}
    first = client.post(f"/api/workbench/{world.permit}/outputs", json=body, headers=headers)
    again = client.post(f"/api/workbench/{world.permit}/outputs", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["state"] == {"code": "submitted", "label": "Waiting for review"}
    missing = client.post(
        f"/api/workbench/{world.permit}/outputs?lang=de",
        json={**body, "shows": ""},
        headers={"x-csrf-token": token},
    )
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "shows", "message": "Sagen Sie, was diese Ausgabe zeigt."}]
    assert [o["id"] for o in client.get("/api/outputs").json()] == [first.json()["id"]]


def test_two_stewards_review_blind_and_the_second_vote_decides(
    client: TestClient, world: World, settings: Settings
) -> None:
    sign_in(client, RITA)
    request_id = request_id_of(file_release(client, world.permit))
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})

    sign_in(client, SAM)
    queue = client.get("/airlock")
    assert f'<a href="/outputs/{request_id}">{request_id}</a>' in queue.text and "To review" in queue.text
    assert vote(client, request_id, "approve", "Counts well above ten.").status_code == 303
    mine = text_of(client.get(f"/outputs/{request_id}"))
    assert "Counts well above ten." in mine and "You have voted on this request." in mine
    later = client.get("/airlock")
    assert "Showing 0 of 1 requests." in text_of(later)
    assert "This filter does not show: you have voted on: 1." in text_of(later)
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})

    sign_in(client, SECOND_STEWARD)
    before = client.get(f"/outputs/{request_id}")
    shown = text_of(before)
    # Blind: the second steward sees that one vote is cast, never how or why.
    assert "1 of 2" in shown and "Counts well above ten." not in shown and SAM not in shown
    assert "Under review" in shown and "Record my vote" in shown
    assert SHOWS in shown and NEEDED_FOR in shown and BY_KIND in html.unescape(before.text)
    assert "claims@0" in shown and "Cells suppressed: they stay hidden in the output" in shown
    api_before = client.get(f"/api/outputs/{request_id}").json()
    assert (api_before["votes_cast"], api_before["reviews"], api_before["may_review"]) == (1, [], True)
    no_reason = vote(client, request_id, "approve", "ok")
    assert no_reason.status_code == 400
    assert '<a href="#reason">Give a reason of at least 10 characters.</a>' in no_reason.text
    assert vote(client, request_id, "approve", "Aggregates only, safe to release.").status_code == 303
    after = text_of(client.get(f"/outputs/{request_id}"))
    assert "Released" in after and "Counts well above ten." in after and SAM in after
    assert "Disclosure control ran again before release and gave the same table." in after
    decided = client.get(f"/api/outputs/{request_id}").json()
    assert [(r["reviewer"], r["vote"]["code"]) for r in decided["reviews"]] == [
        (SAM, "approve"),
        (SECOND_STEWARD, "approve"),
    ]
    assert decided["release_check"]["status"]["code"] == "pass"


def test_the_author_cannot_review_and_is_told_why(client: TestClient, settings: Settings) -> None:
    stella = "stella@example.be"  # a steward who is also a researcher, and the permit's data user
    with unit_of_work(settings) as store:
        users.create_user(store, store.get_user("system"), stella, {Role.STEWARD, Role.RESEARCHER}, PASSWORD)
    permit = grant(settings, stella, title="A steward's own study")
    publish_claims(settings, permit)
    sign_in(client, stella)
    request_id = request_id_of(file_release(client, permit))
    page = client.get(f"/outputs/{request_id}")
    assert "You wrote this request: its author may never review it." in text_of(page)
    assert "Record my vote" not in page.text
    refused = vote(client, request_id, "approve")
    assert refused.status_code == 403
    assert "You wrote this request: its author may never review it." in text_of(refused)
    api = client.post(
        f"/api/outputs/{request_id}/reviews?lang=nl",
        json={"approve": True, "reason": REASON},
        headers={"x-csrf-token": csrf_token(client)},
    )
    assert api.status_code == 403
    assert api.json() == {"detail": "U hebt dit verzoek opgesteld: de auteur mag het nooit beoordelen."}
    with unit_of_work(settings) as store:
        assert store.output_reviews(request_id) == []
    queue = text_of(client.get("/airlock"))
    assert "Showing 0 of 1 requests." in queue and "you may not review, as their author: 1" in queue


def test_download_only_after_release_and_the_file_is_the_released_table(
    client: TestClient,
    world: World,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in(client, RITA)
    request_id = request_id_of(file_release(client, world.permit))
    assert client.get(f"/outputs/{request_id}/download").status_code == 403
    assert client.get(f"/api/outputs/{request_id}/released").status_code == 403
    assert "Download the released output" not in client.get(f"/outputs/{request_id}").text
    for steward in (SAM, SECOND_STEWARD):
        cli(
            capsys,
            monkeypatch,
            "output",
            "review",
            request_id,
            "--approve",
            "--reason",
            REASON,
            "--as",
            steward,
        )
    page = client.get(f"/outputs/{request_id}")
    assert f'href="/outputs/{request_id}/download"' in page.text
    got = client.get(f"/outputs/{request_id}/download")
    assert got.status_code == 200 and got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["content-disposition"] == f'attachment; filename="{request_id}.csv"'
    assert list(csv.reader(io.StringIO(got.text))) == [["kind", "persons"], ["GP", "14"], ["SPEC", ""]]
    with unit_of_work(settings) as store:
        released = store.get_output_request(request_id)
    assert got.text == as_csv(released.result)
    saved = tmp_path / "released.csv"
    cli(capsys, monkeypatch, "output", "get", request_id, "--as", RITA, "--out", str(saved))
    assert saved.read_bytes() == got.content  # the same file as `haven output get`
    assert client.get(f"/api/outputs/{request_id}/released").json()["rows"] == [["GP", 14], ["SPEC", None]]
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    sign_in(client, SAM)  # a steward reviews outputs but never downloads them
    assert client.get(f"/outputs/{request_id}/download").status_code == 403
    downloads = [e for e in audit(settings) if e.action == "output.downloaded"]
    assert [e.actor for e in downloads] == [RITA, RITA, RITA]


def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str) -> str:
    """Run a `haven` command in-process, as an operator at the shell would; its stdout."""
    monkeypatch.setattr(sys, "argv", ["haven", *argv])
    with pytest.raises(SystemExit) as exited:
        run()
    out = capsys.readouterr()
    assert exited.value.code in (0, None), out.err
    return out.out


def _comparable(entries: list[Any], ids: dict[str, str]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Entries with the request ids named by role, so two flows' entries compare."""
    return [
        (e.actor, e.action, ids.get(e.object_id, e.object_id), e.details)
        for e in entries
        if e.action.startswith(("spe.query", "output."))
    ]


def test_the_portal_writes_the_same_audit_entries_as_the_cli(
    client: TestClient,
    world: World,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def steps(seen: int) -> list[Any]:
        return audit(settings)[seen:]

    start = len(audit(settings))
    cli(capsys, monkeypatch, "query", "--permit", world.permit, "--as", RITA, BY_KIND)
    out = cli(
        capsys,
        monkeypatch,
        "output",
        "request",
        "--permit",
        world.permit,
        "--as",
        RITA,
        "--shows",
        SHOWS,
        "--why",
        NEEDED_FOR,
        BY_KIND,
    )
    by_cli = re.search(r"(out-\d{4}-[2-9a-z]{10}) submitted", out)
    assert by_cli is not None
    for steward in (SAM, SECOND_STEWARD):
        cli(
            capsys,
            monkeypatch,
            "output",
            "review",
            by_cli.group(1),
            "--approve",
            "--reason",
            REASON,
            "--as",
            steward,
        )
    cli(capsys, monkeypatch, "output", "get", by_cli.group(1), "--as", RITA)
    from_cli = steps(start)

    middle = len(audit(settings))
    sign_in(client, RITA)
    by_portal = request_id_of(file_release(client, world.permit))
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    for steward in (SAM, SECOND_STEWARD):
        sign_in(client, steward)
        assert vote(client, by_portal, "approve").status_code == 303
        client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    sign_in(client, RITA)
    assert client.get(f"/outputs/{by_portal}/download").status_code == 200
    from_portal = steps(middle)

    # Each workbench page also lists the permit's tables (spe.schema_listed, as `haven schema`):
    # the editor's page, then the result's.
    assert [e.action for e in from_portal].count("spe.schema_listed") == 2
    assert _comparable(from_cli, {by_cli.group(1): "request"}) == _comparable(
        from_portal, {by_portal: "request"}
    )
    assert [e.action for e in _comparable_entries(from_cli)] == [
        "spe.query",
        "spe.query",
        "output.requested",
        "output.vote_recorded",
        "output.review_started",
        "output.vote_recorded",
        "output.release_checked",
        "output.released",
        "output.downloaded",
    ]


def _comparable_entries(entries: list[Any]) -> list[Any]:
    return [e for e in entries if e.action.startswith(("spe.query", "output."))]
