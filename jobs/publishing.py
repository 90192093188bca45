"""Permit publishing: each active permit's datasets built in its own workspace, and the
workspaces of ended permits removed.

``publish`` rebuilds every permit in force from silver read at one pinned Delta version per
table: period, opt-outs per policy, the cohort's people, the approved columns; a permit
pseudonym for pseudonymised permits; generalised quasi-identifiers and at least the
configured k for anonymised ones, or nothing at all and a refusal report for the steward.
Every dataset written is recorded in the catalogue with the silver versions it read and its
own version. ``sweep`` deletes the workspace of every expired or revoked permit, and
``vacuum`` removes the files of the permit tables' earlier versions, which may hold people
whose opt-out took effect at this build.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from catalog.db.gateway import unit_of_work
from catalog.permits.builds import ended_permits, record_publication, record_refusal, record_workspace_removed
from catalog.permits.domain import PermitBuild
from catalog.permits.grants import Permit
from catalog.permits.queries import active_permits
from common import progress
from common.layout import LakeLayout, Source, Zone
from common.logging import get_logger, safe
from common.settings import OptOutPolicy, Settings
from common.spark import get_spark
from jobs import delta_tables, optout_registry, permit_datasets, silver
from jobs.cohort_selection import select_cohort
from jobs.errors import SilverUnavailable
from pseudonymisation.keys import PLATFORM_SCOPE, FileKeyStore

log = get_logger(__name__)


def _excluded_person_ids(settings: Settings, spark: SparkSession) -> DataFrame:
    """Platform pseudonyms of everyone whose opt-out is in force, with when it took effect."""
    key = FileKeyStore(settings.keys).current(PLATFORM_SCOPE)
    opted_out = silver.opted_out_frame(spark, optout_registry.in_force(settings))
    return silver.with_platform_pseudonym(opted_out, key)


def excluded_for(permit: Permit, excluded: DataFrame, policy: OptOutPolicy) -> DataFrame:
    """The opt-outs a permit's build must filter: all under ``strict``; under ``regulation``
    only those made before the permit was granted (the regulation's minimum)."""
    if policy is OptOutPolicy.STRICT:
        return excluded
    return excluded.where(F.col("opted_out_at") <= F.lit(permit.granted_at))


@dataclass
class PinnedSilver:
    """Silver tables read at the version current when first asked for, once per run, so that
    every permit of a run sees the same data and the catalogue records what was read."""

    spark: SparkSession
    lake: LakeLayout
    tables: dict[Source, tuple[DataFrame, int]] = field(default_factory=dict)

    def get(self, source: Source) -> tuple[DataFrame, int]:
        if source not in self.tables:
            path = str(self.lake.table(Zone.SILVER, source.value))
            if not DeltaTable.isDeltaTable(self.spark, path):
                raise SilverUnavailable(f"silver {source.value} does not exist yet")
            version = delta_tables.last_commit(self.lake.table(Zone.SILVER, source.value)).version
            df = self.spark.read.format("delta").option("versionAsOf", version).load(path)
            self.tables[source] = (df, version)
        return self.tables[source]

    def versions(self, *sources: Source) -> dict[str, int]:
        return {s.value: self.get(s)[1] for s in sources}


_REFUSALS = {
    "k_anonymity": "k-anonymity not reached; report in the catalogue",
    "identifiers": "record or provider ids approved for anonymised data; report in the catalogue",
    "free_text": "free text approved for anonymised data; report in the catalogue",
}


@dataclass(frozen=True)
class Outcome:
    """What one permit's build did: rows per dataset and the builds to record, or a refusal."""

    rows: dict[str, Any]
    builds: tuple[PermitBuild, ...] = ()
    refusal: dict[str, Any] | None = None


def _cohort(permit: Permit, pinned: PinnedSilver) -> tuple[DataFrame | None, tuple[Source, ...]]:
    if permit.cohort is None:
        return None, ()
    sources = permit.cohort.sources()
    population = pinned.get(Source.POPULATION)[0] if permit.cohort.needs_population else None
    coded: dict[Source, DataFrame] = {s: pinned.get(s)[0] for s in sources if s is not Source.POPULATION}
    # The period of the permit's datasets: one application has one period.
    start = min(g.period_start for g in permit.datasets)
    end = max(g.period_end for g in permit.datasets)
    return select_cohort(permit.cohort, start, end, population, coded), sources


def _identifier_refusal(permit: Permit) -> dict[str, Any] | None:
    """Applications for anonymised data cannot ask for record or provider ids, nor for free
    text; a permit granted before those rules is refused rather than published with them."""
    if permit.anonymisation is None:
        return None
    for rule, columns in (
        ("identifiers", permit_datasets.identifiers),
        ("free_text", permit_datasets.free_text),
    ):
        found = {grant.name: columns(grant) for grant in permit.datasets}
        if any(found.values()):
            return {"rule": rule, "datasets": {name: {rule: ids} for name, ids in found.items() if ids}}
    return None


def _k_refusal(frames: dict[str, DataFrame], required: int) -> dict[str, Any] | None:
    """The report for the steward when a generalised dataset does not reach k; no values."""
    checks = {name: permit_datasets.check_k(df, required) for name, df in frames.items()}
    if all(c.k >= required for c in checks.values()):
        return None
    return {
        "rule": "k_anonymity",
        "required_k": required,
        "datasets": {
            name: {
                "smallest_class": c.k,
                "classes_below_k": c.classes_below,
                "quasi_identifiers": list(c.quasi_identifiers),
            }
            for name, c in checks.items()
        },
    }


def _write(
    spark: SparkSession,
    lake: LakeLayout,
    pinned: PinnedSilver,
    permit: Permit,
    frames: dict[str, DataFrame],
    cohort_sources: tuple[Source, ...],
    at: datetime,
) -> Outcome:
    """Write each permit dataset to the permit's workspace; one published build per dataset."""
    written: dict[str, Any] = {}
    builds = []
    for grant in permit.datasets:
        count, version = permit_datasets.write(
            spark, frames[grant.name], lake.permit_table(permit.permit_id, grant.name)
        )
        written[grant.name] = count
        builds.append(
            PermitBuild(
                permit_id=permit.permit_id,
                outcome="published",
                at=at,
                dataset=grant.name,
                source_versions=pinned.versions(grant.source, *cohort_sources),
                output_version=version,
                rows=count,
                patient_entered=grant.source is Source.WELLNESS,
            )
        )
        log.info(
            "permit.published",
            permit=safe(permit.permit_id),
            dataset=safe(grant.name),
            rows=count,
            version=version,
            anonymised=permit.anonymised,
        )
    return Outcome(rows=written, builds=tuple(builds))


def _build(
    settings: Settings,
    spark: SparkSession,
    lake: LakeLayout,
    pinned: PinnedSilver,
    permit: Permit,
    excluded: DataFrame,
    at: datetime,
) -> Outcome:
    refusal = _identifier_refusal(permit)
    if refusal is not None:
        return Outcome(rows={}, refusal=refusal)
    cohort, cohort_sources = _cohort(permit, pinned)
    if cohort is not None:
        cohort = cohort.cache()
    cached: list[DataFrame] = []
    try:
        frames: dict[str, DataFrame] = {}
        for grant in permit.datasets:
            source = pinned.get(grant.source)[0]
            if permit.anonymisation is None:
                key = FileKeyStore(settings.keys).current(permit.permit_id)
                frames[grant.name] = permit_datasets.build_dataset(source, grant, key, excluded, cohort)
            else:
                rows = permit_datasets.restricted(source, grant, excluded, cohort)
                frames[grant.name] = permit_datasets.generalised(rows, grant, permit.anonymisation).cache()
                cached.append(frames[grant.name])
        if permit.anonymisation is not None:
            refusal = _k_refusal(frames, permit.anonymisation.required_k(settings.k_anonymity))
            if refusal is not None:
                return Outcome(rows={}, refusal=refusal)
            frames = {name: permit_datasets.anonymous_rows(df) for name, df in frames.items()}
        return _write(spark, lake, pinned, permit, frames, cohort_sources, at)
    finally:
        for df in cached:
            df.unpersist()
        if cohort is not None:
            cohort.unpersist()


def _refuse(
    settings: Settings, lake: LakeLayout, permit: Permit, report: dict[str, Any], at: datetime
) -> None:
    # An earlier build may hold people whose opt-out is now in force, or a cohort that no
    # longer reaches k: a refused permit keeps no data at all.
    folder = lake.permit_dir(permit.permit_id)
    report = {**report, "previous_workspace_removed": folder.exists()}
    if folder.exists():
        shutil.rmtree(folder)
    with unit_of_work(settings) as store:
        record_refusal(store, permit.permit_id, report, at)
    if report["rule"] == "k_anonymity":
        log.warning(
            "permit.refused",
            permit=safe(permit.permit_id),
            rule="k_anonymity",
            required_k=report["required_k"],
            smallest_class=min(d["smallest_class"] for d in report["datasets"].values()),
        )
    else:
        log.warning(
            "permit.refused",
            permit=safe(permit.permit_id),
            rule=report["rule"],
            datasets=len(report["datasets"]),
        )


def publish(settings: Settings, now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Rebuild the active permits' datasets from silver; per permit its rows per dataset, or
    ``frozen``, ``refused`` or ``skipped`` with the reason.

    Under the ``strict`` opt-out policy every permit is rebuilt, so an opt-out reaches it at
    this refresh. Under ``regulation`` a permit whose datasets exist already stays frozen:
    opt-outs reach only permits built after them. A permit that cannot be built (a silver
    table it needs is missing, or k is not reached) does not stop the others.
    """
    at = now or datetime.now(UTC)
    spark = get_spark(settings)
    lake = LakeLayout(settings.lake)
    pinned = PinnedSilver(spark, lake)
    excluded = _excluded_person_ids(settings, spark).cache()
    published: dict[str, dict[str, Any]] = {}
    builds: list[PermitBuild] = []
    with unit_of_work(settings) as store:
        in_force = list(active_permits(store).values())
    try:
        for permit in in_force:
            if settings.optout_policy is OptOutPolicy.REGULATION and lake.permit_tables(permit.permit_id):
                published[permit.permit_id] = {"frozen": True}
                log.info("permit.frozen", permit=safe(permit.permit_id))
                continue
            filtered = excluded_for(permit, excluded, settings.optout_policy)
            try:
                with progress.step("permit build", permit.permit_id) as done:
                    outcome = _build(settings, spark, lake, pinned, permit, filtered, at)
                    done.rows = sum(outcome.rows.values()) if outcome.refusal is None else 0
            except SilverUnavailable as exc:
                published[permit.permit_id] = {"skipped": str(exc)}
                log.warning("permit.skipped", permit=safe(permit.permit_id), reason=safe(str(exc)))
                continue
            if outcome.refusal is not None:
                _refuse(settings, lake, permit, outcome.refusal, at)
                published[permit.permit_id] = {"refused": _REFUSALS[outcome.refusal["rule"]]}
                continue
            published[permit.permit_id] = outcome.rows
            builds.extend(outcome.builds)
    finally:
        excluded.unpersist()
    # Dataset versions were recorded when silver changed (``jobs.pipeline``); here the builds.
    rebuilt = {p: rows for p, rows in published.items() if p in {b.permit_id for b in builds}}
    with unit_of_work(settings) as store:
        record_publication(store, rebuilt, builds)
    return published


def sweep(settings: Settings, now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Delete the workspace of every expired or revoked permit (expiring those past their
    date first); per permit removed, its state and the number of workspace files deleted.
    The SPE forgets what such a permit released through its own function
    (``spe.differencing_history.forget_ended``)."""
    lake = LakeLayout(settings.lake)
    removed: dict[str, dict[str, Any]] = {}
    with unit_of_work(settings) as store:
        ended = ended_permits(store, now)
    for permit_id, state in sorted(ended.items()):
        folder = lake.permit_dir(permit_id)
        if not folder.exists():
            continue
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        with unit_of_work(settings) as store:
            record_workspace_removed(store, permit_id, state, files, now)
        log.info("permit.workspace_removed", permit=safe(permit_id), state=safe(state), files=files)
        removed[permit_id] = {"state": state, "files_removed": files}
    return removed


def vacuum(settings: Settings) -> dict[str, dict[str, Any]]:
    """VACUUM every permit workspace with the erasure retention window; per permit and
    dataset, the files removed and whether its earlier versions are gone (or until when they
    are kept).

    A rebuild writes a new version of each table; the files of the previous one, which held
    the people whose opt-out this build applied, stay readable by time travel until this runs.
    """
    lake = LakeLayout(settings.lake)
    permits_root = lake.zone(Zone.PERMITS)
    report: dict[str, dict[str, Any]] = {}
    if not permits_root.is_dir():
        return report
    for folder in sorted(p for p in permits_root.iterdir() if p.is_dir()):
        for dataset, table in lake.permit_tables(folder.name).items():
            done = delta_tables.vacuum(table, settings.erasure_retention_hours)
            report.setdefault(folder.name, {})[dataset] = done.as_dict()
            log.info(
                "permit.vacuumed",
                permit=safe(folder.name),
                dataset=safe(dataset),
                files_removed=done.files_removed,
                files_kept=done.files_kept,
                retention_hours=settings.erasure_retention_hours,
            )
    return report
