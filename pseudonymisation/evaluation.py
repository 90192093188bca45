"""Recall and precision of de-identification against notes with marked-up ground truth.

Ground truth is written inline: ``Patient [PERSON:Jean Dupont], né le [DATE:12/03/1957]``
(hand-made notes, ``load_notes``), or comes as a span file next to the notes (the synthetic
generator's ``truth/clinical_notes_pii.csv``, ``load_span_file``). Clinical terms that must
survive are marked ``[KEEP:maladie de Crohn]``. Scores are type-agnostic (any placeholder
removes the text), with recall per true type and precision per found type:

* a true span is *caught* when every one of its letters and digits is inside found spans
  (``CAUGHT``: a partial catch that leaves a surname or a day behind is a miss);
* a found span is *correct* when at least half of its letters and digits are inside true
  spans;
* a keep span is *kept* when none of its letters and digits is inside a found span.

Only counts and ratios leave this module; no note text is ever printed.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CAUGHT = 1.0
KEEP = "KEEP"
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
    keep: tuple[Span, ...] = ()


def parse_marked(marked: str) -> tuple[str, tuple[Span, ...]]:
    """Plain text and true spans of a note written with ``[TYPE:text]`` marks."""
    parts: list[str] = []
    spans: list[Span] = []
    pos, length = 0, 0
    for match in _MARK.finditer(marked):
        before = marked[pos : match.start()]
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
    """Notes of a ``<language>| <marked text>`` file (``#`` lines are comments); ``KEEP``
    marks become the note's ``keep`` spans, every other mark a true span."""
    notes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, _, marked = line.partition("|")
        text, spans = parse_marked(marked.strip())
        truth = tuple(s for s in spans if s.entity != KEEP)
        keep = tuple(s for s in spans if s.entity == KEEP)
        notes.append(Note(language.strip(), text, truth, keep))
    return notes


def load_span_file(notes_csv: Path, spans_csv: Path) -> list[Note]:
    """Notes of a CSV with ``note_id``, ``language`` and ``text`` columns, with their true spans
    from a CSV of ``note_id``, ``start``, ``end`` (code points, end exclusive) and ``type``."""
    spans: defaultdict[str, list[Span]] = defaultdict(list)
    with spans_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            spans[row["note_id"]].append(Span(int(row["start"]), int(row["end"]), row["type"]))
    with notes_csv.open(encoding="utf-8", newline="") as handle:
        return [
            Note(row["language"], row["text"], tuple(spans.get(row["note_id"], ())))
            for row in csv.DictReader(handle)
        ]


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
    found_by_type: Counter[str] = field(default_factory=Counter)
    correct_by_type: Counter[str] = field(default_factory=Counter)
    keep_spans: int = 0
    kept: int = 0

    @property
    def kept_ratio(self) -> float:
        """Share of the clinical terms marked ``KEEP`` that no found span touches."""
        return self.kept / self.keep_spans if self.keep_spans else 1.0

    @property
    def recall(self) -> float:
        return self.caught / self.true_spans if self.true_spans else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found_spans if self.found_spans else 1.0

    def recall_of(self, entity: str) -> float:
        total = self.true_by_type[entity]
        return self.caught_by_type[entity] / total if total else 1.0

    def precision_of(self, entity: str) -> float:
        total = self.found_by_type[entity]
        return self.correct_by_type[entity] / total if total else 1.0

    def add(
        self,
        text: str,
        truth: Sequence[Span],
        found: Iterable[tuple[int, int] | tuple[int, int, str]],
        keep: Sequence[Span] = (),
    ) -> None:
        """Count one note: its true spans, the spans found (with their type if known) and
        the clinical terms that must survive."""
        typed = [(f[0], f[1], f[2] if len(f) > 2 else "") for f in found]
        covered: set[int] = set()
        for start, end, _ in typed:
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
        for span in keep:
            self.keep_spans += 1
            if not _alnum_positions(text, span.start, span.end) & covered:
                self.kept += 1
        for start, end, entity in typed:
            positions = _alnum_positions(text, start, end)
            if not positions:
                continue
            self.found_spans += 1
            self.found_by_type[entity] += 1
            if len(positions & true_positions) / len(positions) >= 0.5:
                self.correct += 1
                self.correct_by_type[entity] += 1

    def by_type(self, label: str) -> str:
        """One line of recall and precision per entity type (counts only, no text)."""
        types = sorted((set(self.true_by_type) | set(self.found_by_type)) - {""})
        return f"{label}: " + " ".join(
            f"{t} R {self.recall_of(t):.2f} ({self.caught_by_type[t]}/{self.true_by_type[t]}) "
            f"P {self.precision_of(t):.2f} ({self.correct_by_type[t]}/{self.found_by_type[t]})"
            for t in types
        )

    def summary(self, label: str) -> str:
        """One line of counts and ratios (no text)."""
        per_type = " ".join(f"{t}={self.recall_of(t):.2f}" for t in sorted(self.true_by_type))
        return (
            f"{label}: recall {self.recall:.3f} ({self.caught}/{self.true_spans}) "
            f"precision {self.precision:.3f} ({self.correct}/{self.found_spans}) "
            f"kept {self.kept_ratio:.3f} ({self.kept}/{self.keep_spans}) | {per_type}"
        )
