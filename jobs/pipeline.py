"""The pipeline's stages, one function per Airflow task.

Each stage takes the settings and small JSON-able facts (paths, ids, counts) and returns
the same kind of facts, never data. Stages are idempotent: running one again for the same
delivery replaces what it wrote before.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from catalog.audit import trail
from catalog.datasets import descriptions
from catalog.datasets.descriptions import DatasetFacts
from catalog.datasets.quality import record_label
from catalog.db.gateway import unit_of_work
from catalog.errors import InvalidDescription
from common import progress
from common.layout import LAKE_SOURCES, LakeLayout, Source, Zone
from common.logging import get_logger
from common.schemas import SCHEMAS
from common.settings import Settings
from common.spark import get_spark
from jobs import (
    bronze,
    catalogue_facts,
    delta_tables,
    erasure,
    landing,
    optout_registry,
    publishing,
    silver,
    silver_text,
)
from jobs.turns import Turns
from pseudonymisation import spark_text
from pseudonymisation.keys import PLATFORM_SCOPE, FileKeyStore
from quality import row_checks, suites
from quality.gate import passes_gate, summary
from quality.label import Coverage
from quality.label import label as quality_label
from quality.source_rules import RULES
from quality.store import QualityStore
from quality.suites import SuiteContext
from quality.validate import ValidationReport, validate

log = get_logger(__name__)

# Extracts loaded into bronze at once: three kept two cores busy without queueing jobs.
_PARALLEL_LOADS = 3
# Sources refined at once after population (``refine``): three were no faster than two.
_PARALLEL_REFINES = 2


def ingest(
    settings: Settings, landing_dir: Path, run_id: str, ingested_at: datetime
) -> dict[str, dict[str, Any]]:
    """Landing extracts of one delivery to bronze; per source its extract id and row counts.

    Every header is checked before anything is loaded, so a delivery with a wrong file loads
    none. The opt-out feed goes first, to the registry (never to the lake); then the sources
    load side by side (each is a few small Spark jobs and a commit, mostly waiting on the
    scheduler and the disk, and their tables are independent), without the rows of everyone
    whose opt-out is in force by then: those never enter the lake.
    """
    spark = get_spark(settings)
    lake = LakeLayout(settings.lake)
    found = landing.discover(landing_dir)
    for source, path in found.items():
        bronze.check_header(path, SCHEMAS[source])
    out: dict[str, dict[str, Any]] = {}
    if Source.OPTOUT in found:
        out[Source.OPTOUT.value] = _load_feed(settings, spark, found[Source.OPTOUT], run_id, ingested_at)
    opted_out = silver.opted_out_frame(spark, optout_registry.in_force(settings)).cache()

    def load(source: Source, path: Path) -> dict[str, Any]:
        eid = landing.extract_id(path)
        with progress.step("bronze", source.value) as done:
            loaded = bronze.run(
                spark,
                path,
                SCHEMAS[source],
                lake.table(Zone.BRONZE, source.value),
                extract_id=eid,
                run_id=run_id,
                ingested_at=ingested_at,
                opted_out=opted_out,
            )
            done.rows = loaded.rows
        log.info(
            "bronze.loaded",
            source=source,
            rows=loaded.rows,
            malformed=loaded.malformed,
            dropped_by_optout=loaded.dropped_by_optout,
            version=loaded.version,
        )
        return {
            "extract_id": eid,
            "file": str(path),
            "rows": loaded.rows,
            "malformed": loaded.malformed,
            "dropped_by_optout": loaded.dropped_by_optout,
            "persons_dropped_by_optout": loaded.persons_dropped_by_optout,
            "version": loaded.version,
        }

    sources = [source for source in found if source is not Source.OPTOUT]
    try:
        with ThreadPoolExecutor(max_workers=_PARALLEL_LOADS) as pool:
            results = list(pool.map(lambda source: load(source, found[source]), sources))
    finally:
        opted_out.unpersist()
    return out | {source.value: result for source, result in zip(sources, results, strict=True)}


def _load_feed(
    settings: Settings, spark: SparkSession, path: Path, run_id: str, received_at: datetime
) -> dict[str, Any]:
    """The delivery's opt-out feed into the registry: its extract id, file and counts."""
    eid = landing.extract_id(path)
    with progress.step("opt-out registry", Source.OPTOUT.value) as done:
        figures = optout_registry.load_feed(
            spark,
            settings,
            path,
            LakeLayout(settings.lake).table(Zone.QUARANTINE, Source.OPTOUT.value),
            extract_id=eid,
            run_id=run_id,
            received_at=received_at,
        )
        done.rows = figures.get("read")
    return {"extract_id": eid, "file": str(path), "registry": figures}


