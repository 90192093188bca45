"""What the pipeline tells the catalogue after a run: permit builds and ended permits.

Called by ``jobs.publishing`` as the platform itself (the ``system`` user; dataset versions
are recorded when silver changes, by ``catalog.datasets.descriptions.publish``): each permit
dataset written is a ``published`` build with the silver versions it read and its own output
version; a permit whose build was refused gets a ``refused`` build with the report for the
steward; a removed workspace gets a ``removed`` build. Each has an audit entry, and an
approved permit whose datasets are now published becomes active.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from catalog.audit import trail
from catalog.people.domain import SYSTEM
from catalog.permits import service
from catalog.permits.domain import PermitBuild
from catalog.permits.lifecycle import ENDED
from catalog.permits.store import PermitBuildStore
from catalog.permits.vocabulary import PermitState


class Store(service.Store, PermitBuildStore, Protocol):
    """What recording a run needs: the workflow's stores and the builds."""


def record_publication(
    store: Store,
    permits: dict[str, dict[str, int]],
    builds: Sequence[PermitBuild] = (),
) -> None:
    """Record published permit datasets (rows per dataset) and, per dataset, the build that wrote it."""
    for build in builds:
        store.add_permit_build(build)
    for permit_id, counts in permits.items():
        details: dict[str, Any] = dict(counts)
        written = {
            b.dataset: b.output_version for b in builds if b.permit_id == permit_id and b.dataset is not None
        }
        details.update({f"{name}.version": version for name, version in written.items()})
        trail.append(
            store,
            actor=SYSTEM.username,
            action="permit.datasets_published",
            object_type="permit",
            object_id=permit_id,
            details=details,
        )
        if store.get_application(permit_id).state is PermitState.APPROVED:
            service.activate(store, SYSTEM, permit_id)


def flat(report: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested report as the audit log takes details: one level, keys joined with dots."""
    out: dict[str, Any] = {}
    for key, value in report.items():
        if isinstance(value, Mapping):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def record_refusal(
    store: Store, permit_id: str, report: Mapping[str, Any], at: datetime | None = None
) -> None:
    """A permit's build was refused (k-anonymity not reached, or record ids approved for
    anonymised data): the report goes to the catalogue, where the steward reads it, and to
    the audit log. It holds no values."""
    when = at or datetime.now(UTC)
    store.add_permit_build(PermitBuild(permit_id=permit_id, outcome="refused", at=when, report=dict(report)))
    trail.append(
        store,
        actor=SYSTEM.username,
        action="permit.build_refused",
        object_type="permit",
        object_id=permit_id,
        at=when,
        details=flat(report),
    )


def ended_permits(store: Store, now: datetime | None = None) -> dict[str, str]:
    """Move permits past their expiry to expired (and incomplete applications past their
    completion window to rejected), then return every expired or revoked permit's id with
    its state."""
    service.expire_due(store, SYSTEM, now)
    service.lapse_due(store, SYSTEM, now)
    return {a.application_id: a.state.value for a in store.list_applications(ENDED)}


def record_workspace_removed(
    store: Store, permit_id: str, state: str, files: int, at: datetime | None = None
) -> None:
    """The workspace of an ended permit was deleted from the lake (``files`` files)."""
    when = at or datetime.now(UTC)
    details = {"state": state, "files_removed": files}
    store.add_permit_build(PermitBuild(permit_id=permit_id, outcome="removed", at=when, report=details))
    trail.append(
        store,
        actor=SYSTEM.username,
        action="permit.workspace_removed",
        object_type="permit",
        object_id=permit_id,
        at=when,
        details=details,
    )
