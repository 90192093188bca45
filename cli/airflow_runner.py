"""Running Haven's DAGs in-process with Airflow's ``dag.test()`` on the instance's own
SQLite metadata database under ``HAVEN_HOME/airflow``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.errors import HavenError
from common.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class PublishOutcome:
    run_id: str
    state: str
    published: dict[str, Any] | None
    removed: dict[str, Any] | None
    failed_tasks: list[str]
    vacuumed: dict[str, Any] | None = None
    indicators: dict[str, Any] | None = None  # standing indicators' outcomes (spe.indicators)


@dataclass(frozen=True)
class PipelineOutcome:
    """A ``haven_ingest`` run and the ``haven_publish`` run its silver update scheduled (None
    when the run failed before silver was final)."""

    run_id: str
    state: str
    report: dict[str, Any] | None
    failed_tasks: list[str]
    publish: PublishOutcome | None = None

    @property
    def succeeded(self) -> bool:
        return (
            self.state == "success"
            and self.report is not None
            and (self.publish is None or self.publish.state == "success")
        )


def airflow_environment(settings: Settings) -> dict[str, str]:
    """The Airflow configuration of an embedded instance, as environment variables."""
    home = settings.airflow
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": settings.airflow_metadata_url,
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }


def configure_airflow(settings: Settings) -> None:
    """Point this process's Airflow at the instance's home and migrate its database.

    Airflow reads its configuration once per process, so one process serves one instance.
    """
    env = airflow_environment(settings)
    if "airflow" in sys.modules and os.environ.get("AIRFLOW_HOME") != env["AIRFLOW_HOME"]:
        raise HavenError("Airflow is already configured for another HAVEN_HOME in this process")
    settings.airflow.mkdir(parents=True, exist_ok=True)
    os.environ.update(env)
    from airflow.utils.db import initdb

    initdb()


def run_ingest(settings: Settings, landing_dir: Path) -> PipelineOutcome:
    """Run the ``haven_ingest`` DAG on one landing folder, then ``haven_publish`` as a running
    scheduler would once the ingest run's ``erase`` task updated the silver Assets (also when
    a quality gate failed afterwards: the other sources' silver changed all the same)."""
    configure_airflow(settings)
    from dags.haven_ingest import haven_ingest_dag
    from jobs.pipeline import report_path

    run = haven_ingest_dag.test(run_conf={"landing_dir": str(landing_dir)})
    state = str(getattr(run.state, "value", run.state))
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}
    failed = sorted(task for task, task_state in states.items() if task_state != "success")
    report_file = report_path(settings, run.run_id)
    report = json.loads(report_file.read_text()) if report_file.is_file() else None
    published = run_publish(settings) if states.get("erase") == "success" else None
    return PipelineOutcome(
        run_id=run.run_id, state=state, report=report, failed_tasks=failed, publish=published
    )


def _returned(run_id: str, dag_id: str, task_id: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        query = XComModel.get_many(run_id=run_id, key="return_value", task_ids=task_id, dag_ids=dag_id)
        row = session.scalars(query).first()
        return None if row is None else XComModel.deserialize_value(row)


def run_publish(settings: Settings) -> PublishOutcome:
    """Run the ``haven_publish`` DAG (publish, sweep, vacuum, indicators) and return what its
    tasks returned."""
    configure_airflow(settings)
    from dags.haven_publish import haven_publish_dag

    run = haven_publish_dag.test()
    state = str(getattr(run.state, "value", run.state))
    failed = sorted(
        ti.task_id
        for ti in run.get_task_instances()
        if str(getattr(ti.state, "value", ti.state)) != "success"
    )
    return PublishOutcome(
        run_id=run.run_id,
        state=state,
        published=_returned(run.run_id, "haven_publish", "publish"),
        removed=_returned(run.run_id, "haven_publish", "sweep"),
        failed_tasks=failed,
        vacuumed=_returned(run.run_id, "haven_publish", "vacuum"),
        indicators=_returned(run.run_id, "haven_publish", "indicators"),
    )
