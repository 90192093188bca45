"""Presidio recogniser of ages over 89 (HIPAA Safe Harbor: such ages are identifiers).

Formats: ``94 ans``, ``92 jaar (oud)``, ``95j``, ``93 Jahre (alt)``, ``96 J.``, ``98-year-old``,
``90 years (old)``, ``aged 91``, and a bare age between commas or in brackets right after a capitalised
word (``Mr O'Brien, 91,``, ``Mrs Hart (95)``). Ages 90 to 119 only: younger ages are kept,
as Safe Harbor allows. Ages in words from 90 to 109 are found the same two ways
(``nonante-deux ans``, ``negentig jaar``, ``Mrs Hale, ninety-two,``, ``96-jährig``). Known
limits: bare numbers in other places are kept (words for the age group, ``nonagénaire``,
``centenarian``, ``Neunzigjährige``, are found).
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from pseudonymisation.recognizers.gated import GatedPattern

ENTITY = "AGE"

_AGE = r"(?:9\d|1[01]\d)"
_UNIT = (
    r"(?:\s?(?:ans|an|a\.|jaar(?:\soud)?|jarige|j\.|j|Jahren?(?:\salt)?|J\.|J|jährig(?:e[rn]?)?|years?(?:\sold)?|"
    r"yrs?|yo|y/o)"
    r"|-(?:year-old|jarige|jährig(?:e[rn]?)?|ans))"
)
# Ages from 90 to 109 in words: "nonante-deux ans", "negentig jaar", "ninety-two",
# "einundneunzig Jahre".
_UNITS_FR = r"(?:un|deux|trois|quatre|cinq|six|sept|huit|neuf)"
_UNITS_NL = r"(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)"
_UNITS_EN = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_UNITS_DE = r"(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)"
_AGE_WORDS = (
    r"(?i:nonante(?:-et-un|-"
    + _UNITS_FR
    + r")?|quatre-vingt-(?:dix|onze|douze|treize|quatorze|quinze|seize|dix-sept|dix-huit|dix-neuf)|"
    + r"cent|"
    + _UNITS_NL
    + r"[eë]nnegentig|negentig|honderd|ninety(?:-"
    + _UNITS_EN
    + r")?|(?:a|one)\shundred|"
    + _UNITS_DE
    + r"undneunzig|neunzig|hundert)"
)
# Every age in words above holds one of these.
_AGE_WORD_GATE = r"(?i:negentig|nonante|quatre-vingt|cent|ninety|hundred|honderd|neunzig|hundert)"
_AFTER_NAME = r"(?<=\p{Lu}[\p{L}'’.-]+(?:,\s|\s\())" + _AGE + r"(?=[,)])"


class AgeOver89Recognizer(PatternRecognizer):
    """Ages from 90 to 119 with a unit, or bare right after a name."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("age with unit", r"(?<![\d,.])" + _AGE + _UNIT + r"(?![\p{L}\d])", 0.7),
        Pattern("aged + age", r"(?<=\b(?i:aged|âgée?|agé|leeftijd|Alter)\s)" + _AGE + r"\b", 0.7),
        Pattern("age after a name", _AFTER_NAME, 0.6),
        GatedPattern(
            "age in words with unit",
            r"(?<![\p{L}-])" + _AGE_WORDS + _UNIT + r"(?![\p{L}\d])",
            0.7,
            gate=_AGE_WORD_GATE,
        ),
        Pattern(
            "age group over 89",
            r"(?<![\p{L}-])(?i:nonagénaires?|centenaires?|nonagenarians?|centenarians?|negentigjarigen?|"
            r"honderdjarigen?|neunzigjährige[rn]?|hundertjährige[rn]?)(?![\p{L}])",
            0.6,
        ),
        GatedPattern(
            "age in words after a name",
            r"(?<=\p{Lu}[\p{L}'’.-]+(?:,\s|\s\())" + _AGE_WORDS + r"(?=[,)])",
            0.6,
            gate=_AGE_WORD_GATE,
        ),
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"AgeOver89Recognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
