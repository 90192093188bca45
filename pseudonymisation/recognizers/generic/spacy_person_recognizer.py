"""spaCy's statistical person names, filtered for the errors a small model makes in notes.

``fr_core_news_sm`` tags some capitalised words at the start of a sentence as persons
(``Troponine``, ``Résultats``) and sometimes a bare title (``M.``). This recogniser keeps
Presidio's ``SpacyRecognizer`` and drops: spans without a capitalised word of two or more
letters or with a digit (``Lombosciatique L5``), and single-word spans at the start of a
sentence unless the word is a listed name. Known limits: a real single-word name at the
start of a sentence is then missed unless it is listed or has a title before it (the
pattern recogniser catches those).
"""

from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from pseudonymisation.recognizers.generic.names import FIRST_NAMES, SURNAMES

_NAME_WORD = regex.compile(r"\p{Lu}\p{Ll}+")
_SENTENCE_START = regex.compile(r"(?:^|[.!?:;]\s*|\n\s*)$")
_LISTED = FIRST_NAMES | SURNAMES


class SpacyPersonRecognizer(SpacyRecognizer):
    """PERSON entities of the spaCy model, minus sentence-initial common words."""

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(supported_language=supported_language, supported_entities=["PERSON"])
        self.name: str = f"SpacyPersonRecognizer_{supported_language}"

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """spaCy's persons, without bare titles and sentence-initial single words."""
        kept = []
        for result in super().analyze(text, entities, nlp_artifacts):
            span = text[result.start : result.end]
            words = span.split()
            if not _NAME_WORD.search(span) or any(ch.isdigit() for ch in span):
                continue
            if (
                len(words) == 1
                and words[0] not in _LISTED
                and _SENTENCE_START.search(text[max(0, result.start - 3) : result.start])
            ):
                continue
            kept.append(result)
        return kept
