"""A researcher's query over a permit, audited: the one way the CLI and the portal run SQL in the SPE.

Every call writes one ``spe.query`` audit entry, whether the query ran, was refused by the
sandbox or disclosure control, or was denied because the user may not use the permit. The
entry names the actor, the permit, the status, the refusal rule or the suppressed cells'
count and rules, the Delta versions read, and the SHA-256 of the SQL text; never the text,
the refusal message (which can quote the SQL) or a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog.airlock.releases import sql_digest
from catalog.audit import trail
from catalog.db.gateway import unit_of_work
from catalog.errors import PermitDenied, UnknownPermit
from catalog.permits.domain import PermitBuild
from catalog.permits.grants import Permit, check_can_query
from catalog.permits.queries import get_permit
from common.layout import LakeLayout, check_name
from common.settings import Settings, get_settings
from spe.differencing_history import ReleaseLog, history_path
from spe.disclosure import DisclosureSettings
from spe.errors import NotPublished
from spe.session import QueryResult, SandboxSession

QUERY_EVENT = "spe.query"


@dataclass(frozen=True)
class PermitQuery:
    """A query's result (after disclosure control) and the Delta versions its session read."""

    result: QueryResult
    versions: dict[str, int]


def _object_id(permit_id: str) -> str:
    try:
        check_name("permit", permit_id)
    except ValueError:
        return "invalid-id"  # an id that is no identifier is not copied into the log
    return permit_id


def audit_permit_event(
    settings: Settings, user: str, permit_id: str, action: str, status: str, **details: Any
) -> None:
    """One audit entry of a researcher's action on a permit in the SPE: ids, status, counts."""
    with unit_of_work(settings) as store:
        trail.append(
            store,
            actor=user,
            action=action,
            object_type="permit",
            object_id=_object_id(permit_id),
            details={"status": status, **details},
        )


def built_versions(builds: Sequence[PermitBuild], tables: Mapping[str, Any]) -> dict[str, int]:
    """The Delta version of each table as the permit's newest build wrote it (recorded in the
    catalogue), so a session reads what the build published and a result can be reproduced;
    tables without a recorded build are read at their newest version."""
    versions: dict[str, int] = {}
    for build in builds:
        if build.outcome == "removed":
            versions.clear()
        elif (
            build.outcome == "published"
            and build.dataset is not None
            and build.dataset in tables
            and build.output_version is not None
        ):
            versions[build.dataset] = build.output_version
    return versions


def disclosure_of(settings: Settings, permit: Permit) -> DisclosureSettings:
    """The disclosure control in force for ``permit``: the platform's, stricter where the permit is."""
    return DisclosureSettings.for_permit(
        settings.disclosure, permit.disclosure.overrides() if permit.disclosure else {}
    )


def _run(
    settings: Settings, permit: Permit, tables: Mapping[str, Any], versions: dict[str, int], sql: str
) -> tuple[QueryResult, dict[str, int]]:
    """One sandbox session over the permit's tables under its disclosure control."""
    disclosure = disclosure_of(settings, permit)
    # The permit's release history, locked for this session: differencing is checked against
    # everything any session of the permit released before.
    with ReleaseLog(history_path(settings, permit.permit_id)) as releases:
        history = releases.history(disclosure.min_persons)
        with SandboxSession(tables, versions, disclosure, history=history) as session:
            result = session.run(sql)
            read = session.versions
        releases.save(history)
    return result, read


def run_permit_query(
    permit_id: str, user: str, sql: str, settings: Settings | None = None, at: datetime | None = None
) -> PermitQuery:
    """Run ``sql`` for ``user`` over ``permit_id``'s tables; audited whatever the outcome.

    Raises ``UnknownPermit`` or ``PermitDenied`` (after auditing the denial) when the user may
    not query the permit, ``NotPublished`` when it has no tables; a refused query comes back
    as ``result.status == "refused"``.
    """
    settings = settings or get_settings()
    digest = sql_digest(sql)

    def record(status: str, **details: Any) -> None:
        audit_permit_event(settings, user, permit_id, QUERY_EVENT, status, sql_sha256=digest, **details)

    try:
        with unit_of_work(settings) as store:
            permit = get_permit(store, permit_id)
            builds = store.permit_builds(permit_id)
        check_can_query(permit, user, at)
    except UnknownPermit:
        record("denied", rule="unknown_permit")
        raise
    except PermitDenied:
        record("denied", rule="permit")
        raise
    tables = LakeLayout(settings.lake).permit_tables(permit_id)
    if not tables:
        record("refused", rule="not_published")
        raise NotPublished(
            f"permit {permit_id} has no published datasets yet: run `haven pipeline run`", "not_published"
        )
    result, versions = _run(settings, permit, tables, built_versions(builds, tables), sql)
    read = [f"{table}@{version}" for table, version in sorted(versions.items())]
    if result.status == "ok":
        record(
            "ok",
            suppressed=len(result.suppressed),
            rows=len(result.rows),
            rules=sorted({str(s["rule"]) for s in result.suppressed}),
            versions=read,
        )
    else:
        record("refused", rule=result.rule or "shape", versions=read)
    return PermitQuery(result, versions)
