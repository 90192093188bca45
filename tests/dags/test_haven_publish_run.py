"""One in-process run of haven_publish (Airflow ``dag.test()``) on a fresh instance."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.db.engine import open_catalog
from catalog.db.store import SqlStore
from catalog.demo import DEMO_APPLICATION, RESEARCHER, STEWARD
from catalog.permits import service
from catalog.permits.applications import parse_application
from common.settings import get_settings
from tests.factories import permit_builds

# Every test here works on the demonstration (demo users, the lake's datasets described, the demo permit).
pytestmark = pytest.mark.usefixtures("demo")


def test_a_run_publishes_what_it_can_and_sweeps_ended_permits(spark, haven_home: Path) -> None:
    from airflow.utils.db import initdb

    from dags.haven_publish import haven_publish_dag

    initdb()
    settings = get_settings()
    # The demo permit is in force but silver claims are not there yet; a revoked permit
    # still has a workspace.
    with open_catalog(settings).session() as session:
        store = SqlStore(session)
        steward = store.get_user(STEWARD)
        service.apply(
            store,
            store.get_user(RESEARCHER),
            parse_application(DEMO_APPLICATION),
            application_id="old-permit",
        )
        service.decide(store, steward, "old-permit", approve=True, reason="Permitted purpose.")
        service.revoke(store, steward, "old-permit", reason="Ended by the test.")
    workspace = settings.lake / "permits" / "old-permit" / "claims"
    workspace.mkdir(parents=True)
    (workspace / "part-0000.parquet").write_bytes(b"PAR1")

    run = haven_publish_dag.test()

    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}
    assert states == {"publish": "success", "sweep": "success", "vacuum": "success", "indicators": "success"}
    assert returned(run.run_id, "publish") == {"demo-permit": {"skipped": "silver claims does not exist yet"}}
    assert returned(run.run_id, "sweep") == {"old-permit": {"state": "revoked", "files_removed": 1}}
    assert returned(run.run_id, "vacuum") == {}  # no workspace left to vacuum
    assert returned(run.run_id, "indicators") == {}  # none approved
    assert not workspace.parent.exists()
    assert [(b.outcome, b.report) for b in permit_builds(settings, "old-permit")] == [
        ("removed", {"state": "revoked", "files_removed": 1})
    ]


def returned(run_id: str, task_id: str) -> object:
    """What a task of the run returned (its ``return_value`` XCom)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        query = XComModel.get_many(
            run_id=run_id, key="return_value", task_ids=task_id, dag_ids="haven_publish"
        )
        row = session.scalars(query).one()
        return XComModel.deserialize_value(row)
