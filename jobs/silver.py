"""Silver: typed, validated rows with opted-out people removed and platform pseudonyms.

Opt-outs come from the registry in the catalogue database (``catalog.optout``); the
landing opt-out feed is checked here and loaded there (``jobs.optout_feed``), never kept
in the lake.

Pure transforms first (each a DataFrame -> DataFrame function), the thin ``run_*``
functions at the end. Rows that break a rule go to the quarantine zone with the rule and
the file they came from, never the offending value; counts reconcile exactly:
``read = loaded + quarantined + dropped_by_optout``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from common.errors import HavenError
from common.layout import Source
from common.schemas import CLAIMS, OPTOUT
from jobs import rules
from jobs.delta_tables import ensure_table
from pseudonymisation.keyed_hash import hmac_column
from pseudonymisation.keys import Key
from pseudonymisation.spark_niss import any_column_contains_niss

REASON = "_reject_reason"
LINEAGE = ["_extract_id", "_run_id"]
CLAIM_COLUMNS = ["nomenclature_code", "service_date", "provider_type", "provider_id",
                 "institution_id", "amount_reimbursed", "amount_copay", "amount_supplement"]
ACTIONS = ("optout", "withdrawal")
ISO_UTC = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"  # the session time zone is UTC (common.spark)
PID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"  # as the registry requires (catalog.optout)
CHANNELS = ("online", "phone", "desk")
AMOUNTS = ("amount_reimbursed", "amount_copay", "amount_supplement")


class ReconciliationError(HavenError):
    """Row counts of a step do not add up: something would have been lost or doubled."""


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


# ---- pure transforms -------------------------------------------------------------------

def leaks_niss(bronze: DataFrame, columns: list[str]) -> Column:
    """True where a delivered field holds a raw national number (the pid only if it is one).

    A TTP pid is a random token that may contain an 11-digit run by chance, so it counts
    only when the whole value is a valid number.
    """
    return F.coalesce(any_column_contains_niss(bronze, columns, exact=["pid"]), F.lit(False))

def check_claims(bronze: DataFrame, nomenclature: frozenset[str] | None = None) -> DataFrame:
    """Bronze claims plus ``_reject_reason`` (null for a valid row); with ``nomenclature``,
    the authoritative code list, a well-formed code outside it is rejected too."""
    amount_checks = [(rules.as_amount(c).isNull(), "invalid_amount") for c in AMOUNTS]
    negative = F.lit(False)
    for c in AMOUNTS:
        negative = negative | (rules.as_amount(c) < 0)
    reason = rules.first_reason(
        (leaks_niss(bronze, CLAIMS.names), "leaked_niss"),
        (F.col("_malformed"), "malformed_row"),
        (rules.bad_encoding(CLAIMS.names), "invalid_encoding"),
        (rules.blank("pid"), "missing_pid"),
        (rules.as_date("service_date").isNull(), "invalid_date"),
        (~F.coalesce(F.col("nomenclature_code").rlike(r"^\d{6}$"), F.lit(False)), "invalid_code"),
        (~F.col("nomenclature_code").isin(*sorted(nomenclature)) if nomenclature else F.lit(False),
         "unknown_code"),
        *amount_checks,
        (negative, "negative_amount"),
    )
    return bronze.withColumn(REASON, reason)


def typed_claims_all(checked: DataFrame) -> DataFrame:
    """Every row of ``check_claims`` with its silver types (null where a value does not parse)
    and its ``_reject_reason``: the frame the quality suite judges."""
    return checked.select(
        F.trim("pid").alias("pid"),
        F.col("nomenclature_code"),
        rules.as_date("service_date").alias("service_date"),
        F.col("provider_type"),
        *[F.when(rules.blank(c), None).otherwise(F.col(c)).alias(c)
          for c in ("provider_id", "institution_id")],
        *[rules.as_amount(c).alias(c) for c in AMOUNTS],
        *LINEAGE,
        F.col(REASON),
    )


def typed_claims(checked: DataFrame) -> DataFrame:
    """The valid rows of ``check_claims`` with their silver types (pid still in clear)."""
    return typed_claims_all(checked).where(F.col(REASON).isNull()).drop(REASON)


def check_optout(bronze: DataFrame) -> DataFrame:
    """Delivered opt-out events plus ``_reject_reason``: the registry's rules for the feed."""
    reason = rules.first_reason(
        (leaks_niss(bronze, OPTOUT.names), "leaked_niss"),
        (F.col("_malformed"), "malformed_row"),
        (rules.bad_encoding(OPTOUT.names), "invalid_encoding"),
        (rules.blank("pid"), "missing_pid"),
        (~F.trim("pid").rlike(PID_PATTERN), "invalid_pid"),
        (rules.as_timestamp("event_time").isNull(), "invalid_timestamp"),
        (~F.coalesce(F.col("action").isin(*ACTIONS), F.lit(False)), "unknown_value"),
        (~F.coalesce(F.col("channel").isin(*CHANNELS), F.lit(False)), "unknown_value"),
    )
    return bronze.withColumn(REASON, reason)


