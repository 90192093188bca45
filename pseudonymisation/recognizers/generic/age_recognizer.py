"""Presidio recogniser of ages over 89 (HIPAA Safe Harbor: such ages are identifiers).

Formats: ``94 ans``, ``92 jaar``, ``95j``, ``93 Jahre``, ``96 J.``, ``98-year-old``, ``90 years
old``, ``aged 91``, and a bare age between commas or in brackets right after a capitalised
word (``Mr O'Brien, 91,``, ``Mrs Hart (95)``). Ages 90 to 119 only: younger ages are kept,
as Safe Harbor allows. Known limits: ages written in words (``nonagénaire``) and bare
numbers in other places are kept.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

ENTITY = "AGE"

_AGE = r"(?:9\d|1[01]\d)"
_UNIT = (
    r"(?:\s?(?:ans|an|a\.|jaar|jarige|j\.|j|Jahre|Jahren|J\.|J|jährige[rn]?|years?\sold|yrs?|yo|y/o)"
    r"|-(?:year-old|jarige|jährige[rn]?|ans))"
)
_AFTER_NAME = r"(?<=\p{Lu}[\p{L}'’.-]+(?:,\s|\s\())" + _AGE + r"(?=[,)])"


class AgeOver89Recognizer(PatternRecognizer):
    """Ages from 90 to 119 with a unit, or bare right after a name."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("age with unit", r"(?<![\d,.])" + _AGE + _UNIT + r"(?![\p{L}\d])", 0.7),
        Pattern("aged + age", r"(?<=\b(?i:aged|âgée?|agé|leeftijd|Alter)\s)" + _AGE + r"\b", 0.7),
        Pattern("age after a name", _AFTER_NAME, 0.6),
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"AgeOver89Recognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
