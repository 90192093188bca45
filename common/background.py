"""Work that a process starts early, on a thread, while it sets up other things."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress


@contextmanager
def meanwhile(work: Callable[[], object], name: str) -> Iterator[None]:
    """Run ``work`` on a daemon thread named ``name`` while the block runs; wait for it at the
    block's end, however the block ends.

    For work whose result is found again later (a started JVM, warm Python workers): a failure
    is dropped here, and the caller that needs the result meets it again, with its message.
    """

    def run() -> None:
        with suppress(Exception):
            work()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
