"""What the opt-out registry needs from storage (``catalog.db`` implements it)."""

from __future__ import annotations

from typing import Protocol

from catalog.optout.domain import OptOutEvent


class OptOutStore(Protocol):
    def add_optout_event(self, event: OptOutEvent, event_key: str) -> int | None: ...
    def optout_events(self) -> list[OptOutEvent]: ...
