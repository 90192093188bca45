"""Creating and cleaning Delta tables that hold person identifiers.

Delta records per-file min/max statistics in its transaction log; for an identifier
column those would copy pseudonyms into the log, where a deleted person would survive.
``ensure_table`` creates tables whose statistics skip the identifier columns, and
``vacuum`` removes files no longer referenced, after the configured retention window.
"""

from __future__ import annotations

import math
from pathlib import Path

import deltalake
from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

IDENTIFIERS = ("pid", "person_id")


_SKIPPABLE = (T.NumericType, T.StringType, T.DateType, T.TimestampType, T.TimestampNTZType)


def stats_columns(df: DataFrame) -> list[str]:
    """The columns Delta keeps statistics on: those of a type it can skip on, but identifiers."""
    return [f.name for f in df.schema.fields
            if f.name not in IDENTIFIERS and isinstance(f.dataType, _SKIPPABLE)]


def ensure_table(spark: SparkSession, path: Path, like: DataFrame) -> None:
    """Create the table at ``path`` with ``like``'s schema if it does not exist yet."""
    if DeltaTable.isDeltaTable(spark, str(path)):
        return
    columns = stats_columns(like)
    builder = DeltaTable.createIfNotExists(spark).location(str(path)).addColumns(like.schema)
    if any(c in IDENTIFIERS for c in like.columns):
        builder = builder.property("delta.dataSkippingStatsColumns", ",".join(columns))
    builder.execute()


def vacuum(path: Path, retention_hours: float) -> int:
    """Delete files the table no longer references that are older than the retention window;
    returns how many files went.

    Runs with the ``deltalake`` library, not Spark: the same protocol operation (list the
    table's folder, keep what the current version and the window still reference) without
    a Spark job per table, which made vacuuming a lake of twenty tables take minutes.
    """
    if not (path / "_delta_log").is_dir():
        return 0
    removed = deltalake.DeltaTable(str(path)).vacuum(
        retention_hours=math.ceil(retention_hours), enforce_retention_duration=False, dry_run=False)
    return len(removed)
