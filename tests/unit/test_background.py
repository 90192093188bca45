"""``common.background.meanwhile``: work on a thread while a block runs, waited for at its end."""

from __future__ import annotations

import threading

import pytest

from common.background import meanwhile


def test_the_block_s_end_waits_for_the_work() -> None:
    release, done = threading.Event(), []

    def work() -> None:
        release.wait(timeout=10)
        done.append("work")

    with meanwhile(work, "test-work"):
        assert done == [] and "test-work" in {t.name for t in threading.enumerate()}
        release.set()
    assert done == ["work"]
    assert "test-work" not in {t.name for t in threading.enumerate()}


def test_a_failing_work_is_dropped_and_the_block_s_own_error_is_not() -> None:
    def work() -> None:
        raise RuntimeError("met again by whoever needs the result")

    with meanwhile(work, "test-failing"):
        pass
    with pytest.raises(ValueError, match="the block's"), meanwhile(work, "test-failing"):
        raise ValueError("the block's")
