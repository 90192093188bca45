"""Parts of the pipeline's work run side by side, but their ordered writes land in order."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from jobs.errors import RefineStopped
from jobs.turns import Turns


def test_a_later_part_writes_after_every_earlier_part_finished() -> None:
    turns = Turns(["a", "b", "c"])
    written: list[str] = []
    b_ready, b_wrote = threading.Event(), threading.Event()

    def part(name: str) -> None:
        with turns.taking_part(name):
            if name == "a":
                # b is ready before a writes; it must still wait for a to finish.
                b_ready.wait()
                b_wrote.wait(timeout=0.5)
            if name == "b":
                b_ready.set()
            turns.wait(name)
            written.append(name)
            if name == "b":
                b_wrote.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(part, ["a", "b", "c"]))
    assert written == ["a", "b", "c"]


def test_after_a_part_failed_the_parts_not_started_do_not_run() -> None:
    turns = Turns(["a", "b", "c"])
    ran: list[str] = []
    with pytest.raises(ValueError), turns.taking_part("a"):
        raise ValueError("a failed")
    stopped = r"^b: not run, since a part started before it failed$"
    with pytest.raises(RefineStopped, match=stopped), turns.taking_part("b"):
        ran.append("b")
    assert ran == []
    # The parts that did not run count as finished: nobody waits for them forever.
    turns.wait("c")
