"""The append-only, hash-chained audit log.

Each entry holds the SHA-256 hash of the entry before it, and its own hash covers every
field (sequence number, time, actor, action, object, details, previous hash), so editing,
removing or reordering any entry breaks the chain at that point and ``verify`` says where.
Removing entries from the *end* leaves a shorter valid chain: compare the head that
``verify`` reports with one recorded elsewhere (``expected_head``) to detect that.

Entries name actors and objects (user names, permit and dataset ids, states, counts),
never row values: ``details`` accepts only numbers, booleans and short identifiers.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from catalog.audit.domain import AuditEntry
from catalog.audit.store import AuditStore

GENESIS = "0" * 64
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:@/-]{0,120}$")


def _check_details(details: dict[str, Any]) -> dict[str, Any]:
    for key, value in details.items():
        if not _IDENTIFIER.fullmatch(key):
            raise ValueError(f"audit detail key {key!r} is not an identifier")
        if value is None or isinstance(value, bool | int | float):
            continue
        if isinstance(value, str) and _IDENTIFIER.fullmatch(value):
            continue
        if isinstance(value, list | tuple) and all(
            isinstance(v, str) and _IDENTIFIER.fullmatch(v) for v in value
        ):
            continue
        raise ValueError(f"audit detail {key!r} must be a number, a bool or identifiers, never free text")
    return {k: list(v) if isinstance(v, tuple) else v for k, v in details.items()}


def entry_hash(entry: AuditEntry) -> str:
    """The hash of an entry: SHA-256 over a canonical JSON form of every field but the hash."""
    body = {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(
    store: AuditStore,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry after the current head and return it (with its hash)."""
    last = store.last_audit_entry()
    when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    draft = AuditEntry(
        seq=1 if last is None else last.seq + 1,
        at=when,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=_check_details(details or {}),
        prev_hash=GENESIS if last is None else last.entry_hash,
    )
    entry = AuditEntry(**{**draft.__dict__, "entry_hash": entry_hash(draft)})
    store.append_audit(entry)
    return entry


@dataclass(frozen=True)
class Verification:
    """Outcome of ``verify``: how many entries, the head hash, and the first problem if any.

    ``cause`` names the problem for a user interface (``missing``, ``unlinked``, ``altered``,
    ``head``) and ``first_bad`` the position of the first bad entry (None for ``head``).
    """

    entries: int
    head: str
    problem: str | None = None
    cause: str | None = None
    first_bad: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(store: AuditStore, expected_head: str | None = None) -> Verification:
    """Check the whole chain; the first broken link is reported by its sequence number."""
    previous = GENESIS
    entries = store.audit_entries()
    for position, entry in enumerate(entries, start=1):
        if entry.seq != position:
            return Verification(
                position - 1,
                previous,
                f"entry {position} is missing or out of order (found seq {entry.seq})",
                "missing",
                position,
            )
        if entry.prev_hash != previous:
            return Verification(
                position - 1,
                previous,
                f"entry {entry.seq} does not follow entry {entry.seq - 1} (removed or reordered entries)",
                "unlinked",
                position,
            )
        if entry_hash(entry) != entry.entry_hash:
            return Verification(
                position - 1, previous, f"entry {entry.seq} was altered (hash mismatch)", "altered", position
            )
        previous = entry.entry_hash
    if expected_head is not None and expected_head != previous:
        return Verification(
            len(entries),
            previous,
            "the head differs from the expected one (entries removed from the end?)",
            "head",
        )
    return Verification(len(entries), previous)