def valid_optout_events(checked_events: DataFrame) -> DataFrame:
    """The valid events of ``check_optout``, typed for the registry (time as UTC ISO text)."""
    return checked_events.where(F.col(REASON).isNull()).select(
        F.trim("pid").alias("pid"),
        F.date_format(rules.as_timestamp("event_time"), ISO_UTC).alias("event_time"),
        F.col("action"),
        F.col("channel"),
    )


def opted_out_frame(spark: SparkSession, in_force: Mapping[str, datetime]) -> DataFrame:
    """The registry's opt-outs in force (pid -> when) as a DataFrame ``pid, opted_out_at``."""
    return spark.createDataFrame(sorted(in_force.items()), "pid string, opted_out_at timestamp")


def drop_opted_out(df: DataFrame, opted_out: DataFrame) -> DataFrame:
    """Rows of ``df`` whose ``pid`` has no opt-out in force."""
    return df.join(opted_out.select("pid"), on="pid", how="left_anti")


def with_platform_pseudonym(df: DataFrame, key: Key) -> DataFrame:
    """Replace ``pid`` by ``person_id``, its keyed platform pseudonym."""
    others = [c for c in df.columns if c != "pid"]
    return df.select(hmac_column(key, "pid").alias("person_id"), *others)


def quarantine_entries(checked: DataFrame, source: Source) -> DataFrame:
    """Rejected rows as quarantine entries: where they came from and why, no values."""
    descriptions = F.create_map(*[x for code, text in rules.REASONS.items()
                                  for x in (F.lit(code), F.lit(text))])
    return checked.where(F.col(REASON).isNotNull()).select(
        F.lit(source.value).alias("source"),
        F.col("_source_file").alias("source_file"),
        F.col("_line").alias("source_line"),
        F.col(REASON).alias("rule"),
        descriptions[F.col(REASON)].alias("reason"),
        *LINEAGE,
    )


# ---- thin runners ----------------------------------------------------------------------

def bronze_extract(spark: SparkSession, bronze_table: Path, extract_id: str) -> DataFrame:
    """The bronze rows of one delivered file."""
    return spark.read.format("delta").load(str(bronze_table)).where(
        F.col("_extract_id") == extract_id
    )


def replace_extract(df: DataFrame, table: Path, extract_id: str) -> None:
    ensure_table(df.sparkSession, table, df)
    (df.write.format("delta").mode("overwrite")
       .option("replaceWhere", f"_extract_id = '{extract_id}'")
       .save(str(table)))


def run_claims(spark: SparkSession, checked: DataFrame, quarantine_table: Path,
               silver_table: Path, opted_out: DataFrame, key: Key, extract_id: str, *,
               admit: bool) -> SourceCounts:
    """Checked claims of one delivery to silver, without the people whose opt-out is in force.

    With ``admit`` false (the quality gate failed) only the quarantine is written and the
    valid rows are counted as held; silver keeps its previous version.
    """
    opted_out = opted_out.cache()
    try:
        valid = typed_claims(checked)
        read, quarantined = checked.count(), checked.where(F.col(REASON).isNotNull()).count()
        replace_extract(quarantine_entries(checked, Source.CLAIMS), quarantine_table, extract_id)
        if not admit:
            return SourceCounts(read=read, loaded=0, quarantined=quarantined,
                                held_by_gate=read - quarantined).check("claims")
        kept = drop_opted_out(valid, opted_out)
        dropped = valid.join(opted_out.select("pid"), on="pid", how="left_semi")
        dropped_stats = dropped.agg(F.count(F.lit(1)).alias("rows"),
                                    F.countDistinct("pid").alias("persons")).first()
        assert dropped_stats is not None
        replace_extract(with_platform_pseudonym(kept, key), silver_table, extract_id)
        loaded = spark.read.format("delta").load(str(silver_table)).where(
            F.col("_extract_id") == extract_id).count()
    finally:
        opted_out.unpersist()
    return SourceCounts(
        read=read, loaded=loaded, quarantined=quarantined,
        dropped_by_optout=int(dropped_stats["rows"]),
        persons_dropped_by_optout=int(dropped_stats["persons"]),
    ).check("claims")
