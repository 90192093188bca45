"""Silver free text kept at the current de-identification version.

Every write of a silver table that holds de-identified free text records the version of
de-identification in its Delta commit (``pseudonymisation.text.version_metadata``). When
``DEID_VERSION`` is raised, text written before went through recognisers and lists that
have since changed: ``rederive`` rewrites the table's free text from bronze, in one Delta
transaction that records the new version. The rows stay the rows silver holds now (same
deliveries, same platform pseudonyms, taken from silver itself), minus anyone whose
opt-out is in force, as in a normal run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from common.layout import Source
from common.schemas import SCHEMAS
from jobs.delta_tables import last_commit
from jobs.errors import ReconciliationError
from jobs.silver import deidentified
from jobs.text_versions import TextVersion, current_text_version
from pseudonymisation import text as deid_text
from quality import row_checks
from quality.source_rules import RULES


@dataclass(frozen=True)
class Rederived:
    """What ``rederive`` did to one table (counts and versions only, never text)."""

    source: str
    from_deid_version: str | None
    to_deid_version: str
    rows: int
    dropped_by_optout: int
    silver_version: int

    @property
    def message(self) -> str:
        was = self.from_deid_version or "not recorded"
        return f"notes re-derived: de-identification version {was} \u2192 {self.to_deid_version}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message}


def with_bronze_text(silver: DataFrame, valid: DataFrame, opted_out: DataFrame, source: Source) -> DataFrame:
    """Silver's rows with their free-text columns taken again from ``valid`` (the bronze rows
    that passed the row checks, pid in clear), matched on delivery and key; plus ``_found``
    (a bronze row was found) and ``_opted_out`` (its person's opt-out is in force)."""
    key = list(SCHEMAS[source].key)
    if not key or "pid" in key:
        raise ValueError(f"{source.value}: free text is re-derived by a key without pid")
    text = list(RULES[source].free_text)
    delivered = valid.join(
        F.broadcast(opted_out.select("pid", F.lit(True).alias("_opted_out"))), on="pid", how="left"
    ).select("_extract_id", *key, *text, "_opted_out", F.lit(True).alias("_found"))
    joined = silver.drop(*text).join(delivered, on=["_extract_id", *key], how="left")
    return joined.select(*silver.columns, "_found", "_opted_out")


def out_of_date(source: Source, silver_table: Path) -> TextVersion | None:
    """The latest silver version's de-identification when the source has free text written
    by another version than this one; ``None`` when it is up to date or has none."""
    if not RULES[source].free_text:
        return None
    found = current_text_version(silver_table)
    return None if found is None or found.current else found


def rederive(
    spark: SparkSession, source: Source, bronze_table: Path, silver_table: Path, opted_out: DataFrame
) -> Rederived | None:
    """Rewrite the free text of ``silver_table`` from bronze at this de-identification
    version when ``out_of_date``; ``None`` when there is nothing to do.

    Fails, writing nothing, when a silver row has no valid bronze row left to take its
    text from (silver would otherwise lose it silently).
    """
    spec = RULES[source]
    found = out_of_date(source, silver_table)
    if found is None:
        return None
    silver = spark.read.format("delta").load(str(silver_table))
    bronze = (
        spark.read.format("delta")
        .load(str(bronze_table))
        .join(F.broadcast(silver.select("_extract_id").distinct()), on="_extract_id", how="left_semi")
    )
    valid = row_checks.typed_valid(row_checks.check(bronze, spec), source)
    joined = with_bronze_text(silver, valid, opted_out, source).cache()
    try:
        counts = joined.agg(
            F.count(F.lit(1)).alias("rows"),
            F.count(F.when(F.col("_found").isNull(), F.lit(1))).alias("missing"),
            F.count(F.col("_opted_out")).alias("opted_out"),
        ).first()
        assert counts is not None
        if counts["missing"]:
            raise ReconciliationError(
                f"{source.value}: {counts['missing']} silver row(s) have no valid bronze row to "
                "re-derive their free text from; silver is kept as it is"
            )
        kept = joined.where(F.col("_opted_out").isNull()).select(*silver.columns)
        (
            deidentified(kept, spec)
            .write.format("delta")
            .mode("overwrite")
            .option("userMetadata", deid_text.version_metadata())
            .save(str(silver_table))
        )
    finally:
        joined.unpersist()
    written = last_commit(silver_table)
    expected = int(counts["rows"]) - int(counts["opted_out"])
    if written.metric("numOutputRows") != expected:
        raise ReconciliationError(
            f"{source.value}: re-derivation wrote {written.metric('numOutputRows')} rows, expected {expected}"
        )
    return Rederived(
        source=source.value,
        from_deid_version=found.deid_version,
        to_deid_version=deid_text.DEID_VERSION,
        rows=expected,
        dropped_by_optout=int(counts["opted_out"]),
        silver_version=written.version,
    )