def _previous_rows(spark: SparkSession, bronze_table: Path, extract_id: str) -> int | None:
    """Row count of the most recent earlier delivery of the same source, if any."""
    if delta_tables.holds_only(bronze_table, "_extract_id", extract_id):
        return None  # a first delivery: told by the log, without a Spark job
    df = spark.read.format("delta").load(str(bronze_table)).where(F.col("_extract_id") != extract_id)
    last = (
        df.groupBy("_extract_id")
        .agg(F.max("_ingested_at").alias("at"), F.count(F.lit(1)).alias("n"))
        .orderBy(F.col("at").desc())
        .first()
    )
    return int(last["n"]) if last is not None else None


def _quality(
    settings: Settings, source: Source, frame: DataFrame, ctx: SuiteContext, run_id: str
) -> ValidationReport:
    report = validate(suites.prepare(frame, None), source.value, suites.SUITES[source](ctx))
    QualityStore(settings.home / "quality").save(
        source.value,
        report_path(settings, run_id).stem,
        {"run_id": run_id, "validation": report.as_dict(), "summary": summary(report)},
    )
    log.info(
        "quality.validated",
        source=source,
        passed=passes_gate(report),
        critical_failures=len(report.critical_failures),
        warnings=len(report.warnings),
    )
    return report


def _label_silver(
    settings: Settings,
    spark: SparkSession,
    source: Source,
    facts: DatasetFacts,
    report: ValidationReport,
    run_id: str,
) -> dict[str, Any]:
    coverage = Coverage(
        persons=facts.persons or 0,
        population=_population_rows(spark, LakeLayout(settings.lake)),
        first_date=str(facts.first_date) if facts.date_column else None,
        last_date=str(facts.last_date) if facts.date_column else None,
    )
    schema = SCHEMAS[source]
    documented = sum(1 for c in schema.columns if c.description) / len(schema.columns)
    assert facts.silver_version is not None
    computed = quality_label(report, coverage, documented, linkable=True)
    result = {
        "dataset": source.value,
        "silver_version": facts.silver_version,
        "run_id": run_id,
        "label": computed,
    }
    # The label is kept once, in the catalogue, with the silver version it grades; the JSON
    # under HAVEN_HOME/quality holds the validation results only.
    with unit_of_work(settings) as catalogue:
        record_label(catalogue, source.value, facts.silver_version, run_id, computed)
    return result


def _describe_silver(settings: Settings, source: Source, facts: DatasetFacts) -> dict[str, Any]:
    """Publish the silver version in the catalogue: its description and facts, one new version.

    A description file that does not validate publishes nothing: the previous catalogue entry
    stays, and the run report says why (the message names the file and the field).
    """
    try:
        with unit_of_work(settings) as catalogue:
            descriptions.publish(catalogue, source.value, facts, settings.dataset_descriptions)
    except InvalidDescription as exc:
        log.warning("catalogue.kept_previous", source=source, reason=str(exc))
        return {"published": False, "kept_previous": True, "reason": str(exc)}
    return {"published": True, "version": facts.silver_version}


