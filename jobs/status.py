"""Where an instance stands, in one read: its home and backends, the last run of each DAG, the
silver tables, permits, opt-outs, pending work, the audit chain's head and the lake's size.

Counts and identifiers of the platform's own objects only (permit ids, run ids, versions):
nothing of the data. It starts no Spark session: the Delta logs are read with ``deltalake``
and Airflow's metadata database with SQLAlchemy, both read-only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from catalog.airlock.lifecycle import REVIEWABLE
from catalog.audit.trail import verify
from catalog.db.gateway import unit_of_work
from catalog.optout import registry
from catalog.permits.lifecycle import AWAITING_DECISION, IN_FORCE
from common.layout import LAKE_SOURCES, LakeLayout, Zone
from common.settings import Settings
from quality.source_rules import RULES

# The DAGs an instance runs, in the order data flows through them.
DAGS = ("haven_ingest", "haven_publish", "haven_optout")


@dataclass(frozen=True)
class DagRun:
    dag_id: str
    run_id: str | None  # None: never run on this instance
    state: str | None
    started: datetime | None
    ended: datetime | None


@dataclass(frozen=True)
class SilverTable:
    name: str
    version: int | None  # None: no delivery reached silver yet
    rows: int
    # Free-text tables only: the de-identification version their text went through ("" when
    # written before versions were recorded) and whether it is this code's.
    deid_version: str | None = None
    deid_current: bool | None = None


@dataclass(frozen=True)
class InstanceStatus:
    home: str
    backends: dict[str, str]
    dags: list[DagRun]
    silver: list[SilverTable]
    permits_in_force: list[str]
    optouts_in_force: int
    applications_pending: int
    releases_pending: int
    audit_entries: int
    audit_head: str
    audit_intact: bool
    lake_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def backends(settings: Settings) -> dict[str, str]:
    """What each store runs on; URLs without their passwords."""
    return {
        "catalogue": make_url(str(settings.catalog_url)).render_as_string(hide_password=True),
        "airflow_metadata": make_url(settings.airflow_metadata_url).render_as_string(hide_password=True),
        "spark": settings.spark_master,
        "lake": str(settings.lake),
        "keys": str(settings.keys),
    }


def last_runs(airflow_db_url: str) -> list[DagRun]:
    """The latest run of each of Haven's DAGs, from Airflow's metadata database (read only)."""
    latest: dict[str, DagRun] = {}
    url = make_url(airflow_db_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return [DagRun(dag, None, None, None, None) for dag in DAGS]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT dag_id, run_id, state, start_date, end_date FROM dag_run "
                    "WHERE dag_id IN :dags ORDER BY start_date"
                ).bindparams(sa.bindparam("dags", expanding=True)),
                {"dags": list(DAGS)},
            )
            for dag_id, run_id, state, started, ended in rows:
                latest[dag_id] = DagRun(dag_id, run_id, state, _when(started), _when(ended))
    except sa.exc.OperationalError:
        pass  # a metadata database Airflow has not migrated yet holds no run
    finally:
        engine.dispose()
    return [latest.get(dag, DagRun(dag, None, None, None, None)) for dag in DAGS]


def _when(value: datetime | str | None) -> datetime | None:
    """SQLite gives Airflow's timestamps back as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def silver_tables(layout: LakeLayout) -> list[SilverTable]:
    """Every silver table's current Delta version and row count, from its log's statistics,
    and for tables with free text the de-identification version of that text."""
    from deltalake import DeltaTable

    from jobs.text_versions import current_text_version

    tables = []
    for source in LAKE_SOURCES:
        path = layout.table(Zone.SILVER, source.value)
        if not (path / "_delta_log").is_dir():
            tables.append(SilverTable(source.value, None, 0))
            continue
        table = DeltaTable(str(path))
        records = table.get_add_actions(flatten=True).column("num_records").to_pylist()
        text = current_text_version(path) if RULES[source].free_text else None
        tables.append(
            SilverTable(
                source.value,
                table.version(),
                sum(r or 0 for r in records),
                deid_version=None if text is None else text.deid_version or "",
                deid_current=None if text is None else text.current,
            )
        )
    return tables


def disk_used(folder: Path) -> int:
    """Bytes of every file under ``folder`` (0 when it does not exist)."""
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def instance_status(settings: Settings) -> InstanceStatus:
    """The whole picture; reads the catalogue, the lake's Delta logs and Airflow's runs."""
    with unit_of_work(settings) as store:
        in_force = sorted(a.application_id for a in store.list_applications(IN_FORCE))
        pending = len(store.list_applications(AWAITING_DECISION))
        releases = sum(1 for r in store.list_output_requests() if r.state in REVIEWABLE)
        optouts = registry.status(store).persons_opted_out
        chain = verify(store)
    return InstanceStatus(
        home=str(settings.home),
        backends=backends(settings),
        dags=last_runs(settings.airflow_metadata_url),
        silver=silver_tables(LakeLayout(settings.lake)),
        permits_in_force=in_force,
        optouts_in_force=optouts,
        applications_pending=pending,
        releases_pending=releases,
        audit_entries=chain.entries,
        audit_head=chain.head,
        audit_intact=chain.ok,
        lake_bytes=disk_used(settings.lake),
    )
