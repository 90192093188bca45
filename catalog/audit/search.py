"""Finding entries of the audit log: a filter, the entries it keeps, and how many it hides.

A filter never hides an entry silently: ``search`` returns, with the page of entries, how
many entries the log holds and how many match, so every reader can say how many the filter
hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from catalog.audit.domain import AuditEntry

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """Exact action, actor, object type and id; ``start`` and ``end`` are UTC days, both included."""

    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    start: date | None = None
    end: date | None = None

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) not in ("", None) for f in fields(self))

    def keeps(self, entry: AuditEntry) -> bool:
        day = datetime.fromisoformat(entry.at).date()
        return (
            (not self.action or entry.action == self.action)
            and (not self.actor or entry.actor == self.actor)
            and (not self.object_type or entry.object_type == self.object_type)
            and (not self.object_id or entry.object_id == self.object_id)
            and (self.start is None or day >= self.start)
            and (self.end is None or day <= self.end)
        )


@dataclass(frozen=True)
class AuditPage:
    """One page of the entries a filter keeps, newest first, and the counts around it."""

    entries: tuple[AuditEntry, ...]
    total: int  # entries in the log
    matching: int  # entries the filter keeps
    page: int
    pages: int
    first: int  # position of the page's first entry among the matching ones (1-based; 0 if none)

    @property
    def hidden(self) -> int:
        """Entries the filter hides."""
        return self.total - self.matching


def search(
    entries: Sequence[AuditEntry], wanted: AuditFilter, page: int = 1, size: int = PAGE_SIZE
) -> AuditPage:
    """The ``page``-th page (clamped to the pages there are) of the entries ``wanted`` keeps."""
    kept = [e for e in reversed(entries) if wanted.keeps(e)]
    pages = max(1, -(-len(kept) // size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    shown = tuple(kept[start : start + size])
    return AuditPage(shown, len(entries), len(kept), page, pages, start + 1 if shown else 0)


def choices(entries: Sequence[AuditEntry]) -> tuple[list[str], list[str]]:
    """The actions and object types the log holds, sorted: what a filter can choose from."""
    return sorted({e.action for e in entries}), sorted({e.object_type for e in entries})
