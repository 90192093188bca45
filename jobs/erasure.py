"""Physical erasure of people who opted out.

``erase`` deletes their rows from one table in a Delta transaction; ``vacuum`` (in
``jobs.delta_tables``) then removes the files that held them once the retention window
has passed, so neither the current table, nor time travel, nor the change data feed can
bring them back. Deletion vectors are disabled for Haven's tables (see the Spark factory),
so a DELETE rewrites files instead of masking rows.
"""

from __future__ import annotations

from pathlib import Path

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession


def erase(spark: SparkSession, table: Path, column: str, ids: DataFrame) -> int:
    """Delete every row of ``table`` whose ``column`` is one of ``ids[column]``; rows deleted."""
    if not DeltaTable.isDeltaTable(spark, str(table)):
        return 0
    target = DeltaTable.forPath(spark, str(table))
    keys = ids.select(column).distinct()
    # Nothing to delete: no commit, so the table's version (and its readers) stay as they are.
    if target.toDF().join(keys, on=column, how="left_semi").limit(1).count() == 0:
        return 0
    (target.alias("t").merge(keys.alias("e"), f"t.{column} = e.{column}").whenMatchedDelete().execute())
    last = target.history(1).first()
    assert last is not None
    metrics = last["operationMetrics"] or {}
    return int(metrics.get("numTargetRowsDeleted", 0))
