"""The pipeline's stages, one function per Airflow task.

Each stage takes the settings and small JSON-able facts (paths, ids, counts) and returns
the same kind of facts, never data. Stages are idempotent: running one again for the same
delivery replaces what it wrote before.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from deltalake import DeltaTable

from catalog.permits import active_permits
from catalog.publication import record_publication
from common.layout import LakeLayout, Source, Zone
from common.logging import get_logger, safe
from common.schemas import SCHEMAS
from common.settings import Settings
from common.spark import get_spark
from jobs import bronze, landing, permits, silver
from pseudonymisation.keys import PLATFORM_SCOPE, FileKeyStore

log = get_logger(__name__)


def ingest(settings: Settings, landing_dir: Path, run_id: str,
           ingested_at: datetime) -> dict[str, dict[str, Any]]:
    """Landing extracts of one delivery to bronze; per source its extract id and row counts."""
    spark = get_spark(settings)
    lake = LakeLayout(settings.lake)
    result: dict[str, dict[str, Any]] = {}
    for source, path in landing.discover(landing_dir).items():
        eid = landing.extract_id(path)
        loaded = bronze.run(spark, path, SCHEMAS[source], lake.table(Zone.BRONZE, source.value),
                            extract_id=eid, run_id=run_id, ingested_at=ingested_at)
        log.info("bronze.loaded", source=source, rows=loaded.rows, malformed=loaded.malformed,
                 version=loaded.version)
        result[source.value] = {"extract_id": eid, "file": str(path), "rows": loaded.rows,
                                "malformed": loaded.malformed, "version": loaded.version}
    return result


def refine(settings: Settings, ingested: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Bronze to silver for the delivery ``ingest`` loaded; per source the reconciled counts."""
    spark = get_spark(settings)
    lake = LakeLayout(settings.lake)
    key = FileKeyStore(settings.keys).current(PLATFORM_SCOPE)
    counts: dict[str, dict[str, int]] = {}
    if Source.OPTOUT.value in ingested:
        c = silver.run_optout(spark, lake.table(Zone.BRONZE, Source.OPTOUT.value),
                              lake.table(Zone.QUARANTINE, Source.OPTOUT.value),
                              ingested[Source.OPTOUT.value]["extract_id"])
        counts[Source.OPTOUT.value] = c.as_dict()
    opted_out = silver.opted_out_now(spark, lake.table(Zone.BRONZE, Source.OPTOUT.value))
    c = silver.run_claims(spark, lake.table(Zone.BRONZE, Source.CLAIMS.value),
                          lake.table(Zone.QUARANTINE, Source.CLAIMS.value),
                          lake.table(Zone.SILVER, Source.CLAIMS.value), opted_out, key,
                          ingested[Source.CLAIMS.value]["extract_id"])
    counts[Source.CLAIMS.value] = c.as_dict()
    for source, figures in counts.items():
        log.info("silver.reconciled", source=safe(source), **figures)
    return counts


def publish(settings: Settings) -> dict[str, dict[str, int]]:
    """Rebuild every active permit's datasets from silver; rows per permit and dataset."""
    spark = get_spark(settings)
    lake = LakeLayout(settings.lake)
    store = FileKeyStore(settings.keys)
    platform_key = store.current(PLATFORM_SCOPE)
    opted_out = silver.opted_out_now(spark, lake.table(Zone.BRONZE, Source.OPTOUT.value))
    excluded = silver.with_platform_pseudonym(opted_out.select("pid"), platform_key).cache()
    published: dict[str, dict[str, int]] = {}
    in_force = list(active_permits(settings).values())
    try:
        for permit in in_force:
            permit_key = store.current(permit.permit_id)
            rows = {}
            for grant in permit.datasets:
                rows[grant.name] = permits.run(
                    spark, lake.table(Zone.SILVER, grant.source.value),
                    lake.permit_table(permit.permit_id, grant.name), grant, permit_key, excluded)
                log.info("permit.published", permit=safe(permit.permit_id),
                         dataset=safe(grant.name), rows=rows[grant.name])
            published[permit.permit_id] = rows
    finally:
        excluded.unpersist()
    # The catalogue records the silver versions (and row counts) the permits were built from.
    versions = {}
    for source in {grant.source.value for permit in in_force for grant in permit.datasets}:
        path = str(lake.table(Zone.SILVER, source))
        versions[source] = (DeltaTable(path).version(), spark.read.format("delta").load(path).count())
    record_publication(settings, versions, published)
    return published


def write_report(settings: Settings, run_id: str, ingested: dict[str, Any],
                 refined: dict[str, Any], published: dict[str, Any]) -> Path:
    """The run report as JSON under ``home/runs``; returns its path."""
    report = {
        "run_id": run_id,
        "sources": {
            source: {"extract_file": Path(ingested[source]["file"]).name,
                     "bronze_version": ingested[source]["version"], **figures}
            for source, figures in refined.items()
        },
        "permits": published,
    }
    path = report_path(settings, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return path


def report_path(settings: Settings, run_id: str) -> Path:
    """Where the report of run ``run_id`` is kept."""
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)
    return settings.runs / f"{name}.json"
