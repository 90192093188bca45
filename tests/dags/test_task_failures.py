"""A DAG task that fails inside an engine logs no value from the engine's message.

Engines quote the offending value in their errors (DuckDB's and Spark's casts, Great
Expectations' unexpected values); Airflow logs a failed task's exception whole, in the task
log and on the console. Every Haven task is ``withheld`` (``common.logging``): its failure
reaches Airflow as ``StageFailed``, the exception's type and place without its message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import duckdb
import pytest

SECRET = "ssn-4711-secret"


def _failing_publish(settings: object) -> dict:
    # A real engine error that quotes a row value, as a bad cast in a stage would.
    duckdb.sql(f"SELECT CAST('{SECRET}' AS INTEGER)").fetchall()
    return {}


@pytest.fixture
def publish_without_retries() -> Iterator[None]:
    from dags.haven_publish import haven_publish_dag

    task = haven_publish_dag.task_dict["publish"]
    retries = task.retries
    task.retries = 0
    yield
    task.retries = retries


@pytest.mark.usefixtures("haven_home", "publish_without_retries")
def test_an_engine_error_in_a_task_reaches_the_logs_without_its_value(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    from airflow.utils.db import initdb

    from dags.haven_publish import haven_publish_dag

    initdb()
    monkeypatch.setattr("jobs.publishing.publish", _failing_publish)
    caplog.set_level(logging.INFO)

    run = haven_publish_dag.test()

    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}
    assert states["publish"] == "failed"
    assert states["vacuum"] == "success"  # runs whatever the build did
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert SECRET not in logged
    assert "StageFailed" in logged
    assert "ConversionException" in logged  # the type and the place stay, for the operator
