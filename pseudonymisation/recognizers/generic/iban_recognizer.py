"""Presidio recogniser of IBANs (``BE68 5390 0754 7034`` and other countries).

The ISO 13616 check: move the first four characters to the end, letters to numbers
(A = 10 ... Z = 35), the result mod 97 must be 1. Known limits: lower-case IBANs and
IBANs split over lines are missed.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

ENTITY = "IBAN"
# Belgian length per the IBAN registry; other countries are checked by checksum only.
_LENGTHS = {"BE": 16, "NL": 18, "FR": 27, "LU": 20, "DE": 22, "GB": 22}


def is_valid_iban(text: str) -> bool:
    """True when ``text`` (spaces ignored) is an IBAN whose mod-97 check holds."""
    compact = "".join(text.split()).upper()
    if not regex.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", compact):
        return False
    expected = _LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


class IbanChecksumRecognizer(PatternRecognizer):
    """IBANs written compact or in groups of four, validated by their checksum."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("iban", r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b", 0.4)
    ]
    CONTEXT: ClassVar[list[str]] = ["iban", "compte", "rekening", "rekeningnummer", "account", "bank"]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"IbanChecksumRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            context=list(self.CONTEXT),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        """ISO 13616 mod-97 check."""
        return is_valid_iban(pattern_text)
