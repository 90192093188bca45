"""Work done side by side whose writes must still land in a fixed order.

The pipeline refines two sources at a time, but their catalogue and audit entries must be
written in source order, as one source after the other would write them: the audit trail is
a chain compared between runs, and two writers would race for its head. ``Turns`` gives each
part of the work its place: a part's ordered writes wait until every part before it has
finished. After a part failed, the parts not started yet do not run.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

from jobs.errors import RefineStopped

K = TypeVar("K", bound=Hashable)


class Turns(Generic[K]):
    """Parts of one piece of work, in the order their ordered writes must land."""

    def __init__(self, order: Sequence[K]) -> None:
        self._order = list(order)
        self._done = {part: threading.Event() for part in self._order}
        self._failed = threading.Event()

    @contextmanager
    def taking_part(self, part: K) -> Iterator[None]:
        """Run one part: it counts as finished when the block ends, whatever the outcome.
        Raise ``RefineStopped`` without running it when an earlier-started part failed."""
        if self._failed.is_set():
            self._done[part].set()
            raise RefineStopped(f"{part}: not run, since a part started before it failed")
        try:
            yield
        except BaseException:
            self._failed.set()
            raise
        finally:
            self._done[part].set()

    def wait(self, part: K) -> None:
        """Return when every part before ``part`` has finished: its ordered writes may go."""
        for before in self._order[: self._order.index(part)]:
            self._done[before].wait()
