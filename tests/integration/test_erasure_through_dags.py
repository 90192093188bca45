"""Erasure the way Haven really runs it: Airflow runs (``dag.test()``) of the DAGs in the order
a scheduler starts them, opt-outs recorded with the ``haven optout add`` command, a whole
synthetic delivery (population and claims, bad rows included).

After each path that applies an opt-out, with the embedded retention window of zero, no file
under ``HAVEN_HOME`` or Airflow's home holds the person under any of their identifiers (TTP
pid, platform pseudonym, permit pseudonym), and no Delta version that can still be read does.
The one exception is the opt-out registry, which must keep the pid to go on honouring the
opt-out. A change of task order that leaves an earlier version on disk fails here.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable

from catalog.demo import DEMO_PERMIT_ID
from common.settings import Settings, get_settings
from pseudonymisation import pseudonym_of
from synthetic.generate import generate
from tests.catalog.test_cli_catalog import haven
from tests.dags.test_haven_publish_run import returned
from tests.lake_scan import files_containing, readable_versions_containing, sqlite_cells_containing

# Every test here works on the demonstration (demo users, the demo permit over claims only).
pytestmark = [pytest.mark.slow(minutes=3), pytest.mark.usefixtures("demo_claims_only")]


def succeeded(run: Any) -> dict[str, str]:
    """The state of every task of a finished DAG run."""
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}


def ingest_then_publish(landing: Path) -> str:
    """One delivery: haven_ingest, then haven_publish, which the scheduler starts once the
    ingest run's ``erase`` task has updated the silver Assets. Returns the publish run's id."""
    from dags.haven_ingest import haven_ingest_dag
    from dags.haven_publish import haven_publish_dag

    ingest = haven_ingest_dag.test(run_conf={"landing_dir": str(landing)})
    assert set(succeeded(ingest).values()) == {"success"}, succeeded(ingest)
    publish = haven_publish_dag.test()
    assert set(succeeded(publish).values()) == {"success"}, succeeded(publish)
    return publish.run_id


def opt_out(pid: str) -> None:
    """What the contact centre does: one phone request, recorded in the registry."""
    added = haven("optout", "add", "--pid", pid, "--channel", "phone", "--agent", "agent-7")
    assert added.returncode == 0, added.stderr


def permit_people(settings: Settings) -> set[str]:
    table = settings.lake / "permits" / DEMO_PERMIT_ID / "claims"
    return set(DeltaTable(str(table)).to_pyarrow_table(columns=["person_id"]).column("person_id").to_pylist())


def identifiers(settings: Settings, pid: str) -> list[str]:
    return [pid, pseudonym_of(pid, "platform", settings), pseudonym_of(pid, DEMO_PERMIT_ID, settings)]


def assert_erased(settings: Settings, pids: list[str]) -> None:
    """Nothing holds these people any more, except the registry's record of their opt-out."""
    needles = [i for pid in pids for i in identifiers(settings, pid)]
    catalogue = settings.home / "catalog.db"
    assert files_containing(settings.home, needles) == {pid: ["catalog.db"] for pid in pids}
    assert sqlite_cells_containing(catalogue, needles) == {pid: ["optout_events.pid"] for pid in pids}
    assert readable_versions_containing(settings.lake, needles) == {}
    # Airflow keeps every task's return value and log: counts, never people.
    assert files_containing(Path(os.environ["AIRFLOW_HOME"]), needles) == {}


def test_every_path_that_applies_an_opt_out_leaves_nothing_behind(spark, tmp_path: Path) -> None:
    from airflow.utils.db import initdb

    initdb()
    settings = get_settings()
    landing = tmp_path / "delivery"
    generate(landing, 60, 11)
    # Opt-out reaches every source the same way; population and claims stand for all of them
    # here and keep the test short. tests/e2e/test_demo_path.py scans a whole delivery.
    for extract in landing.glob("*.csv"):
        if extract.stem not in ("population", "claims", "optout"):
            extract.unlink()
    ingest_then_publish(landing)
    with (landing / "claims.csv").open() as handle:
        claimants = sorted({row["pid"] for row in csv.DictReader(handle)})
    in_permit = permit_people(settings)
    first, second = [pid for pid in claimants if pseudonym_of(pid, DEMO_PERMIT_ID, settings) in in_permit][:2]

    # An opt-out recorded between two deliveries; the next delivery carries the person again.
    opt_out(first)
    publish_run = ingest_then_publish(landing)
    assert pseudonym_of(first, DEMO_PERMIT_ID, settings) not in permit_people(settings)
    assert_erased(settings, [first])
    vacuumed = returned(publish_run, "vacuum")
    assert vacuumed[DEMO_PERMIT_ID]["claims"]["earlier_versions"] == "removed"
    assert vacuumed[DEMO_PERMIT_ID]["claims"]["files_removed"] > 0

    # An opt-out applied by the haven_optout DAG, without a delivery.
    from dags.haven_optout import haven_optout_dag

    opt_out(second)
    run = haven_optout_dag.test()
    assert succeeded(run) == {"erase": "success", "publish": "success", "vacuum": "success"}
    assert pseudonym_of(second, DEMO_PERMIT_ID, settings) not in permit_people(settings)
    assert_erased(settings, [first, second])
