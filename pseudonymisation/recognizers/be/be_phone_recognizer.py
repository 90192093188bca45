"""Presidio recogniser of Belgian phone numbers (and international ones written with ``+``).

Formats: ``02 123 45 67``, ``02/123.45.67``, ``0470 12 34 56``, ``0470/12.34.56``,
``+32 470 12 34 56``, ``+32 (0)2 123 45 67``, ``0032 2 ...``. Candidates are validated
with the ``phonenumbers`` library (region BE), so a run of digits that is no phone
number in Belgium's numbering plan is dropped. ``PhoneExtensionRecognizer`` reports a
hospital's internal extension or pager after its word (``poste 4412``, ``toestel 2231``,
``bip 512``, ``Durchwahl 318``, ``ext. 4410``). Known limits: numbers split over lines,
written in words, or shorter service numbers (``1733``, ``112``) are not found.
"""

from __future__ import annotations

from typing import ClassVar

import phonenumbers
import regex
from presidio_analyzer import Pattern, PatternRecognizer

ENTITY = "PHONE"

_SEP = r"[\s./-]?"
_BELGIAN = (
    r"(?<![\w+])(?:\+32|0032)\s?(?:\(0\)\s?)?[1-9](?:" + _SEP + r"\d){7,8}(?![\d])"
    r"|(?<![\w+/.])0[1-9](?:" + _SEP + r"\d){7,8}(?![\d])"
)
_INTERNATIONAL = r"(?<![\w+])\+(?!32)[1-9]\d{0,2}\s?(?:\(0\)\s?)?\d(?:" + _SEP + r"\d){6,12}(?!\d)"


class BePhoneRecognizer(PatternRecognizer):
    """Belgian fixed and mobile numbers, plus ``+``-prefixed foreign numbers."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("phone BE", _BELGIAN, 0.4),
        Pattern("phone intl", _INTERNATIONAL, 0.4),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "tél",
        "téléphone",
        "gsm",
        "tel",
        "telefoon",
        "mobiel",
        "phone",
        "mobile",
        "call",
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"BePhoneRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            context=list(self.CONTEXT),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        """The ``phonenumbers`` library knows the number in Belgium's (or its country's) plan."""
        cleaned = pattern_text.replace("(0)", "")
        try:
            number = phonenumbers.parse(cleaned, "BE")
        except phonenumbers.NumberParseException:
            return False
        return bool(phonenumbers.is_valid_number(number))


class PhoneExtensionRecognizer(PatternRecognizer):
    """An internal extension or pager number after its word (not validated: it has no plan)."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "extension or pager",
            r"(?=\d)(?<=\b(?i:poste|toestel|tst\.|ext\.?|extension|durchwahl|bip|bipper|pager|"
            r"pieper|piepser|semafoon|sémaphone)\s?(?:n°|nr\.?|no\.?|:)?\s?)\d{3,5}(?![\d,.]\d|\s?(?:mg|ml|h|u|x|%)\b)",
            0.6,
        ),
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"PhoneExtensionRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
