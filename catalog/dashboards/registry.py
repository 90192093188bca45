"""The registry of released aggregates: what dashboards and the public catalogue may show.

When two stewards release an output request (``spe.airlock.review_output``, in the same
unit of work as the release), its table becomes a released aggregate: the released CSV and
its SHA-256, the permit, the two reviewers, the disclosure thresholds applied, the Delta
versions read, and, through the permit's builds, the silver versions behind each table and
their quality label. Nothing else enters it: no SQL, no author's note beyond what the table
shows, which the stewards reviewed with it.

Publication (the public dashboards and the HealthDCAT-AP export) is allowed while the permit
was granted and is not revoked: EHDS Art 61 makes the results of secondary use public, and
the register already publishes every permit's purpose. A revoked permit's aggregates stay
in the registry for its audit but are shown to no one outside the platform.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from catalog.airlock.domain import OutputRequest, OutputState
from catalog.airlock.releases import as_csv
from catalog.airlock.store import OutputStore
from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.dashboards.domain import Publication, ReleasedAggregate, SourceQuality
from catalog.dashboards.store import AggregateStore
from catalog.datasets.store import DatasetStore
from catalog.errors import NotFound, RuleViolation
from catalog.permits.domain import Application
from catalog.permits.store import PermitBuildStore, PermitStore
from catalog.permits.vocabulary import PermitState

REGISTERED_EVENT = "aggregate.registered"


class Store(AggregateStore, OutputStore, PermitStore, PermitBuildStore, DatasetStore, AuditStore, Protocol):
    """Everything the registry reads and writes."""


def sha256_of(csv_text: str) -> str:
    """The SHA-256 of the released file as downloaded (UTF-8)."""
    return hashlib.sha256(csv_text.encode("utf-8")).hexdigest()


def _sources(
    store: Store, permit_id: str, versions: Mapping[str, int]
) -> dict[str, tuple[SourceQuality, ...]]:
    """Per permit table read: the silver versions its build read, each with its quality label."""
    builds = [b for b in store.permit_builds(permit_id) if b.outcome == "published"]
    out: dict[str, tuple[SourceQuality, ...]] = {}
    for table, version in sorted(versions.items()):
        built = [b for b in builds if b.dataset == table and b.output_version == version]
        if not built:
            out[table] = ()
            continue
        found = []
        for source, silver in sorted(built[-1].source_versions.items()):
            labels = {label.silver_version: label for label in store.quality_labels(source)}
            label = labels.get(silver)
            found.append(SourceQuality(source, silver, None if label is None else label.summary()))
        out[table] = tuple(found)
    return out


def record_release(
    store: Store,
    request: OutputRequest,
    *,
    disclosure: Mapping[str, Any],
    at: datetime | None = None,
    reviewers: Sequence[str] | None = None,
) -> ReleasedAggregate:
    """Register ``request``'s table, which must have been released, as a released aggregate.

    ``disclosure`` is the disclosure control the release check applied (the platform's
    thresholds, stricter where the permit is). ``reviewers`` are the stewards who approved
    it (default: its reviews; a standing indicator's: the two who approved the indicator).
    Registering a request twice is refused.
    """
    if request.state is not OutputState.RELEASED:
        raise RuleViolation(f"{request.request_id} is {request.state}: only a released output is registered")
    if store.find_released_aggregate(request.request_id) is not None:
        raise RuleViolation(f"{request.request_id} is already a released aggregate")
    when = (at or request.decided_at or datetime.now(UTC)).astimezone(UTC)
    permit = store.get_application(request.permit_id)
    if reviewers is None:
        reviewers = [r.reviewer for r in store.output_reviews(request.request_id)]
    csv_text = as_csv(request.result)
    aggregate = ReleasedAggregate(
        aggregate_id=request.request_id,
        permit_id=request.permit_id,
        released_at=when,
        description="" if request.context is None else request.context.shows,
        columns=tuple(request.result.columns),
        rows=tuple(tuple(row) for row in request.result.rows),
        suppressed=tuple(dict(s) for s in request.result.suppressed),
        csv=csv_text,
        sha256=sha256_of(csv_text),
        reviewers=tuple(reviewers),
        disclosure=dict(disclosure),
        versions=dict(request.versions),
        sources=_sources(store, request.permit_id, request.versions),
        period_start=permit.period_start,
        period_end=permit.period_end,
    )
    store.add_released_aggregate(aggregate)
    trail.append(
        store,
        actor="system",
        action=REGISTERED_EVENT,
        object_type="output",
        object_id=request.request_id,
        at=when,
        details={"permit": request.permit_id, "sha256": aggregate.sha256, "rows": len(aggregate.rows)},
    )
    return aggregate


def publication(permit: Application) -> Publication:
    """Whether ``permit``'s aggregates may be shown to the public and exported in the catalogue."""
    if permit.granted_at is None:
        return Publication(False, "the permit was never granted")
    if permit.state is PermitState.REVOKED:
        return Publication(False, "the permit was revoked")
    return Publication(True, "results of a granted permit are public (EHDS Art 61)")


def get_aggregate(store: Store, aggregate_id: str) -> ReleasedAggregate:
    found = store.find_released_aggregate(aggregate_id)
    if found is None:
        raise NotFound(f"no released aggregate {aggregate_id!r}")
    return found


def publishable(store: Store) -> list[tuple[ReleasedAggregate, Application]]:
    """Every aggregate whose permit allows publication, with its permit, oldest first."""
    out = []
    for aggregate in store.list_released_aggregates():
        permit = store.get_application(aggregate.permit_id)
        if publication(permit).allowed:
            out.append((aggregate, permit))
    return out
