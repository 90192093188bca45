"""Audit events from the rest of the platform (opt-out registry, SPE queries, output releases).

``record_event`` opens the instance's catalogue and appends one entry to the hash-chained
audit log in its own transaction. Like every audit entry it names the actor and the object
(a pseudonym or id, never a national number, a query's rows or free text).
"""

from __future__ import annotations

from typing import Any

from catalog.audit import trail
from catalog.audit.domain import AuditEntry
from catalog.db.engine import open_catalog
from catalog.db.store import SqlStore
from common.settings import Settings


def record_event(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> AuditEntry:
    """Append ``action`` by ``actor`` on ``object_type``/``object_id`` to the audit log."""
    with open_catalog(settings).session() as session:
        return trail.append(
            SqlStore(session),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )
