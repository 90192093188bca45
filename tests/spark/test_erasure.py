"""Physical erasure, proved from the outside: after erase + vacuum no file under the table
holds the person, and time travel cannot bring them back."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from deltalake import DeltaTable
from pyspark.sql import SparkSession

from jobs.delta_tables import clear_interrupted_creation, ensure_table, vacuum
from jobs.erasure import erase, erase_all
from tests.lake_scan import files_containing

GONE = "pseudonym-of-the-person-who-opted-out"
STAYS = "pseudonym-of-someone-else"


def write(spark: SparkSession, table: Path, rows: list[tuple[str, str]]) -> None:
    df = spark.createDataFrame(rows, "person_id string, code string")
    ensure_table(spark, table, df)
    df.write.format("delta").mode("append").save(str(table))


def test_erase_then_vacuum_leaves_no_copy_anywhere(spark: SparkSession, tmp_path: Path) -> None:
    table = tmp_path / "silver_claims"
    write(spark, table, [(GONE, "101010"), (STAYS, "101010")])
    write(spark, table, [(GONE, "102012"), (STAYS, "475075")])
    assert GONE in files_containing(table, [GONE])  # present before: the scan can see it

    ids = spark.createDataFrame([(GONE,)], "person_id string")
    assert erase(spark, table, "person_id", ids) == 2
    vacuum(table, 0)

    assert files_containing(table, [GONE, STAYS]).keys() == {STAYS}
    current = [r.person_id for r in spark.read.format("delta").load(str(table)).collect()]
    assert sorted(current) == [STAYS, STAYS]
    try:
        old = spark.read.format("delta").option("versionAsOf", 1).load(str(table)).collect()
    except Exception:  # the files of version 1 are gone: time travel fails, as it should
        old = []
    assert GONE not in [r.person_id for r in old]


def test_erasing_nobody_changes_nothing(spark: SparkSession, tmp_path: Path) -> None:
    table = tmp_path / "t"
    write(spark, table, [(STAYS, "101010")])
    nobody = spark.createDataFrame([], "person_id string")
    assert erase(spark, table, "person_id", nobody) == 0
    assert erase(spark, tmp_path / "missing", "person_id", nobody) == 0
    assert spark.read.format("delta").load(str(table)).count() == 1


def test_inside_the_retention_window_earlier_versions_are_kept_and_reported(
    spark: SparkSession, tmp_path: Path
) -> None:
    table = tmp_path / "permit_claims"
    write(spark, table, [(GONE, "101010"), (STAYS, "101010")])
    ids = spark.createDataFrame([(GONE,)], "person_id string")
    assert erase(spark, table, "person_id", ids) == 1
    committed = DeltaTable(str(table)).history(1)[0]["timestamp"]

    inside = vacuum(table, 168)
    assert (inside.files_removed, inside.files_kept) == (0, 1)
    assert inside.removable_after == datetime.fromtimestamp(committed / 1000, UTC) + timedelta(hours=168)
    assert inside.earlier_versions == f"kept until {inside.removable_after.isoformat(timespec='seconds')}"
    assert files_containing(table, [GONE]).keys() == {GONE}  # still on disk, as reported

    after = vacuum(table, 0)  # the window has passed
    assert after.as_dict() == {"files_removed": 1, "files_kept": 0, "earlier_versions": "removed"}
    assert files_containing(table, [GONE]) == {}
    # Nothing left behind: no checksum of a deleted file either.
    checksums = [p.name for p in table.glob(".*.crc")]
    assert checksums and [c for c in checksums if not (table / c[1 : -len(".crc")]).exists()] == []


def test_erase_all_deletes_only_from_the_tables_that_hold_someone(
    spark: SparkSession, tmp_path: Path
) -> None:
    holds, clean, missing = tmp_path / "holds", tmp_path / "clean", tmp_path / "missing"
    write(spark, holds, [(GONE, "101010"), (GONE, "102012"), (STAYS, "101010")])
    write(spark, clean, [(STAYS, "475075")])
    ids = spark.createDataFrame([(GONE,)], "person_id string")
    renamed = spark.createDataFrame([(GONE,)], "pid string")
    spark.createDataFrame([(GONE, "x"), (STAYS, "y")], "pid string, code string").write.format("delta").save(
        str(tmp_path / "raw")
    )

    deleted = erase_all(
        spark,
        [
            (holds, "person_id", ids),
            (clean, "person_id", ids),
            (missing, "person_id", ids),
            (tmp_path / "raw", "pid", renamed),
        ],
    )

    assert deleted == {holds: 2, clean: 0, missing: 0, tmp_path / "raw": 1}
    assert [r.person_id for r in spark.read.format("delta").load(str(holds)).collect()] == [STAYS]
    # The table that held nobody got no commit: its readers see the same version.
    assert DeltaTable(str(clean)).version() == 1


def test_a_creation_killed_before_its_first_commit_is_created_again(
    spark: SparkSession, tmp_path: Path
) -> None:
    # What a scheduler killed mid-task left (tests/integration/test_scheduler.py found it):
    # the log folder Delta makes first, and no commit in it.
    table = tmp_path / "silver_population"
    (table / "_delta_log" / "_staged_commits").mkdir(parents=True)
    write(spark, table, [(STAYS, "101010")])
    assert DeltaTable(str(table)).version() == 1  # created (0), then the append (1)
    assert [r.person_id for r in spark.read.format("delta").load(str(table)).collect()] == [STAYS]
    # A table with commits is never touched, whatever else its log folder holds.
    (table / "_delta_log" / "_staged_commits" / "left-over.tmp").write_text("")
    assert clear_interrupted_creation(table) is False
    assert DeltaTable(str(table)).version() == 1
