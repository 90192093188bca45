"""Tables created by their first write, and what the log's statistics answer without Spark."""

from datetime import date
from pathlib import Path

from deltalake import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from jobs.delta_tables import Logged, creating_options, holds_only, logged, may_hold
from jobs.silver import replace_extract, replace_quarantine

SCHEMA = "person_id string, code string, _extract_id string"


def test_the_first_write_creates_the_table_with_no_statistics_on_identifiers(
    spark: SparkSession, tmp_path: Path
) -> None:
    table = tmp_path / "t"
    df = spark.createDataFrame([("pseudonym-a", "101010", "e1")], SCHEMA)
    options = creating_options(spark, table, df)
    assert options == {"delta.dataSkippingStatsColumns": "code,_extract_id"}
    df.write.format("delta").options(**options).save(str(table))

    log = DeltaTable(str(table))
    assert [(c["version"], c["operation"]) for c in log.history()] == [(0, "WRITE")]
    assert log.metadata().configuration["delta.dataSkippingStatsColumns"] == "code,_extract_id"
    stats = log.get_add_actions(flatten=True).column_names
    assert "min.code" in stats and not [c for c in stats if "person_id" in c]
    # Once the table exists, writes pass no creation options.
    assert creating_options(spark, table, df) == {}


def test_the_log_tells_which_extracts_a_table_may_hold(spark: SparkSession, tmp_path: Path) -> None:
    table = tmp_path / "t"
    assert not may_hold(table, "_extract_id", "e1") and not holds_only(table, "_extract_id", "e1")
    replace_extract(spark.createDataFrame([("a", "1", "e1"), ("b", "2", "e1")], SCHEMA), table, "e1")
    assert holds_only(table, "_extract_id", "e1") and not holds_only(table, "_extract_id", "e2")
    assert may_hold(table, "_extract_id", "e1") and not may_hold(table, "_extract_id", "e2")
    replace_extract(spark.createDataFrame([("c", "3", "e3")], SCHEMA), table, "e3")
    assert not holds_only(table, "_extract_id", "e1")
    # Each write has its own files, so e2 lies in no file's range.
    found = [may_hold(table, "_extract_id", e) for e in ("e0", "e1", "e2", "e3", "e4")]
    assert found == [False, True, False, True, False]


def test_a_delivery_with_nothing_quarantined_writes_no_quarantine_unless_a_rerun_clears_one(
    spark: SparkSession, tmp_path: Path
) -> None:
    table = tmp_path / "quarantine"
    nothing = spark.createDataFrame([], "line long, _extract_id string")
    replace_quarantine(nothing, table, "e1", 0)
    assert not table.exists()
    two = spark.createDataFrame([(3, "e1"), (9, "e1")], "line long, _extract_id string")
    replace_quarantine(two, table, "e1", 2)
    assert DeltaTable(str(table)).to_pyarrow_table().num_rows == 2
    # The same file delivered again, repaired: its earlier entries go.
    replace_quarantine(nothing, table, "e1", 0)
    assert DeltaTable(str(table)).to_pyarrow_table().num_rows == 0
    assert DeltaTable(str(table)).version() == 1
    # Another clean file adds no commit.
    replace_quarantine(nothing, table, "e2", 0)
    assert DeltaTable(str(table)).version() == 1


def test_the_log_gives_rows_and_a_date_range_as_spark_counts_them_or_nothing(
    spark: SparkSession, tmp_path: Path
) -> None:
    table = tmp_path / "events"
    rows = [("a", date(2025, 3, 1)), ("b", date(2024, 12, 31)), ("c", None)]
    spark.createDataFrame(rows, "person_id string, day date").write.format("delta").save(str(table))
    # A second file whose dates are all null: its bounds are null, and it still counts.
    spark.createDataFrame([("d", None)] * 4, "person_id string, day date").write.format("delta").mode(
        "append"
    ).save(str(table))
    spark.createDataFrame([("e", date(2026, 1, 2))], "person_id string, day date").write.format("delta").mode(
        "append"
    ).save(str(table))
    counted = (
        spark.read.format("delta").load(str(table)).agg(F.count("*"), F.min("day"), F.max("day")).first()
    )
    assert counted is not None
    assert logged(table, "day") == Logged(*counted) == Logged(8, date(2024, 12, 31), date(2026, 1, 2))
    assert logged(table) == Logged(8)
    # No statistics on the column (or no such column): the log cannot tell, Spark must.
    blind = tmp_path / "blind"
    spark.createDataFrame(rows, "person_id string, day date").write.format("delta").option(
        "delta.dataSkippingStatsColumns", "person_id"
    ).save(str(blind))
    assert logged(blind, "day") is None and logged(table, "nothing") is None
    assert logged(tmp_path / "missing") is None
