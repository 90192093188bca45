"""Bronze: extracts as delivered (every column as text), plus ingest metadata, appended.

A row that does not split into the schema's columns is kept and flagged ``_malformed``
(its raw text is not kept, since it may hold anything). ``_line`` is the row's line in the
delivered file (header on line 1, one record per line, as the TTP delivers); each file is
read as one partition so that rows keep their order. Writing is idempotent per
delivered file: the rows of one ``_extract_id`` are replaced in one Delta transaction, so
re-running a crashed or repeated ingest neither loses nor doubles rows.

Rows of people whose opt-out is in force when the delivery is loaded never enter the lake:
they are counted (rows and persons) and left out, whatever else is wrong with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from common.schemas import ExtractSchema
from jobs.delta_tables import creating_options, last_commit
from jobs.errors import ExtractError

CORRUPT = "_corrupt_record"
METADATA = ["_extract_id", "_source_file", "_line", "_run_id", "_ingested_at", "_malformed"]
_ROW_IN_PARTITION = (1 << 33) - 1  # monotonically_increasing_id() = partition << 33 | row


@dataclass(frozen=True)
class BronzeResult:
    """Rows read from the file, of which malformed, and left out for an opt-out in force
    (rows and persons); the table's version after the write."""

    rows: int
    malformed: int
    version: int
    dropped_by_optout: int = 0
    persons_dropped_by_optout: int = 0


def raw_schema(schema: ExtractSchema) -> T.StructType:
    fields = [T.StructField(name, T.StringType(), True) for name in schema.names]
    return T.StructType([*fields, T.StructField(CORRUPT, T.StringType(), True)])


def check_header(path: Path, schema: ExtractSchema) -> None:
    """Fail with the missing and unexpected column names when the header is not the schema's."""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        first = handle.readline().strip().lstrip("\ufeff")
    header = [name.strip().strip('"') for name in first.split(",")]
    if header != schema.names:
        missing = [n for n in schema.names if n not in header]
        unexpected = [n for n in header if n not in schema.names]
        raise ExtractError(
            f"{schema.source.value} extract {path.name}: header does not match schema "
            f"(missing: {missing or 'none'}, unexpected: {len(unexpected)} column(s), "
            f"order differs: {not missing and not unexpected})"
        )


def read_extract(spark: SparkSession, path: Path, schema: ExtractSchema) -> DataFrame:
    """The rows of one CSV extract, all columns as strings, plus the ``_corrupt_record`` text."""
    return (
        spark.read.format("csv")
        .option("header", "true")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .option("enforceSchema", "true")
        # One partition per file keeps rows in file order, so a row's line is known.
        .option("multiLine", "true")
        .schema(raw_schema(schema))
        .load(str(path))
    )


def with_ingest_metadata(
    df: DataFrame,
    schema: ExtractSchema,
    *,
    extract_id: str,
    source_file: str,
    run_id: str,
    ingested_at: datetime,
) -> DataFrame:
    """Add lineage columns and turn the raw corrupt-record text into a flag."""
    meta: list[Column] = [
        F.lit(extract_id).alias("_extract_id"),
        F.lit(source_file).alias("_source_file"),
        # The header is line 1 and extracts hold one record per line.
        (F.monotonically_increasing_id().bitwiseAND(_ROW_IN_PARTITION) + 2).alias("_line"),
        F.lit(run_id).alias("_run_id"),
        F.lit(ingested_at).cast("timestamp").alias("_ingested_at"),
        F.col(CORRUPT).isNotNull().alias("_malformed"),
    ]
    return df.select(*[F.col(n) for n in schema.names], *meta)


def run(
    spark: SparkSession,
    path: Path,
    schema: ExtractSchema,
    table: Path,
    *,
    extract_id: str,
    run_id: str,
    ingested_at: datetime,
    opted_out: DataFrame | None = None,
) -> BronzeResult:
    """Load one extract into its bronze table, replacing any earlier load of the same file,
    without the rows whose ``pid`` is in ``opted_out`` (a frame with ``pid``)."""
    check_header(path, schema)
    df = with_ingest_metadata(
        read_extract(spark, path, schema),
        schema,
        extract_id=extract_id,
        source_file=path.name,
        run_id=run_id,
        ingested_at=ingested_at,
    )
    flagged = _flag_opted_out(df, opted_out)
    dropped = F.col(_OPTED_OUT)
    # Counted as the write reads the file, not by a job of their own. The persons left out
    # are the distinct pids among the rows left out: a set no larger than the opt-out
    # registry, which the driver holds anyway, and only its size is kept. Unnamed, the
    # observation gets a name of its own: extracts load side by side in one session.
    observed = Observation()
    counted = flagged.observe(
        observed,
        F.count(F.lit(1)).alias("rows"),
        F.sum(F.col("_malformed").cast("int")).alias("malformed"),
        F.count(F.when(dropped, F.lit(1))).alias("dropped"),
        F.size(F.collect_set(F.when(dropped, F.col("pid")))).alias("persons"),
    )
    kept = counted.where(~dropped).select(*df.columns)
    (
        kept.write.format("delta")
        .mode("overwrite")
        .option("replaceWhere", f"_extract_id = '{extract_id}'")
        .option("mergeSchema", "false")
        .options(**creating_options(spark, table, kept))
        .save(str(table))
    )
    counts = observed.get
    return BronzeResult(
        rows=int(counts["rows"]),
        malformed=int(counts["malformed"] or 0),
        version=last_commit(table).version,
        dropped_by_optout=int(counts["dropped"]),
        persons_dropped_by_optout=int(counts["persons"]),
    )


_OPTED_OUT = "_opted_out"


def _flag_opted_out(df: DataFrame, opted_out: DataFrame | None) -> DataFrame:
    """``df`` with ``_opted_out``: whether the row's ``pid`` has an opt-out in force."""
    if opted_out is None:
        return df.withColumn(_OPTED_OUT, F.lit(False))
    flags = opted_out.select("pid", F.lit(True).alias(_OPTED_OUT))
    joined = df.join(F.broadcast(flags), on="pid", how="left")
    return joined.withColumn(_OPTED_OUT, F.coalesce(F.col(_OPTED_OUT), F.lit(False)))
