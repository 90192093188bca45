"""Presidio recogniser of e-mail addresses that needs no network.

Presidio's own e-mail recogniser validates the domain with ``tldextract``, which downloads
the public suffix list on first use; this one checks the shape only (a dot in the domain,
a top-level label of letters). Known limits: quoted local parts and IP-literal domains.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

ENTITY = "EMAIL"


class OfflineEmailRecognizer(PatternRecognizer):
    """``local@domain.tld`` addresses."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("email", r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,24}\b", 0.9),
    ]
    CONTEXT: ClassVar[list[str]] = ["email", "e-mail", "mail", "courriel"]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"OfflineEmailRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            context=list(self.CONTEXT),
        )
