"""The pipeline tells the catalogue each silver version's quality and utility label.

Called as the platform itself (the ``system`` user) after a source passed the quality
gate; the label then appears with the dataset in the catalogue's RDF export
(``dqv:hasQualityAnnotation``) and in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from catalog.audit import trail
from catalog.datasets.domain import QualityLabel
from catalog.datasets.metadata import CatalogueStore
from catalog.people.domain import SYSTEM, User
from catalog.people.roles import Operation, check_can


def record_label(
    store: CatalogueStore,
    source: str,
    silver_version: int,
    run_id: str,
    label: dict[str, Any],
    at: datetime | None = None,
) -> QualityLabel:
    """Store the label of ``source``'s silver ``silver_version`` and audit it."""
    entry = QualityLabel(silver_version, run_id, at or datetime.now(UTC), label)
    store.add_quality_label(source, entry)
    trail.append(
        store,
        actor=SYSTEM.username,
        action="dataset.quality_labelled",
        object_type="source",
        object_id=source,
        details={"silver_version": silver_version},
    )
    return entry


@dataclass(frozen=True)
class DatasetQuality:
    """One dataset's quality as stewards review it: the latest validation results of its source
    (as the pipeline kept them, ``common.quality_results``) and its label per silver version."""

    dataset_id: str
    source: str
    validation: dict[str, Any] | None  # run_id, summary, validation.outcomes; None before any run
    labels: tuple[QualityLabel, ...]  # newest silver version first


def quality_report(
    store: CatalogueStore, actor: User, latest: dict[str, dict[str, Any]]
) -> list[DatasetQuality]:
    """Every dataset's latest validation results and labels (stewards and operators);
    ``latest`` is what ``QualityStore.latest`` read, by source."""
    check_can(actor, Operation.VIEW_QUALITY)
    return [
        DatasetQuality(
            record.dataset_id,
            record.source,
            latest.get(record.source),
            tuple(store.quality_labels(record.source)),
        )
        for record in store.list_datasets()
    ]
