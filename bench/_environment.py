"""Benchmarks that point Haven at an instance of their own, and leave the caller's as it was."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from common.settings import reset_settings


@contextmanager
def environment_restored(*names: str) -> Iterator[None]:
    """Run the block, then put the environment variables ``names`` back as they were and forget
    the settings read meanwhile (`haven bench` runs benchmarks in its own process)."""
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_settings()
