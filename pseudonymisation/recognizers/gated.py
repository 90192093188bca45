"""A Presidio pattern with a gate: a cheap expression that every text it can match contains.

Patterns that start with a long lookbehind (``label: name``, ``doctors named together``) or
a long alternation make the regular-expression engine try them at every position of every
text. Most notes hold none of the words they need, and a search for those words alone is
many times cheaper. ``batch_analysis.scan_patterns`` skips a gated pattern on a text where
its gate is not found; Presidio's own ``PatternRecognizer.analyze`` ignores the gate, and
both return the same results because a gate is only ever a necessary condition (each gate
is tested as such in tests/unit/test_deid_recognizers.py).
"""

from __future__ import annotations

import regex
from presidio_analyzer import Pattern


class GatedPattern(Pattern):
    """``Pattern`` plus ``gate``: searched first, with the recogniser's flags."""

    def __init__(self, name: str, pattern: str, score: float, gate: str) -> None:
        super().__init__(name, pattern, score)
        self.gate = gate
        self.compiled_gate: regex.Pattern[str] | None = None

    def gate_open(self, text: str, flags: int | None) -> bool:
        """Whether ``text`` may hold a match (the gate is found in it)."""
        if self.compiled_gate is None:
            self.compiled_gate = regex.compile(self.gate, flags or 0)
        return self.compiled_gate.search(text) is not None
