"""What the audit trail needs from storage (``catalog.db`` implements it)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from catalog.audit.domain import AuditEntry


class AuditStore(Protocol):
    def last_audit_entry(self) -> AuditEntry | None: ...
    def append_audit(self, entry: AuditEntry) -> None: ...
    def audit_entries(self) -> list[AuditEntry]: ...
    def audit_entries_of(
        self, *, actor: str, actions: Collection[str], object_type: str, object_id: str, limit: int
    ) -> list[AuditEntry]: ...
