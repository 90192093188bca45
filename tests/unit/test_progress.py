"""Progress of long work: steps reach whoever listens, with rows and time, and are shown as a
live table on a terminal or as plain lines (tests/e2e/test_demo_path.py reads the lines of a
real pipeline run)."""

from __future__ import annotations

import io
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from rich.console import Console

from cli.progress import LineProgress, LiveProgress, describe, showing
from common import progress
from common.progress import Step


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str, int | None, bool]] = []

    def started(self, step: Step) -> None:
        self.events.append(("started", step.stage, step.subject, step.rows, step.failed))

    def finished(self, step: Step) -> None:
        assert step.elapsed is not None and step.elapsed >= 0
        self.events.append(("finished", step.stage, step.subject, step.rows, step.failed))


def test_steps_reach_listeners_with_their_rows_and_failures() -> None:
    with progress.listening(Recorder()) as recorder:
        with progress.step("bronze", "claims") as done:
            done.rows = 3582
        with pytest.raises(ValueError), progress.step("silver", "claims"):
            raise ValueError("broken")
    with progress.step("bronze", "pharmacy"):
        pass  # nobody listens any more
    assert recorder.events == [  # type: ignore[attr-defined]
        ("started", "bronze", "claims", None, False),
        ("finished", "bronze", "claims", 3582, False),
        ("started", "silver", "claims", None, False),
        ("finished", "silver", "claims", None, True),
    ]


def test_a_finished_step_reads_as_one_line() -> None:
    assert describe(Step("bronze", "claims", 0.0, rows=3000, elapsed=2.0)) == (
        "bronze claims: 3,000 rows, done in 2.0 s, 1,500 rows/s"
    )
    assert describe(Step("vacuum", "lake", 0.0, elapsed=0.25)) == "vacuum lake: done in 0.2 s"
    assert describe(Step("silver", "wellness", 0.0, rows=0, elapsed=1.0, failed=True)) == (
        "silver wellness: 0 rows, FAILED after 1.0 s, 0 rows/s"
    )


def test_plain_lines_when_asked_or_not_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    # pytest's streams are no terminal
    with showing("haven pipeline run", plain=False), progress.step("bronze", "claims") as done:
        done.rows = 10
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("  bronze claims: 10 rows, done in ")
    stream = io.StringIO()
    with progress.listening(LineProgress(stream)), progress.step("quality", "claims"):
        pass
    assert stream.getvalue().startswith("  quality claims: done in ")


class SlowStream(io.StringIO):
    """A stream that gives way to other threads on each write, as a busy stderr does."""

    def write(self, text: str) -> int:
        time.sleep(0.002)
        return super().write(text)


def test_steps_finishing_on_several_threads_print_whole_lines() -> None:
    # Bronze loads extracts on three threads; `haven demo`'s lines are read by the demo-path test.
    stream = SlowStream()
    subjects = [f"source{number}" for number in range(12)]
    together = threading.Barrier(len(subjects))

    def load(subject: str) -> None:
        with progress.step("bronze", subject) as done:
            done.rows = 1000
            together.wait()

    with progress.listening(LineProgress(stream)), ThreadPoolExecutor(len(subjects)) as pool:
        list(pool.map(load, subjects))
    lines = stream.getvalue().split("\n")
    assert lines[-1] == ""
    pattern = re.compile(r"  bronze (source\d+): 1,000 rows, done in \d+\.\d s, [\d,]+ rows/s")
    matches = [pattern.fullmatch(line) for line in lines[:-1]]
    assert all(matches), lines
    assert sorted(match.group(1) for match in matches if match) == sorted(subjects)


def test_the_live_table_lists_finished_and_running_steps() -> None:
    display = LiveProgress("haven pipeline run")
    with progress.listening(display):
        with progress.step("bronze", "claims") as done:
            done.rows = 3582
        with progress.step("silver", "claims"):
            console = Console(file=io.StringIO(), width=100, record=True, color_system=None)
            console.print(display)
    lines = [line.split() for line in console.export_text().splitlines()]
    assert lines[0][:3] == ["haven", "pipeline", "run:"]
    assert lines[1] == ["stage", "on", "rows", "rows/s", "elapsed"]
    assert lines[2][:3] == ["bronze", "claims", "3,582"] and lines[2][-1] == "done"
    assert lines[3][:2] == ["silver", "claims"] and lines[3][-1] == "running"
