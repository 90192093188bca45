"""What the pipeline tells the catalogue after a run: dataset versions and permit publications.

Called by ``jobs.pipeline.publish`` as the platform itself (the ``system`` user): each silver
table's Delta version becomes a catalogue dataset version, each rebuilt permit gets an audit
entry with its row counts, and an approved permit whose datasets are now published becomes
active.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog import audit, datasets, service
from catalog.db import open_catalog
from catalog.enums import PermitState
from catalog.store import SqlStore
from common.settings import Settings


def record_publication(settings: Settings, silver_versions: Mapping[str, tuple[int, int | None]],
                       permits: dict[str, dict[str, int]]) -> None:
    """Record silver (version, rows) by source, and published permit datasets (rows per dataset)."""
    with open_catalog(settings).session() as session:
        store = SqlStore(session)
        for record in store.list_datasets():
            if record.source in silver_versions:
                version, rows = silver_versions[record.source]
                datasets.record_version(store, service.SYSTEM, record.dataset_id, version, rows)
        for permit_id, counts in permits.items():
            audit.append(store, actor=service.SYSTEM.username, action="permit.datasets_published",
                         object_type="permit", object_id=permit_id, details=dict(counts))
            if store.get_application(permit_id).state is PermitState.APPROVED:
                service.activate(store, service.SYSTEM, permit_id)
