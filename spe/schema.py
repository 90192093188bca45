"""What a researcher sees of a permit's datasets before querying them: tables, columns, provenance.

The listing reads the Delta schema of each permit table at the version the SPE would query,
and describes each column from the catalogue (or from the column's own comment, which the
permit build writes where provenance must travel with the data: wellness rows carry
``patient_entered``). A dataset entered by people themselves says so at table level too.
Listing is audited like a query (``spe.schema_listed``); it shows names and types, no values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from deltalake import DeltaTable

from catalog.db.gateway import unit_of_work
from catalog.errors import NotFound, PermitDenied, UnknownPermit
from catalog.permits.grants import check_can_query
from catalog.permits.queries import get_permit
from common.layout import LakeLayout
from common.schemas import ROW_ID
from common.settings import Settings, get_settings
from spe.errors import NotPublished
from spe.service import audit_permit_event, built_versions

SCHEMA_EVENT = "spe.schema_listed"
# Columns a permit build adds, which no catalogue variable describes.
_ADDED = {
    "person_id": "the permit's own pseudonym of the person: joins this permit's tables, nothing else",
    ROW_ID: "row number of an anonymised dataset, linked to nothing; disclosure control counts it",
}


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class TableInfo:
    """One permit table as the SPE serves it."""

    name: str
    title: str
    version: int
    patient_entered: bool  # entered by people themselves (EHDS): not validated by a professional
    columns: tuple[ColumnInfo, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _type(field: Any) -> str:
    kind = field.type
    return str(getattr(kind, "type", kind))


def permit_schema(
    permit_id: str, user: str, settings: Settings | None = None, at: datetime | None = None
) -> list[TableInfo]:
    """The tables of ``permit_id`` that ``user`` may query, with their columns; audited.

    Raises ``UnknownPermit`` or ``PermitDenied`` (audited) when the user may not use the
    permit, ``NotPublished`` when it has no tables yet.
    """
    settings = settings or get_settings()

    def record(status: str, **details: Any) -> None:
        audit_permit_event(settings, user, permit_id, SCHEMA_EVENT, status, **details)

    try:
        with unit_of_work(settings) as store:
            permit = get_permit(store, permit_id)
            builds = store.permit_builds(permit_id)
            described = {}
            for grant in permit.datasets:
                try:
                    described[grant.name] = store.get_dataset(grant.name).metadata
                except NotFound:
                    described[grant.name] = {}
        check_can_query(permit, user, at)
    except (UnknownPermit, PermitDenied) as exc:
        record("denied", rule="unknown_permit" if isinstance(exc, UnknownPermit) else "permit")
        raise
    tables = LakeLayout(settings.lake).permit_tables(permit_id)
    if not tables:
        record("refused", rule="not_published")
        raise NotPublished(f"permit {permit_id} has no published datasets yet", "not_published")
    versions = built_versions(builds, tables)
    out = []
    for name, path in tables.items():
        table = DeltaTable(str(path), version=versions.get(name))
        meta = described.get(name, {})
        variables = {v["name"]: v["description"] for v in meta.get("variables", [])}
        columns = tuple(
            ColumnInfo(
                f.name,
                _type(f),
                str(f.metadata.get("comment") or variables.get(f.name) or _ADDED.get(f.name, "")),
            )
            for f in table.schema().fields
        )
        title = meta.get("title", {}).get("en", name)
        out.append(TableInfo(name, title, table.version(), bool(meta.get("patient_entered")), columns))
    record("ok", tables=len(out), versions=[f"{t.name}@{t.version}" for t in out])
    return out