def _silver(spark: SparkSession, lake: LakeLayout, source: Source) -> DataFrame | None:
    """One silver table, or None before its first load."""
    table = lake.table(Zone.SILVER, source.value)
    if not DeltaTable.isDeltaTable(spark, str(table)):
        return None
    return spark.read.format("delta").load(str(table))


def _population_rows(spark: SparkSession, lake: LakeLayout) -> int | None:
    """Rows of silver's population (from its log when it can), or None before one was loaded."""
    table = lake.table(Zone.SILVER, Source.POPULATION.value)
    known = delta_tables.logged(table) if (table / "_delta_log").is_dir() else None
    if known is not None:
        return known.rows
    population = _silver_population(spark, lake)
    return population.count() if population is not None else None


def _silver_population(spark: SparkSession, lake: LakeLayout) -> DataFrame | None:
    """Silver's population (``person_id, death_date``), or None before one was loaded."""
    population = _silver(spark, lake, Source.POPULATION)
    return None if population is None else population.select("person_id", "death_date")


def refine(
    settings: Settings, ingested: dict[str, dict[str, Any]], run_id: str, run_after: datetime
) -> dict[str, dict[str, Any]]:
    """Bronze to silver for the delivery ``ingest`` loaded, through the quality gate.

    Per source: the reconciled counts and the gate's verdict. A source whose critical
    expectations fail is not written to silver (its previous version stays in service).
    Population goes first (the others join on it); then two sources at a time, since each
    is many small Spark jobs whose planning leaves cores idle. Their catalogue entries and
    audit entries are still written in source order (``Turns``), and a source that raises
    stops the ones not started yet, as a run of one source after the other would.
    """
    spark = get_spark(settings)
    out: dict[str, dict[str, Any]] = {}
    run_date = run_after.astimezone(UTC).date()
    if Source.OPTOUT.value in ingested:
        # Recorded by ``ingest``, before the sources were loaded.
        out[Source.OPTOUT.value] = {**ingested[Source.OPTOUT.value]["registry"], "quality": "not gated"}
    opted_out = silver.opted_out_frame(spark, optout_registry.in_force(settings)).cache()
    # Text is de-identified after the sources without it: Spark's Python workers start meanwhile.
    texts = any(RULES[s].free_text for s in LAKE_SOURCES if s.value in ingested)
    turns = Turns(LAKE_SOURCES)

    def one(source: Source) -> dict[str, Any]:
        with turns.taking_part(source):
            figures: dict[str, Any] = {}
            # Before this delivery's rows: they are written at the current version anyway.
            rederived = _rederive_text(settings, spark, source, opted_out, run_id, turns)
            if rederived is not None:
                figures["deid_rederived"] = rederived
            if source.value in ingested:
                figures |= _refine_source(
                    settings, spark, source, opted_out, ingested[source.value], run_id, run_date, turns
                )
                log.info(
                    "silver.reconciled",
                    source=source,
                    **{k: v for k, v in figures.items() if isinstance(v, int)},
                )
            return figures

    first, *others = LAKE_SOURCES
    try:
        with spark_text.workers_starting(spark) if texts else nullcontext():
            results = [one(first)]
            with ThreadPoolExecutor(max_workers=_PARALLEL_REFINES, thread_name_prefix="refine") as pool:
                results += list(pool.map(one, others))
    finally:
        opted_out.unpersist()
    return out | {
        source.value: figures for source, figures in zip(LAKE_SOURCES, results, strict=True) if figures
    }


