"""The opt-out registry as the pipeline sees it: the landing feed goes in, opt-outs in force come out.

The landing opt-out feed is read and checked in Spark (``check_optout``: the registry's own
vocabulary and pid rule) but never written to the lake: its
valid events go to the registry in the catalogue database (``catalog.optout.registry``), its
invalid ones to the quarantine table with rule and reason (no values). So the only place
that keeps the pids of people who opted out is the registry, and nothing under the lake
can bring them back after erasure. Counts reconcile: ``read = loaded + quarantined``,
and ``loaded = recorded + already recorded``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from catalog.db.gateway import unit_of_work
from catalog.optout import registry
from catalog.optout.vocabulary import PID_PATTERN, OptOutAction, OptOutChannel, OptOutSource
from common.layout import Source
from common.schemas import OPTOUT
from common.settings import Settings
from jobs import bronze, silver
from quality import row_rules
from quality.row_checks import REASON, leaks_niss, quarantine_entries

ACTOR = "system"
ISO_UTC = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"  # the session time zone is UTC (common.spark)
# The feed is checked against the registry's own vocabulary and pid rule.
ACTIONS = tuple(action.value for action in OptOutAction)
CHANNELS = tuple(channel.value for channel in OptOutChannel)


def check_optout(bronze: DataFrame) -> DataFrame:
    """Delivered opt-out events plus ``_reject_reason``: the registry's rules for the feed."""
    reason = row_rules.first_reason(
        (leaks_niss(bronze, OPTOUT.names), "leaked_niss"),
        (F.col("_malformed"), "malformed_row"),
        (row_rules.bad_encoding(OPTOUT.names), "invalid_encoding"),
        (row_rules.blank("pid"), "missing_pid"),
        (~F.trim("pid").rlike(PID_PATTERN), "invalid_pid"),
        (row_rules.as_timestamp("event_time").isNull(), "invalid_timestamp"),
        (~F.coalesce(F.col("action").isin(*ACTIONS), F.lit(False)), "unknown_value"),
        (~F.coalesce(F.col("channel").isin(*CHANNELS), F.lit(False)), "unknown_value"),
    )
    return bronze.withColumn(REASON, reason)


def valid_optout_events(checked_events: DataFrame) -> DataFrame:
    """The valid events of ``check_optout``, typed for the registry (time as UTC ISO text)."""
    return checked_events.where(F.col(REASON).isNull()).select(
        F.trim("pid").alias("pid"),
        F.date_format(row_rules.as_timestamp("event_time"), ISO_UTC).alias("event_time"),
        F.col("action"),
        F.col("channel"),
    )


def load_feed(
    spark: SparkSession,
    settings: Settings,
    path: Path,
    quarantine_table: Path,
    *,
    extract_id: str,
    run_id: str,
    received_at: datetime,
) -> dict[str, Any]:
    """Check one delivered opt-out file; record its valid events, quarantine the others.

    Rerunning it for the same file records nothing new (exact duplicates are idempotent)
    and replaces its quarantine entries.
    """
    bronze.check_header(path, OPTOUT)
    raw = bronze.read_extract(spark, path, OPTOUT).cache()
    try:
        delivered = bronze.with_ingest_metadata(
            raw, OPTOUT, extract_id=extract_id, source_file=path.name, run_id=run_id, ingested_at=received_at
        )
        checked = check_optout(delivered)
        counts = checked.agg(
            F.count(F.lit(1)).alias("read"), F.count(F.col(REASON)).alias("quarantined")
        ).first()
        assert counts is not None
        silver.replace_quarantine(
            quarantine_entries(checked, Source.OPTOUT),
            quarantine_table,
            extract_id,
            int(counts["quarantined"]),
        )
        rows = valid_optout_events(checked).collect()
    finally:
        raw.unpersist()
    events = [
        registry.make_event(
            pid=r["pid"],
            action=r["action"],
            event_time=datetime.fromisoformat(r["event_time"]),
            channel=r["channel"],
            agent=None,
            source=OptOutSource.FEED.value,
            received_at=received_at,
        )
        for r in rows
    ]
    with unit_of_work(settings) as store:
        outcome = registry.record(store, events, actor=ACTOR, source=OptOutSource.FEED)
    read, quarantined = int(counts["read"]), int(counts["quarantined"])
    reconciled = silver.SourceCounts(read=read, loaded=len(events), quarantined=quarantined)
    return {
        **reconciled.check("optout").as_dict(),
        "registry_recorded": outcome.recorded,
        "registry_duplicates": outcome.duplicates,
    }


def in_force(settings: Settings) -> dict[str, datetime]:
    """Every pid whose opt-out is in force now, with when it took effect (from the registry)."""
    with unit_of_work(settings) as store:
        return registry.opted_out_now(store)
