"""Silver: typed, validated rows with opted-out people removed and platform pseudonyms.

Every source goes the same way: the row checks (``quality.row_checks``) give each bronze
row the first rule it breaks, and ``run_source`` writes the valid rows of people without an
opt-out in force, under their platform pseudonym, with free text de-identified. Opt-outs
come from the registry in the catalogue database (``catalog.optout.registry``); the landing
opt-out feed is checked and loaded by ``jobs.optout_registry``, never kept in the lake.

Pure transforms first (each a DataFrame -> DataFrame function), the thin ``run_*``
functions at the end. Rows that break a rule go to the quarantine zone with the rule and
the file they came from, never the offending value; counts reconcile exactly:
``read = loaded + quarantined + dropped_by_optout``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from common.layout import Source
from common.schemas import SCHEMAS
from jobs.delta_tables import creating_options, ensure_table, last_commit, may_hold
from jobs.errors import ReconciliationError
from pseudonymisation.keyed_hash import hmac_column
from pseudonymisation.keys import Key
from pseudonymisation.spark_text import deidentify_column
from pseudonymisation.text import version_metadata
from quality.row_checks import REASON, quarantine_entries, typed_all, typed_valid, typed_value
from quality.source_rules import RULES, SourceRules


@dataclass(frozen=True)
class SourceCounts:
    read: int
    loaded: int
    quarantined: int
    dropped_by_optout: int = 0
    persons_dropped_by_optout: int = 0
    held_by_gate: int = 0

    def check(self, source: str) -> SourceCounts:
        accounted = self.loaded + self.quarantined + self.dropped_by_optout + self.held_by_gate
        if self.read != accounted:
            raise ReconciliationError(
                f"{source}: read {self.read} != loaded {self.loaded} + quarantined "
                f"{self.quarantined} + dropped by opt-out {self.dropped_by_optout} "
                f"+ held by the quality gate {self.held_by_gate}"
            )
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def plus_left_out_at_ingest(self, rows: int, persons: int) -> SourceCounts:
        """These counts with the ``rows`` of ``persons`` that ingest left out of bronze for an
        opt-out in force: read from the file, and dropped by opt-out."""
        return replace(
            self,
            read=self.read + rows,
            dropped_by_optout=self.dropped_by_optout + rows,
            persons_dropped_by_optout=self.persons_dropped_by_optout + persons,
        )


# ---- pure transforms -------------------------------------------------------------------


def flag_delivered_before(
    checked: DataFrame, source: Source, silver: DataFrame | None, key: Key, extract_id: str
) -> DataFrame:
    """Mark each valid row whose key a row of an earlier delivery already has in ``silver``.

    Silver keeps every delivery's rows (one ``_extract_id`` each); a record delivered again,
    say a corrected hospital stay, would otherwise be counted twice in every permit. It is
    quarantined with the reason instead, and the earlier row stays: which of the two is right
    is the data provider's call. Rows of this same delivery (a re-run) do not count. A key
    holding ``pid`` is matched on its platform pseudonym, as silver stores it. The population
    is a snapshot (everyone insured on 1 January of the extract year), so each delivery
    lists everyone again: it is not checked.
    """
    schema = SCHEMAS[source]
    if silver is None or not schema.key or source is Source.POPULATION:
        return checked
    columns = {name: ("person_id" if name == "pid" else name) for name in schema.key}
    earlier = (
        silver.where(F.col("_extract_id") != F.lit(extract_id))
        .select(*[F.col(c).alias(f"_earlier_{c}") for c in columns.values()])
        .distinct()
        .withColumn("_earlier", F.lit(True))
    )
    typed = checked.withColumns(
        {
            f"_key_{c}": hmac_column(key, "pid") if name == "pid" else typed_value(schema.column(name))
            for name, c in columns.items()
        }
    )
    condition = [F.col(f"_key_{c}") == F.col(f"_earlier_{c}") for c in columns.values()]
    joined = typed.join(earlier, on=condition, how="left")
    flagged = F.when(F.col(REASON).isNull() & F.col("_earlier"), F.lit("delivered_before"))
    return joined.withColumn(REASON, flagged.otherwise(F.col(REASON))).drop(
        *[f"_key_{c}" for c in columns.values()], *[f"_earlier_{c}" for c in columns.values()], "_earlier"
    )


def deidentified(df: DataFrame, spec: SourceRules) -> DataFrame:
    """``df`` with its free-text columns de-identified (placeholders for personal data)."""
    for column, language in spec.free_text.items():
        if language is None:
            text = deidentify_column(deidentify_column(column, "fr"), "nl")
        else:
            text = deidentify_column(column, language)
        df = df.withColumn(column, text)
    return df


def with_population_facts(
    typed: DataFrame, population: DataFrame | None, opted_out: DataFrame, key: Key, event_date: str | None
) -> DataFrame:
    """Add ``_known_person`` (the pid is in the population) and ``_after_death`` (the event
    is dated after the person's death) for the quality suite; null where unknown.

    ``population`` is silver's (``person_id, death_date``), so the pid is pseudonymised to
    find it; people whose opt-out is in force are not there, so their rows are not judged.
    """
    if population is None:
        return typed.withColumn("_known_person", F.lit(None).cast("boolean")).withColumn(
            "_after_death", F.lit(None).cast("boolean")
        )
    people = population.select(
        F.col("person_id").alias("_person_id"),
        F.col("death_date").alias("_death_date"),
        F.lit(True).alias("_known"),
    )
    optouts = opted_out.select("pid", F.lit(True).alias("_opted_out"))
    joined = (
        typed.withColumn("_person_id", hmac_column(key, "pid"))
        .join(F.broadcast(people), on="_person_id", how="left")
        .join(F.broadcast(optouts), on="pid", how="left")
    )
    after = F.lit(None).cast("boolean")
    if event_date:
        after = F.when(
            F.col("_known") & F.col(event_date).isNotNull(),
            F.coalesce(F.col(event_date) > F.col("_death_date"), F.lit(False)),
        )
    return joined.select(
        *typed.columns,
        F.when(F.col("_opted_out"), None)
        .otherwise(F.coalesce("_known", F.lit(False)))
        .alias("_known_person"),
        after.alias("_after_death"),
    )


def opted_out_frame(spark: SparkSession, in_force: Mapping[str, datetime]) -> DataFrame:
    """The registry's opt-outs in force (pid -> when) as a DataFrame ``pid, opted_out_at``.

    Built from an Arrow table, which the JVM reads directly: a list of Python rows would be
    converted by Python workers, started for that alone.
    """
    pids, times = zip(*sorted(in_force.items()), strict=True) if in_force else ((), ())
    table = pa.table(
        {
            "pid": pa.array(pids, pa.string()),
            "opted_out_at": pa.array(times, pa.timestamp("us", tz="UTC")),
        }
    )
    return spark.createDataFrame(table)


def drop_opted_out(df: DataFrame, opted_out: DataFrame) -> DataFrame:
    """Rows of ``df`` whose ``pid`` has no opt-out in force."""
    return df.join(opted_out.select("pid"), on="pid", how="left_anti")


def with_platform_pseudonym(df: DataFrame, key: Key) -> DataFrame:
    """Replace ``pid`` by ``person_id``, its keyed platform pseudonym."""
    others = [c for c in df.columns if c != "pid"]
    return df.select(hmac_column(key, "pid").alias("person_id"), *others)


# ---- thin runners ----------------------------------------------------------------------


def bronze_extract(spark: SparkSession, bronze_table: Path, extract_id: str) -> DataFrame:
    """The bronze rows of one delivered file."""
    return spark.read.format("delta").load(str(bronze_table)).where(F.col("_extract_id") == extract_id)


def delivery_counts(checked: DataFrame, source: Source, opted_out: DataFrame) -> SourceCounts:
    """Rows read, quarantined, and valid but dropped by an opt-out (with their persons), in one
    Spark job; ``loaded`` is left at 0 for the write to fill in."""
    typed = typed_all(checked, source).join(
        F.broadcast(opted_out.select("pid", F.lit(True).alias("_opted_out"))), on="pid", how="left"
    )
    dropped = F.col(REASON).isNull() & F.col("_opted_out").isNotNull()
    row = typed.agg(
        F.count(F.lit(1)).alias("read"),
        F.count(F.col(REASON)).alias("quarantined"),
        F.count(F.when(dropped, F.lit(1))).alias("dropped"),
        F.count_distinct(F.when(dropped, F.col("pid"))).alias("persons"),
    ).first()
    assert row is not None
    return SourceCounts(
        read=int(row["read"]),
        loaded=0,
        quarantined=int(row["quarantined"]),
        dropped_by_optout=int(row["dropped"]),
        persons_dropped_by_optout=int(row["persons"]),
    )


def replace_extract(df: DataFrame, table: Path, extract_id: str, user_metadata: str | None = None) -> None:
    """Replace the rows of one extract; ``user_metadata`` is recorded in the Delta commit. A
    missing table is created by this write (its version 0)."""
    writer = (
        df.write.format("delta")
        .mode("overwrite")
        .option("replaceWhere", f"_extract_id = '{extract_id}'")
        .options(**creating_options(df.sparkSession, table, df))
    )
    if user_metadata is not None:
        writer = writer.option("userMetadata", user_metadata)
    writer.save(str(table))


def replace_quarantine(entries: DataFrame, table: Path, extract_id: str, count: int) -> None:
    """Replace one extract's ``count`` quarantine entries; no commit (nor table) when it has
    none and the table holds none of it from an earlier run (most deliveries)."""
    if count or may_hold(table, "_extract_id", extract_id):
        replace_extract(entries, table, extract_id)


def run_source(
    spark: SparkSession,
    source: Source,
    checked: DataFrame,
    quarantine_table: Path,
    silver_table: Path,
    opted_out: DataFrame,
    key: Key,
    extract_id: str,
    *,
    admit: bool,
) -> SourceCounts:
    """Checked rows of one delivery to silver, without the people whose opt-out is in force,
    with platform pseudonyms and de-identified free text.

    With ``admit`` false (the quality gate failed) only the quarantine is written and the
    valid rows are counted as held; silver keeps its previous version.
    """
    opted_out = opted_out.cache()
    try:
        counted = delivery_counts(checked, source, opted_out)
        replace_quarantine(
            quarantine_entries(checked, source), quarantine_table, extract_id, counted.quarantined
        )
        if not admit:
            return SourceCounts(
                read=counted.read,
                loaded=0,
                quarantined=counted.quarantined,
                held_by_gate=counted.read - counted.quarantined,
            ).check(source.value)
        kept = drop_opted_out(typed_valid(checked, source), opted_out)
        rows = deidentified(with_platform_pseudonym(kept, key), RULES[source])
        # Each silver version records the de-identification version its free text went
        # through, so text written by an older one can be found and re-derived.
        metadata = version_metadata() if RULES[source].free_text else None
        # Silver's version 0 is the empty table: the versions the catalogue publishes start at 1.
        ensure_table(spark, silver_table, rows)
        replace_extract(rows, silver_table, extract_id, metadata)
        # What the commit wrote, from the Delta log: rows of other extracts that shared a
        # rewritten file are copied, not loaded.
        written = last_commit(silver_table)
        loaded = written.metric("numOutputRows") - written.metric("numCopiedRows")
    finally:
        opted_out.unpersist()
    return SourceCounts(
        read=counted.read,
        loaded=loaded,
        quarantined=counted.quarantined,
        dropped_by_optout=counted.dropped_by_optout,
        persons_dropped_by_optout=counted.persons_dropped_by_optout,
    ).check(source.value)
