"""Presidio recogniser of room and bed numbers (``chambre 312``, ``lit 2``, ``kamer 417``,
``bed 3``, ``room 3.14``, ``Zimmer 214``, ``Bett 2``, ``box 5``).

The word before the number is reported with it (``<ROOM>`` for ``chambre 12``), and a bed
or a place in the room that follows belongs to the same span (``ch. 312 lit B``, ``Zimmer
12, Bett 1``, ``kamer N3 couveuse 2``, ``room 612 window``): a replaced span must cover the
whole identifier whichever way an annotator draws it, and the word costs nothing clinically.
Since version 7; before it only the number was reported. Formats: one to four digits with
an optional letter, a dotted floor, a wing or a bed after a dash (``205B``, ``4B``,
``3.14``, ``B.3.07``, ``304-2``); Dutch ``k. 3.08`` with a dotted floor only; a room number
of three or four digits or with a dotted floor before a bed word or a window
(``op 512 bed 2``, ``(5.22 fenêtre)``). Known limits: wards and units (``Ward 5B``, ``SI
3e étage``, the ``ICU`` of ``ICU bed 7``) are kept; a number that is no room after these
words is replaced unless a count or a duration follows (``lit 2 fois``, ``bed 2 weeks``
are kept); a room named by its number alone (``la 14 A``) is missed.
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
    r"(?:behandlungs|untersuchungs|eingriffs|aufwach|schock|notfall)?raum)"
)
# Dutch "k. 3.08": the abbreviation only before a dotted floor.
_SHORT_KAMER = r"(?-i:k)\.(?=\s?\d{1,2}\.\d{2}(?![\d]))"
# "312", "4B", "3.14", a room and bed "304-2", a wing and floor "B.3.07".
_NUMBER = r"(?:[A-Z][.\s]?)?\d{1,4}(?:[./-]\d{1,3}){0,2}[A-Za-z]?"
# Not a dose, a count or a duration: "lit 2 fois" (reads twice), "bed 2 weeks", "Bett 2 Tage".
_NOT_A_DOSE = (
    r"(?![\p{L}\d]|\.\d|\s?(?:mg|ml|h|u|x)\b|\s(?i:fois|keer|maal|mal|times|jours?|dagen|days?|"
    r"weeks?|semaines?|weken|wochen|tage[n]?|mois|maanden|months?|monate[n]?|heures?|uur|hours?|"
    r"stunden|min|minutes?|minuten)\b)"
)
# A bed or cot after the room: ", lit 2", " bed B", " couveuse 2".
_BED = (
    r"(?:,?\s(?i:lit|bed|bett|couveuse|incubator|incubateur|wieg|wiege|cot)\s"
    r"(?:\d{1,2}[A-Za-z]?|[A-H])(?![\p{L}\d'’]|\.\p{L}|\s?(?:mg|ml|h|u|x)\b))"
)
# A place in the room after it: "room 612 window", "Zi. 403 Tür".
_SIDE = r"(?:\s(?i:fenêtre|raam|window|fenster|tür|türe|deur)(?![\p{L}]))"


class RoomBedRecognizer(PatternRecognizer):
    """A room or bed word and its number (and the bed or side after it)."""

    PATTERNS: ClassVar[list[Pattern]] = [
        GatedPattern(
            "room or bed number",
            r"\b(?:"
            + _WORDS
            + r"\s?(?:n°|nr\.?|no\.?|#)?\s?|"
            + _SHORT_KAMER
            + r"\s?)"
            + _NUMBER
            + _NOT_A_DOSE
            + _BED
            + r"?"
            + _SIDE
            + r"?",
            0.6,
            gate=r"\b(?:" + _WORDS + r"|k\.)",
        ),
        GatedPattern(
            "bed letter",
            # A bed named by a letter only ("lit B", "bed A"), not "I" ("in bed I felt").
            r"\b(?i:lit|bed|bett)\s[A-H](?![\p{L}\d'’]|\.\p{L})",
            0.6,
            gate=r"\b(?i:lit|bed|bett)\s[A-H]",
        ),
        GatedPattern(
            "room number before a bed or a window",
            # "op 512 bed 2", "(5.22 fenêtre)": a number of three or four digits or with a
            # dotted floor, never a dose or a count ("2 lits").
            r"(?<![\p{L}\d.,/-])(?:\d{3,4}[A-Za-z]?|\d{1,2}\.\d{2})(?:" + _BED + _SIDE + r"?|" + _SIDE + r")",
            0.6,
            gate=r"\d,?\s(?i:lit|bed|bett|couveuse|incubator|incubateur|wieg|wiege|cot|fenêtre|raam|"
            r"window|fenster|tür|türe|deur)\b",
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
