"""Presidio recogniser of Belgian national register (NISS/INSZ/RRN) and BIS numbers.

Format: ``YYMMDDSSSCC`` as 11 digits or grouped 2-2-2-3-2 with dots, spaces or dashes
(``YY.MM.DD-SSS.CC``). Algorithm: ``CC = 97 - (YYMMDDSSS mod 97)``, or with a ``2`` put in
front of the nine digits for people born in 2000 or later; BIS numbers add 20 or 40 to the
month; unknown month or day is ``00`` (see ``pseudonymisation.niss``). Legal source: Royal
Decree of 3 April 1984 on the national register number; the Crossroads Bank for Social
Security for BIS numbers.

A candidate whose checksum holds scores 1.0 whatever its context; one that fails is
dropped. Known limits: the calendar date is not checked, so about 2 % of random 11-digit
strings with a plausible month and day are reported (an invoice or a lab sample number
can be); numbers split across lines or with other separators (slashes) are missed.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

from pseudonymisation.niss import NISS_CANDIDATE, is_valid_niss

ENTITY = "NISS"


class BeNissRecognizer(PatternRecognizer):
    """Finds national register and BIS numbers and keeps those whose check digits hold."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("niss (2-2-2-3-2, optional separators)", NISS_CANDIDATE, 0.3)
    ]
    CONTEXT: ClassVar[list[str]] = [
        # French
        "niss",
        "numéro national",
        "registre national",
        "numéro de registre",
        "rrn",
        "bis",
        # Dutch
        "insz",
        "rijksregisternummer",
        "rijksregister",
        "identificatienummer",
        "nummer",
        # English
        "national number",
        "national register",
        "social security",
        "ssin",
        # German
        "nationalregisternummer",
        "erkennungsnummer",
        "ENSS",
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"BeNissRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            context=list(self.CONTEXT),
        )

    def validate_result(self, pattern_text: str) -> bool:
        """Checksum and month/day rules of ``pseudonymisation.niss.is_valid_niss``."""
        return is_valid_niss(pattern_text)