def _rederive_text(
    settings: Settings, spark: SparkSession, source: Source, opted_out: DataFrame, run_id: str, turns: Turns
) -> dict[str, Any] | None:
    """Re-derive the source's silver free text from bronze when the latest silver version was
    written by another de-identification version (``jobs.silver_text``): logged and audited
    with the versions and counts, never text. ``None`` when silver is up to date."""
    lake = LakeLayout(settings.lake)
    if silver_text.out_of_date(source, lake.table(Zone.SILVER, source.value)) is None:
        return None
    with progress.step("re-derive text", source.value) as done:
        rederived = silver_text.rederive(
            spark,
            source,
            lake.table(Zone.BRONZE, source.value),
            lake.table(Zone.SILVER, source.value),
            opted_out,
        )
        done.rows = rederived.rows if rederived is not None else 0
    if rederived is None:
        return None
    figures = rederived.as_dict()
    log.info("silver.text_rederived", **{k: v for k, v in figures.items() if k != "message"})
    turns.wait(source)
    with unit_of_work(settings) as catalogue:
        trail.append(
            catalogue,
            actor="system",
            action="silver.text_rederived",
            object_type="dataset",
            object_id=source.value,
            details={k: v for k, v in figures.items() if k not in ("message", "source")} | {"run_id": run_id},
        )
    return figures


def _refine_source(
    settings: Settings,
    spark: SparkSession,
    source: Source,
    opted_out: DataFrame,
    loaded: dict[str, Any],
    run_id: str,
    run_date: date,
    turns: Turns,
) -> dict[str, Any]:
    """One source's delivery (``loaded``: what ``ingest`` said of it) from bronze to silver."""
    eid = loaded["extract_id"]
    lake = LakeLayout(settings.lake)
    key = FileKeyStore(settings.keys).current(PLATFORM_SCOPE)
    spec = RULES[source]
    bronze_table = lake.table(Zone.BRONZE, source.value)
    checked = row_checks.check(silver.bronze_extract(spark, bronze_table, eid), spec)
    checked = silver.flag_delivered_before(checked, source, _silver(spark, lake, source), key, eid).cache()
    try:
        population = None if source is Source.POPULATION else _silver_population(spark, lake)
        judged = suites.derived(
            source,
            silver.with_population_facts(
                row_checks.typed_all(checked, source), population, opted_out, key, spec.event_date
            ),
        ).cache()
        ctx = SuiteContext(
            run_date=run_date,
            previous_rows=_previous_rows(spark, bronze_table, eid),
            population_known=population is not None,
        )
        try:
            with progress.step("quality", source.value):
                report = _quality(settings, source, judged, ctx, run_id)
        finally:
            judged.unpersist()
        silver_table = lake.table(Zone.SILVER, source.value)
        with progress.step("silver", source.value) as done:
            c = silver.run_source(
                spark,
                source,
                checked,
                lake.table(Zone.QUARANTINE, source.value),
                silver_table,
                opted_out,
                key,
                eid,
                admit=passes_gate(report),
            ).plus_left_out_at_ingest(
                loaded.get("dropped_by_optout", 0), loaded.get("persons_dropped_by_optout", 0)
            )
            done.rows = c.read
    finally:
        checked.unpersist()
    result: dict[str, Any] = {
        **c.as_dict(),
        "quality": summary(report),
        "quality_passed": passes_gate(report),
    }
    if passes_gate(report):
        result["catalogue"] = _catalogue(settings, spark, source, silver_table, report, run_id, turns)
    return result


def _catalogue(
    settings: Settings,
    spark: SparkSession,
    source: Source,
    silver_table: Path,
    report: ValidationReport,
    run_id: str,
    turns: Turns,
) -> dict[str, Any]:
    """The new silver version's quality label and catalogue entry (see ``_describe_silver``)."""
    with progress.step("catalogue", source.value) as done:
        facts = catalogue_facts.silver_facts(spark, source, silver_table)
        turns.wait(source)
        _label_silver(settings, spark, source, facts, report, run_id)
        done.rows = facts.records
        return _describe_silver(settings, source, facts)


def gate_failures(refined: dict[str, dict[str, Any]]) -> list[str]:
    """The quality summaries of the sources the gate stopped."""
    return [f["quality"] for f in refined.values() if f.get("quality_passed") is False]


