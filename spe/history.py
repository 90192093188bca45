"""A researcher's own query history on a permit, read from the audit trail.

The audit trail is the one record of every query the SPE ran (``spe.service`` writes an
``spe.query`` entry whatever the outcome), so the history is that record, filtered to one
user and one permit: when, the outcome, the refusal rule or the suppressed cells' rules, the
Delta versions read and the SHA-256 of the SQL. The SQL text itself is in no log by design;
a researcher matches a history line to a query by its fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog.db.gateway import unit_of_work
from common.settings import Settings
from spe.service import QUERY_EVENT

HISTORY_LENGTH = 50


@dataclass(frozen=True)
class PastQuery:
    """One query of the history, as the audit trail recorded it (no text, no values)."""

    at: datetime
    status: str  # ok, refused, denied
    rule: str | None  # the refusal or denial rule
    rows: int | None
    suppressed: int | None
    rules: tuple[str, ...]  # the rules of the suppressed cells
    versions: tuple[str, ...]
    sql_sha256: str


def _past(at: str, details: dict[str, Any]) -> PastQuery:
    return PastQuery(
        at=datetime.fromisoformat(at),
        status=str(details.get("status", "")),
        rule=details.get("rule"),
        rows=details.get("rows"),
        suppressed=details.get("suppressed"),
        rules=tuple(details.get("rules", ())),
        versions=tuple(details.get("versions", ())),
        sql_sha256=str(details.get("sql_sha256", "")),
    )


def own_queries(
    settings: Settings, permit_id: str, user: str, limit: int = HISTORY_LENGTH
) -> list[PastQuery]:
    """``user``'s newest queries on ``permit_id``, newest first: only their own, never a
    colleague's on the same permit."""
    with unit_of_work(settings) as store:
        entries = store.audit_entries_of(
            actor=user, actions=(QUERY_EVENT,), object_type="permit", object_id=permit_id, limit=limit
        )
    return [_past(e.at, e.details) for e in entries]
