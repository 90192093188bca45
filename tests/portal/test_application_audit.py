"""The portal moves applications through the same services as ``haven permit``: for the same
transition, its audit entries are those of the command (actor, action, object type, details),
and so are those of the transitions the CLI has no command for, against the service calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from catalog.permits import service
from catalog.permits.applications import parse_application
from common.settings import Settings
from tests.catalog.test_cli_catalog import haven
from tests.portal.application_steps import APPLICATION_FILE, RITA, fill, start_draft, steward_form, submit
from tests.portal.conftest import ACCOUNTS, csrf_token, sign_in

SAM = ACCOUNTS["steward"]


def entries(settings: Settings, object_id: str, since: int = 0) -> list[tuple[Any, ...]]:
    with unit_of_work(settings) as store:
        found = [e for e in store.audit_entries() if e.object_id == object_id and e.seq > since]
    return [(e.actor, e.action, e.object_type, e.details) for e in found]


def last_seq(settings: Settings) -> int:
    with unit_of_work(settings) as store:
        return store.audit_entries()[-1].seq


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)  # the CLI runs as its own process
def test_each_transition_audits_as_the_cli_does(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    file = tmp_path / "application.yaml"
    file.write_text(yaml.safe_dump(APPLICATION_FILE), encoding="utf-8")
    applied = haven("permit", "apply", "--file", str(file), "--json")
    assert applied.returncode == 0, applied.stderr
    by_cli = yaml.safe_load(applied.stdout)["id"]
    sign_in(client, RITA)
    draft = start_draft(client)
    fill(client, draft)
    by_portal = submit(client, draft).headers["location"].split("/")[2].split("?")[0]
    assert entries(settings, by_portal) == entries(settings, by_cli)
    assert [e[1] for e in entries(settings, by_portal)] == ["application.created", "application.submitted"]

    # No command for these: the portal's entries are the service calls' entries.
    with unit_of_work(settings) as store:
        sam, rita = store.get_user(SAM), store.get_user(RITA)
        service.mark_incomplete(store, sam, by_cli, "Which hospitals do the day surgeries come from?")
        service.resubmit(store, rita, by_cli, spec=parse_application(APPLICATION_FILE))
        service.start_review(store, sam, by_cli)
    steward = TestClient(client.app)
    sign_in(steward, SAM)
    question = "Which hospitals do the day surgeries come from?"
    assert steward_form(steward, by_portal, "ask", question=question, sections=["cohort"]).status_code == 303
    answer = client.post(
        f"/applications/{by_portal}/answer",
        data={
            "draft_key": "a" * 43,
            "csrf_token": csrf_token(client),
        },
        follow_redirects=False,
    )
    assert submit(client, answer.headers["location"].split("/")[-1]).status_code == 303
    assert steward_form(steward, by_portal, "start").status_code == 303
    assert entries(settings, by_portal) == entries(settings, by_cli)

    mark = last_seq(settings)
    decided = haven("permit", "decide", by_cli, "--approve", "--reason", "Permitted purpose.", "--as", SAM)
    assert decided.returncode == 0, decided.stderr
    cli_decision = entries(settings, by_cli, mark)
    reason = "Permitted purpose."
    assert steward_form(steward, by_portal, "decide", decision="approve", reason=reason).status_code == 303
    assert entries(settings, by_portal, mark) == cli_decision
    assert [e[1] for e in cli_decision] == ["application.approved"]

    with unit_of_work(settings) as store:
        service.activate(store, store.get_user(SAM), by_cli)
    assert steward_form(steward, by_portal, "activate").status_code == 303
    mark = last_seq(settings)
    revoked = haven("permit", "revoke", by_cli, "--reason", "The study ended early.", "--as", SAM)
    assert revoked.returncode == 0, revoked.stderr
    cli_revocation = entries(settings, by_cli, mark)
    assert steward_form(steward, by_portal, "revoke", reason="The study ended early.").status_code == 303
    assert (
        entries(settings, by_portal, mark)
        == cli_revocation
        == [(SAM, "permit.revoked", "application", {"from": "active", "to": "revoked"})]
    )
    assert entries(settings, by_portal) == entries(settings, by_cli)
