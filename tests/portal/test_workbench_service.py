"""The portal's workbench runs queries through the SPE service when it is up, with the same
answer (page and JSON) as in the portal's own process, and every query audited once."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from common.settings import Settings
from spe.service import QUERY_EVENT
from tests.portal.conftest import ACCOUNTS, csrf_token, sign_in
from tests.portal.spe_factories import BY_KIND, World, workbench_world
from tests.spe.service_process import start_service


def _query(client: TestClient, permit: str) -> tuple[dict[str, object], str]:
    token = csrf_token(client)
    api = client.post(
        f"/api/workbench/{permit}/query", json={"sql": BY_KIND}, headers={"x-csrf-token": token}
    )
    assert api.status_code == 200
    page = client.post(
        f"/workbench/{permit}",
        data={"sql": BY_KIND, "csrf_token": csrf_token(client, f"/workbench/{permit}")},
    )
    assert page.status_code == 200
    table = page.text[page.text.index('class="result"') :]
    return api.json(), table[: table.index("</table>")]


def test_the_workbench_answers_through_the_spe_service_when_it_is_up(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    world: World = workbench_world(settings)
    sign_in(client, ACCOUNTS["researcher"])
    in_process = _query(client, world.permit)
    service = start_service(settings, tmp_path / "spe-service.log")
    try:
        through = _query(client, world.permit)
        served = service.health()["served"]
    finally:
        assert service.stop() == 0
    assert served == 2
    assert through == in_process
    # LAB (3 persons) leaves the result; SPEC is suppressed so that LAB cannot be recomputed.
    assert in_process[0]["rows"] == [["GP", 14], ["SPEC", None]]
    assert "<td>14</td>" in in_process[1]
    with unit_of_work(settings) as store:
        statuses = [e.details["status"] for e in store.audit_entries() if e.action == QUERY_EVENT]
    assert statuses == ["ok"] * 4