def erase_opted_out(settings: Settings) -> dict[str, Any]:
    """Delete everyone whose opt-out is in force from the lake; rows erased per table.

    Writes one audit entry with the counts (never a pid). ``bronze/optout`` is only there
    in lakes from before the registry, which kept the feed in the lake.
    """
    spark = get_spark(settings)
    lake = LakeLayout(settings.lake)
    opted_out = silver.opted_out_frame(spark, optout_registry.in_force(settings)).cache()
    try:
        with progress.step("erasure", "lake") as done:
            persons = opted_out.count()
            key = FileKeyStore(settings.keys).current(PLATFORM_SCOPE)
            person_ids = silver.with_platform_pseudonym(opted_out, key)
            # bronze/optout exists only in lakes from before the registry kept the feed.
            targets = {
                f"bronze/{source.value}": (lake.table(Zone.BRONZE, source.value), "pid", opted_out)
                for source in (*LAKE_SOURCES, Source.OPTOUT)
            } | {
                f"silver/{source.value}": (lake.table(Zone.SILVER, source.value), "person_id", person_ids)
                for source in LAKE_SOURCES
            }
            deleted = erasure.erase_all(spark, list(targets.values()))
            erased = {name: deleted[table] for name, (table, _, _) in targets.items()}
            done.rows = sum(erased.values())
    finally:
        opted_out.unpersist()
    log.info("optout.erased", persons_in_force=persons, **{k.replace("/", "_"): v for k, v in erased.items()})
    with unit_of_work(settings) as catalogue:
        trail.append(
            catalogue,
            actor="system",
            action="optout.erased",
            object_type="lake",
            object_id="lake",
            details={"persons_in_force": persons, "rows_erased": sum(erased.values()), **erased},
        )
    return {"persons_opted_out": persons, "rows_erased": erased}


def publish(settings: Settings) -> dict[str, dict[str, Any]]:
    """Rebuild the active permits' datasets from silver; see ``jobs.publishing.publish``."""
    return publishing.publish(settings)


def vacuum_lake(settings: Settings) -> dict[str, Any]:
    """VACUUM every table of the lake with the erasure retention window: tables vacuumed,
    files removed, files of earlier versions still kept (inside the window), and by when
    those will be removable."""
    tables = sorted({p.parent for p in settings.lake.glob("**/_delta_log")})
    with progress.step("vacuum", "lake"):
        done = [delta_tables.vacuum(table, settings.erasure_retention_hours) for table in tables]
    pending = [d.removable_after for d in done if d.removable_after is not None]
    figures = {
        "tables": len(tables),
        "files_removed": sum(d.files_removed for d in done),
        "files_kept": sum(d.files_kept for d in done),
        "retention_hours": settings.erasure_retention_hours,
        "removable_after": max(pending).isoformat(timespec="seconds") if pending else None,
    }
    log.info("lake.vacuumed", **{k: v for k, v in figures.items() if k != "removable_after"})
    return figures


def write_report(
    settings: Settings,
    run_id: str,
    ingested: dict[str, Any],
    refined: dict[str, Any],
    erased: dict[str, Any],
    vacuumed: dict[str, Any],
) -> Path:
    """The run report as JSON under ``home/runs``; returns its path. Permits are rebuilt by
    ``haven_publish`` after the run (``jobs.publishing``), which reports on its own."""
    report = {
        "run_id": run_id,
        "sources": {
            source: {
                # A source can be here with no delivery: its free text was only re-derived.
                "extract_file": Path(ingested[source]["file"]).name if source in ingested else None,
                "bronze_version": ingested.get(source, {}).get("version"),
                **figures,
            }
            for source, figures in refined.items()
        },
        "optout": {**erased, "policy": settings.optout_policy.value},
        "vacuum": vacuumed,
        "quality_failures": gate_failures(refined),
    }
    path = report_path(settings, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return path


def report_path(settings: Settings, run_id: str) -> Path:
    """Where the report of run ``run_id`` is kept."""
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)
    return settings.runs / f"{name}.json"
