"""A researcher's query over a permit, audited: the one way the CLI and the portal run SQL in the SPE.

Every call writes one ``spe.query`` audit entry, whether the query ran, was refused by the
sandbox or disclosure control, or was denied because the user may not use the permit. The
entry names the actor, the permit, the status, the refusal rule or the suppressed cells'
count and rules, the Delta versions read, and the SHA-256 of the SQL text; never the text,
the refusal message (which can quote the SQL) or a value.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
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
from spe.answers import PermitQuery, QueryResult
from spe.differencing_history import ReleaseLog, history_path
from spe.disclosure import DisclosureSettings
from spe.errors import NotPublished, QueryRefused
from spe.sandbox import SandboxLimits
from spe.session import SandboxSession
from spe.snapshots import Snapshots

__all__ = ["QUERY_EVENT", "PermitQuery", "limits_of", "run_permit_query"]

QUERY_EVENT = "spe.query"
# The audit chain appends after its head (a unique sequence number): concurrent sessions of
# one process (the SPE service, the portal) append one at a time instead of colliding.
_AUDIT_LOCK = threading.Lock()


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
    with _AUDIT_LOCK, unit_of_work(settings) as store:
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


def limits_of(settings: Settings) -> SandboxLimits:
    """The resource limits of one SPE session on this instance."""
    return SandboxLimits(
        memory_limit=settings.spe_memory_limit,
        threads=settings.spe_threads,
        time_limit_s=settings.spe_time_limit_seconds,
        max_result_rows=settings.spe_max_result_rows,
    )


def _run(
    settings: Settings,
    permit: Permit,
    tables: Mapping[str, Any],
    versions: dict[str, int],
    sql: str,
    snapshots: Snapshots | None,
) -> tuple[QueryResult, dict[str, int]]:
    """One sandbox session over the permit's tables under its disclosure control."""
    disclosure = disclosure_of(settings, permit)
    with SandboxSession(tables, versions, disclosure, limits_of(settings), snapshots=snapshots) as session:
        read = session.versions
        try:
            evaluated = session.evaluate(sql)
        except QueryRefused as exc:
            return QueryResult(status="refused", reason=str(exc), rule=exc.rule), read
        # The permit's release history, locked from reading it to saving this session's
        # releases: differencing is checked against everything any session of the permit
        # released before. The statement already ran, so a slow one holds no other session.
        with ReleaseLog(history_path(settings, permit.permit_id)) as releases:
            history = releases.history(disclosure.min_persons)
            result = session.disclose(evaluated, history)
            releases.save(history)
    return result, read


def run_permit_query(
    permit_id: str,
    user: str,
    sql: str,
    settings: Settings | None = None,
    at: datetime | None = None,
    *,
    snapshots: Snapshots | None = None,
) -> PermitQuery:
    """Run ``sql`` for ``user`` over ``permit_id``'s tables; audited whatever the outcome.
    The SPE service passes its warm ``snapshots``; the permit and its versions are read from
    the catalogue on every call all the same.

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
    result, versions = _run(settings, permit, tables, built_versions(builds, tables), sql, snapshots)
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
