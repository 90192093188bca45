"""The pipeline tells the catalogue each silver version's quality and utility label.

Called as the platform itself (the ``system`` user) after a source passed the quality
gate; the label then appears with the dataset in the catalogue's RDF export
(``dqv:hasQualityAnnotation``) and in the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalog.audit import trail
from catalog.datasets.domain import QualityLabel
from catalog.datasets.metadata import CatalogueStore
from catalog.people.domain import SYSTEM


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
