"""Spark's own log (its JVM's standard error: the console, or an Airflow task's log) names
a failed task's exception by where it was thrown, never by its message, which quotes the
row value that failed (``infra/spark/log4j2.properties``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from common.settings import PROJECT_ROOT

SECRET = "ssn-4711-secret"
# A Spark job whose task fails on a row, with the row's value in the error's message.
JOB = f"""
from common.settings import get_settings
from common.spark import get_spark

spark = get_spark(get_settings())
rows = spark.createDataFrame([("{SECRET}",)], ["v"])
try:
    rows.selectExpr("assert_true(v = 'x', concat('bad value ', v))").collect()
except Exception as exc:
    print("failed:", type(exc).__name__)
spark.stop()
"""


def test_a_failed_spark_task_is_logged_without_the_value_in_its_message(haven_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", JOB],
        cwd=PROJECT_ROOT,
        env={**os.environ, "HAVEN_HOME": str(haven_home), "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "failed:" in done.stdout
    assert "ERROR Executor: Exception in task" in done.stderr  # the failure is logged
    assert SECRET not in done.stderr
