"""`haven output` through the real command: request, blind review by two stewards, download."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from catalog.db.engine import close_all, open_catalog
from catalog.db.store import SqlStore
from catalog.demo import DEMO_PERMIT_ID, RESEARCHER, STEWARD
from catalog.people import users
from catalog.people.domain import SYSTEM, Role
from common.layout import LakeLayout
from common.settings import get_settings
from tests.catalog.test_cli_catalog import haven
from tests.spe.factories import persons, write_rows

# Every test here works on the demonstration (demo users, the lake's datasets described, the demo permit).
pytestmark = pytest.mark.usefixtures("demo")

SQL = "SELECT kind, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind ORDER BY kind"
SECOND = "steward2@demo"
CONTEXT = ("--shows", "Persons per kind of claim in 2025.", "--why", "Table 1 of the demonstration report.")


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
def test_request_review_and_download(catalog_url: str, tmp_path: Path) -> None:
    with open_catalog().session() as session:
        users.create_user(SqlStore(session), SYSTEM, SECOND, {Role.STEWARD})
    close_all()
    table = LakeLayout(get_settings().lake).permit_table(DEMO_PERMIT_ID, "claims")
    write_rows(table, persons("GP", 14) + persons("SPEC", 12, start=100))

    refused = haven(
        "output",
        "request",
        "--permit",
        DEMO_PERMIT_ID,
        "--as",
        RESEARCHER,
        *CONTEXT,
        "SELECT person_id FROM claims",
    )
    assert refused.returncode == 2 and "no release request filed" in refused.stdout

    no_context = haven(
        "output", "request", "--permit", DEMO_PERMIT_ID, "--as", RESEARCHER, "--shows", "n", "--why", "", SQL
    )
    assert no_context.returncode == 1 and "needs its context" in no_context.stderr
    filed = haven(
        "output", "request", "--permit", DEMO_PERMIT_ID, "--as", RESEARCHER, *CONTEXT, "--json", SQL
    )
    assert filed.returncode == 0, filed.stderr
    outcome = json.loads(filed.stdout)
    request_id = outcome["id"]
    assert (outcome["state"], outcome["status"], outcome["versions"]) == ("submitted", "ok", {"claims": 0})
    assert (outcome["rows"], outcome["suppressed"]) == ([["GP", 14], ["SPEC", 12]], [])

    early = haven("output", "get", request_id, "--as", RESEARCHER)
    assert early.returncode == 1 and "only released outputs can be downloaded" in early.stderr
    by_author = haven(
        "output", "review", request_id, "--approve", "--reason", "My own result is fine.", "--as", RESEARCHER
    )
    assert by_author.returncode == 1 and "needs role steward" in by_author.stderr

    first = haven(
        "output", "review", request_id, "--approve", "--reason", "Counts above threshold.", "--as", STEWARD
    )
    assert first.returncode == 0, first.stderr
    assert "vote recorded (1 of 2)" in first.stdout
    again = haven(
        "output", "review", request_id, "--reject", "--reason", "Changed my mind now.", "--as", STEWARD
    )
    assert again.returncode == 1 and "has already voted" in again.stderr
    blind = json.loads(haven("output", "show", request_id, "--as", SECOND, "--json").stdout)
    assert (blind["state"], blind["votes_cast"], blind["reviews"]) == ("under_review", 1, [])
    assert blind["sql"] == SQL and blind["verdict"] == "pass"
    assert (blind["shows"], blind["needed_for"]) == (CONTEXT[1], CONTEXT[3])

    second = haven(
        "output", "review", request_id, "--approve", "--reason", "Aggregates only, safe.", "--as", SECOND
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == (
        f"{request_id} released (steward@demo approve, steward2@demo approve); "
        "disclosure control at release: pass"
    )

    got = haven("output", "get", request_id, "--as", RESEARCHER, "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["rows"] == [["GP", 14], ["SPEC", 12]]
    saved = tmp_path / "out.csv"
    assert haven("output", "get", request_id, "--as", RESEARCHER, "--out", str(saved)).returncode == 0
    assert list(csv.reader(saved.open())) == [["kind", "persons"], ["GP", "14"], ["SPEC", "12"]]
    outsider = haven("output", "get", request_id, "--as", STEWARD)
    assert outsider.returncode == 1 and "only the permit's named data users" in outsider.stderr

    listed = json.loads(haven("output", "list", "--json").stdout)
    assert [(e["id"], e["state"], e["verdict"]) for e in listed] == [(request_id, "released", "pass")]
    assert "(1 requests)" in haven("output", "list", "--as", RESEARCHER).stdout
    assert "(0 requests)" in haven("output", "list", "--as", "analyst@demo").stdout

    queried = haven("query", "--permit", DEMO_PERMIT_ID, "--as", RESEARCHER, "SELECT * FROM claims")
    assert queried.returncode == 2 and queried.stdout.startswith("refused:")
    denied = haven("query", "--permit", DEMO_PERMIT_ID, "--as", "analyst@demo", SQL)
    assert denied.returncode == 1 and "not a named data user" in denied.stderr

    verified = json.loads(haven("audit", "verify", "--json").stdout)
    assert verified["ok"] is True
    with open_catalog().session() as session:
        actions = [e.action for e in SqlStore(session).audit_entries()]
    # The refused query and the filed one, then each step (refused steps and views write nothing),
    # then the refused and the denied `haven query`. The release registers the table as a
    # released aggregate (catalog.dashboards.registry) in the same transaction.
    assert actions[-13:] == [
        "spe.query",
        "spe.query",
        "output.requested",
        "output.vote_recorded",
        "output.review_started",
        "output.vote_recorded",
        "output.release_checked",
        "output.released",
        "aggregate.registered",
        "output.downloaded",
        "output.downloaded",
        "spe.query",
        "spe.query",
    ]
    with open_catalog().session() as session:
        statuses = [e.details["status"] for e in SqlStore(session).audit_entries() if e.action == "spe.query"]
    assert statuses == ["refused", "ok", "refused", "denied"]
