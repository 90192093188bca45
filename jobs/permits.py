"""Permit datasets: only the approved columns and period, with permit-specific pseudonyms.

Each build rewrites the permit's tables from silver, filtering opted-out people again, so a
permit dataset never holds someone whose opt-out is in force (the second layer of
enforcement, after silver).
"""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from catalog.permits import DatasetGrant
from jobs.delta_tables import ensure_table
from pseudonymisation.keyed_hash import hmac_column
from pseudonymisation.keys import Key


def build_dataset(silver: DataFrame, grant: DatasetGrant, permit_key: Key,
                  excluded_person_ids: DataFrame) -> DataFrame:
    """The permit's view of one silver table: period, opt-outs, approved columns, permit pseudonym."""
    in_period = F.col(grant.date_column).between(
        F.lit(grant.period_start), F.lit(grant.period_end)
    )
    return (
        silver.where(in_period)
        .join(excluded_person_ids.select("person_id"), on="person_id", how="left_anti")
        .select(hmac_column(permit_key, "person_id").alias("person_id"), *grant.columns)
    )


def run(spark: SparkSession, silver_table: Path, target: Path, grant: DatasetGrant,
        permit_key: Key, excluded_person_ids: DataFrame) -> int:
    """Rewrite one permit table; returns its row count."""
    silver = spark.read.format("delta").load(str(silver_table))
    df = build_dataset(silver, grant, permit_key, excluded_person_ids)
    ensure_table(spark, target, df)
    (df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
       .save(str(target)))
    return spark.read.format("delta").load(str(target)).count()
