"""Progress of long work as events: which stage, on what, rows done, time taken.

Jobs announce each step with ``step(stage, subject)`` and set the rows it handled. Nobody
listens by default (a scheduler's task logs already say what ran); the ``haven`` command
listens while a long command runs and shows a live display on a terminal, plain lines
otherwise. A step carries counts and the names of Haven's own objects (sources, permits,
benchmarks), never data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol


@dataclass
class Step:
    """One step of long work; ``rows`` and ``elapsed`` are known once it finished."""

    stage: str
    subject: str
    started: float
    rows: int | None = None
    elapsed: float | None = None
    failed: bool = False

    @property
    def rows_per_second(self) -> float | None:
        if self.rows is None or not self.elapsed:
            return None
        return self.rows / self.elapsed


class Listener(Protocol):
    def started(self, step: Step) -> None: ...

    def finished(self, step: Step) -> None: ...


_listeners: list[Listener] = []
_lock = threading.Lock()


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    """Send every step announced in this process to ``listener`` until the block ends."""
    with _lock:
        _listeners.append(listener)
    try:
        yield listener
    finally:
        with _lock:
            _listeners.remove(listener)


@contextmanager
def step(stage: str, subject: str) -> Iterator[Step]:
    """Announce a step; the block sets ``rows`` on the yielded step when it knows them."""
    current = Step(stage, subject, time.perf_counter())
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener.started(current)
    try:
        yield current
    except BaseException:
        current.failed = True
        raise
    finally:
        current.elapsed = time.perf_counter() - current.started
        for listener in listeners:
            listener.finished(current)
