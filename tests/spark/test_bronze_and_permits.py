"""Bronze loading and permit building against real Delta tables in tmp_path."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from common.schemas import CLAIMS
from jobs import bronze, permit_datasets
from jobs.errors import ExtractError
from pseudonymisation.keyed_hash import hmac_hex
from tests.factories import CLAIM_HEADER, claim_row, make_key, make_permit

WHEN = datetime(2026, 2, 1, tzinfo=UTC)


def write_csv(path: Path, rows: list[list[str]], header: list[str] = CLAIM_HEADER) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    return path


def test_bronze_is_idempotent_per_file_and_flags_malformed_rows(spark: SparkSession, tmp_path: Path) -> None:
    extract = write_csv(tmp_path / "claims.csv", [claim_row(pid="a"), claim_row(pid="b")[:5]])
    table = tmp_path / "bronze_claims"
    first = bronze.run(spark, extract, CLAIMS, table, extract_id="e1", run_id="r1", ingested_at=WHEN)
    again = bronze.run(spark, extract, CLAIMS, table, extract_id="e1", run_id="r2", ingested_at=WHEN)
    assert (first.rows, first.malformed, again.rows) == (2, 1, 2)
    got = spark.read.format("delta").load(str(table)).select("pid", "_malformed", "_run_id", "_line")
    expected = spark.createDataFrame(
        [("a", False, "r2", 2), ("b", True, "r2", 3)],
        "pid string, _malformed boolean, _run_id string, _line bigint",
    )
    assertDataFrameEqual(got, expected)


def test_bronze_refuses_a_header_that_is_not_the_schema(spark: SparkSession, tmp_path: Path) -> None:
    header = [*CLAIM_HEADER[:-1], "patient_name"]
    extract = write_csv(tmp_path / "claims.csv", [claim_row()], header=header)
    with pytest.raises(ExtractError, match=r"missing: \['amount_supplement'\]"):
        bronze.run(spark, extract, CLAIMS, tmp_path / "t", extract_id="e", run_id="r", ingested_at=WHEN)


def test_a_delivery_with_one_wrong_header_loads_no_extract(spark: SparkSession, tmp_path: Path) -> None:
    from common.settings import Settings
    from jobs import pipeline
    from synthetic.generate import generate

    landing = tmp_path / "landing"
    generate(landing, 20, 3)
    wellness = landing / "wellness.csv"
    lines = wellness.read_text().splitlines()
    wellness.write_text("\n".join([lines[0] + ",patient_name", *lines[1:]]) + "\n")
    settings = Settings(home=tmp_path / "var")
    with pytest.raises(ExtractError, match=r"^wellness extract wellness.csv: header does not match"):
        pipeline.ingest(settings, landing, "r1", WHEN)
    # None of the delivery's other extracts was loaded either.
    assert not (settings.lake / "bronze").exists() or not any((settings.lake / "bronze").iterdir())


def test_permit_dataset_has_period_columns_exclusions_and_permit_pseudonyms(
    spark: SparkSession,
) -> None:
    silver_df = spark.createDataFrame(
        [
            ("s1", "101010", date(2025, 3, 1), "GP"),
            ("s2", "102012", date(2025, 4, 1), "GP"),
            ("s1", "101010", date(2024, 12, 31), "GP"),
            ("s3", "475075", date(2025, 5, 1), "nurse"),
        ],
        "person_id string, nomenclature_code string, service_date date, provider_type string",
    )
    excluded = spark.createDataFrame([("s3",)], "person_id string")
    permit_key = make_key(scope="p-test", fill=9)
    grant = make_permit(columns=("nomenclature_code",)).datasets[0]
    got = permit_datasets.build_dataset(silver_df, grant, permit_key, excluded)
    expected = spark.createDataFrame(
        [(hmac_hex(permit_key, "s1"), "101010"), (hmac_hex(permit_key, "s2"), "102012")],
        "person_id string, nomenclature_code string",
    )
    assertDataFrameEqual(got, expected)
