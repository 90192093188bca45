"""Recall and precision of de-identification against notes with marked-up ground truth.

Ground truth is written inline: ``Patient [PERSON:Jean Dupont], né le [DATE:12/03/1957]``.
Scores are type-agnostic (any placeholder removes the text) with a per-type recall:

* a true span is *caught* when at least ``CAUGHT`` of its letters and digits are inside
  found spans (a partial catch that leaves a surname behind is a miss);
* a found span is *correct* when at least half of its letters and digits are inside true
  spans.

Only counts and ratios leave this module; no note text is ever printed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CAUGHT = 0.9
_MARK = re.compile(r"\[([A-Z]+):([^\]]+)\]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str


@dataclass(frozen=True)
class Note:
    language: str
    text: str
    spans: tuple[Span, ...]


def parse_marked(marked: str) -> tuple[str, tuple[Span, ...]]:
    """Plain text and true spans of a note written with ``[TYPE:text]`` marks."""
    parts: list[str] = []
    spans: list[Span] = []
    pos, length = 0, 0
    for match in _MARK.finditer(marked):
        before = marked[pos:match.start()]
        parts.append(before)
        length += len(before)
        value = match.group(2)
        spans.append(Span(length, length + len(value), match.group(1)))
        parts.append(value)
        length += len(value)
        pos = match.end()
    parts.append(marked[pos:])
    return "".join(parts), tuple(spans)


def load_notes(path: Path) -> list[Note]:
    """Notes of a ``<language>| <marked text>`` file (``#`` lines are comments)."""
    notes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, _, marked = line.partition("|")
        text, spans = parse_marked(marked.strip())
        notes.append(Note(language.strip(), text, spans))
    return notes


def _alnum_positions(text: str, start: int, end: int) -> set[int]:
    return {i for i in range(start, end) if text[i].isalnum()}


@dataclass
class Scores:
    """Counts over a set of notes; ``recall`` and ``precision`` derive from them."""

    true_spans: int = 0
    caught: int = 0
    found_spans: int = 0
    correct: int = 0
    true_by_type: Counter[str] = field(default_factory=Counter)
    caught_by_type: Counter[str] = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.caught / self.true_spans if self.true_spans else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found_spans if self.found_spans else 1.0

    def recall_of(self, entity: str) -> float:
        total = self.true_by_type[entity]
        return self.caught_by_type[entity] / total if total else 1.0

    def add(self, text: str, truth: Sequence[Span], found: Iterable[tuple[int, int]]) -> None:
        found = list(found)
        covered: set[int] = set()
        for start, end in found:
            covered |= _alnum_positions(text, start, end)
        true_positions: set[int] = set()
        for span in truth:
            positions = _alnum_positions(text, span.start, span.end)
            true_positions |= positions
            self.true_spans += 1
            self.true_by_type[span.entity] += 1
            if positions and len(positions & covered) / len(positions) >= CAUGHT:
                self.caught += 1
                self.caught_by_type[span.entity] += 1
        for start, end in found:
            positions = _alnum_positions(text, start, end)
            if not positions:
                continue
            self.found_spans += 1
            if len(positions & true_positions) / len(positions) >= 0.5:
                self.correct += 1

    def summary(self, label: str) -> str:
        """One line of counts and ratios (no text)."""
        per_type = " ".join(f"{t}={self.recall_of(t):.2f}" for t in sorted(self.true_by_type))
        return (f"{label}: recall {self.recall:.3f} ({self.caught}/{self.true_spans}) "
                f"precision {self.precision:.3f} ({self.correct}/{self.found_spans}) | {per_type}")
