"""Presidio recogniser of room and bed numbers (``chambre 312``, ``lit 2``, ``kamer 417``,
``bed 3``, ``room 3.14``, ``Zimmer 214``, ``Bett 2``, ``box 5``).

Only the number is reported, so the note still reads ``chambre <ROOM>``. Formats: one to
four digits with an optional letter, a dotted floor, a wing or a bed after a dash
(``205B``, ``4B``, ``3.14``, ``B.3.07``, ``304-2``). Known
limits: wards and units (``Ward 5B``, ``SI 3e étage``) are kept; a number that is no room
after these words (``bed 2 weeks``) is replaced.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from pseudonymisation.recognizers.gated import GatedPattern

ENTITY = "ROOM"

_WORDS = (
    r"(?i:chambre|ch\.|lit|kamer|bed|room|rm\.?|zimmer|zi\.|bett|box|cubicle|salle|zaal|"
    r"local|lokaal|kamernummer|bednummer|zimmernummer|bettnummer|room\snumber|bed\snumber|"
    r"numéro\sde\schambre|bay|stretcher|brancard|trolley|brancardplaats|liege|"
    r"(?:behandlungs|untersuchungs|eingriffs|aufwach)?raum)"
)
# "312", "4B", "3.14", a room and bed "304-2", a wing and floor "B.3.07".
_NUMBER = r"(?:[A-Z][.\s]?)?\d{1,4}(?:[./-]\d{1,3}){0,2}[A-Za-z]?"


class RoomBedRecognizer(PatternRecognizer):
    """The number after a room or bed word."""

    PATTERNS: ClassVar[list[Pattern]] = [
        GatedPattern(
            "room or bed number",
            # A digit or a capital first: the lookbehind on the words runs only there.
            r"(?=[A-Z\d])(?<=\b"
            + _WORDS
            + r"\s?(?:n°|nr\.?|no\.?|#)?\s?)"
            + _NUMBER
            + r"(?![\p{L}\d]|\.\d|\s?(?:mg|ml|h|u|x)\b)",
            0.6,
            gate=r"\b" + _WORDS,
        ),
        GatedPattern(
            "bed letter",
            # A bed named by a letter only ("lit B", "bed A"), not "I" ("in bed I felt").
            r"(?=[A-H])(?<=\b(?i:lit|bed|bett)\s)[A-H](?![\p{L}\d'’]|\.\p{L})",
            0.6,
            gate=r"\b(?i:lit|bed|bett)\s[A-H]",
        ),
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"RoomBedRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
