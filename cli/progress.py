"""What long commands show while they work: a live table on a terminal, plain lines otherwise.

Both listen to ``common.progress`` steps (stage, subject, rows, elapsed): counts only.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console, RenderableType
from rich.live import Live
from rich.table import Table

from common import progress
from common.logging import console_level
from common.progress import Step


def describe(step: Step) -> str:
    """One plain line for a finished step."""
    outcome = "FAILED after" if step.failed else "done in"
    rows = f"{step.rows:,} rows, " if step.rows is not None else ""
    rate = f", {step.rows_per_second:,.0f} rows/s" if step.rows_per_second is not None else ""
    return f"{step.stage} {step.subject}: {rows}{outcome} {step.elapsed or 0:.1f} s{rate}"


class LineProgress:
    """A line on stderr as each step finishes (logs, pipes, ``--json``).

    Steps finish on several threads at once (bronze loads extracts in parallel), so each line
    is written whole, in one call under a lock: ``print`` writes the text and its newline
    separately, and two steps' lines could interleave.
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def started(self, step: Step) -> None:
        pass

    def finished(self, step: Step) -> None:
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(f"  {describe(step)}\n")
            stream.flush()


class LiveProgress:
    """A table of the steps so far, the running one with its elapsed time, redrawn in place."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.steps: list[Step] = []
        self.opened = time.perf_counter()

    def started(self, step: Step) -> None:
        self.steps.append(step)

    def finished(self, step: Step) -> None:
        pass  # the step object is the one listed: its rows and elapsed are now set

    def __rich__(self) -> RenderableType:
        table = Table(
            title=f"{self.title}: {time.perf_counter() - self.opened:,.0f} s",
            title_justify="left",
            box=None,
        )
        for name, justify in (
            ("stage", "left"),
            ("on", "left"),
            ("rows", "right"),
            ("rows/s", "right"),
            ("elapsed", "right"),
            ("", "left"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for step in self.steps:
            running = step.elapsed is None
            elapsed = time.perf_counter() - step.started if running else step.elapsed or 0.0
            rate = step.rows_per_second
            table.add_row(
                step.stage,
                step.subject,
                f"{step.rows:,}" if step.rows is not None else "",
                f"{rate:,.0f}" if rate is not None else "",
                f"{elapsed:,.1f} s",
                "running" if running else ("FAILED" if step.failed else "done"),
            )
        return table


def on_terminal() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def showing(title: str, *, plain: bool) -> Iterator[None]:
    """Show the steps of the block: live on a terminal unless ``plain``, else as lines."""
    if plain or not on_terminal():
        with progress.listening(LineProgress()):
            yield
        return
    display = LiveProgress(title)
    console = Console(file=sys.stderr)
    # Haven's INFO lines would scroll the live table away; they still go to haven.log.
    with (
        console_level("WARNING"),
        progress.listening(display),
        Live(display, console=console, refresh_per_second=4, transient=False),
    ):
        yield
