"""One entry of the audit log, as read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the hash-chained audit log: who did what to which object, when."""

    seq: int
    at: str  # ISO 8601 UTC, stored as text so that every database hashes the same bytes
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    entry_hash: str = ""
