"""Haven's recognisers over many texts, without Presidio's per-text machinery around them.

``AnalyzerEngine.analyze`` does, for every text: look the recognisers up in the registry,
time and log every pattern, build an explanation object for every match, regroup the
results by recogniser for context enhancement, then filter and de-duplicate. For a batch
of texts in one language the recognisers, their score thresholds and their compiled
patterns are the same every time, and Haven's engine keeps no explanations and enhances no
scores (``engine.FinalScores``). ``LanguageAnalyzer`` looks all of that up once and runs
each text through the same steps in the same order: each pattern recogniser's matches with
its ``validate_result`` and ``invalidate_result``, de-duplicated per recogniser as
``PatternRecognizer`` does; the other recognisers' own ``analyze``; then the analyser's
score thresholds and ``EntityRecognizer.remove_duplicates``. The result is the same list
(tests/unit/test_deid_batch_analysis.py compares both on every evaluation note). Only the
languages with a spaCy model run spaCy at all: no other recogniser reads the NLP artefacts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

import regex
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.pattern_recognizer import REGEX_TIMEOUT_SECONDS

from pseudonymisation.recognizers.gated import GatedPattern

log = logging.getLogger(__name__)

_NAME = RecognizerResult.RECOGNIZER_NAME_KEY
_ID = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY


def _plain_patterns(recognizer: EntityRecognizer) -> bool:
    """A pattern recogniser whose ``analyze`` is Presidio's own (patterns and nothing else)."""
    return isinstance(recognizer, PatternRecognizer) and type(recognizer).analyze is PatternRecognizer.analyze


def _enhances(recognizer: EntityRecognizer) -> bool:
    return type(recognizer).enhance_using_context is not EntityRecognizer.enhance_using_context


def scan_patterns(recognizer: PatternRecognizer, text: str) -> list[RecognizerResult]:
    """What ``recognizer.analyze(text, ...)`` returns, without explanations or timings."""
    flags = recognizer.global_regex_flags
    entity = recognizer.supported_entities[0]
    loose: Any = recognizer  # Presidio leaves these attributes untyped
    name, patterns, identifier = str(loose.name), cast("list[Any]", loose.patterns), recognizer.id
    kind = type(recognizer)
    # PatternRecognizer's own checks accept every match: no need to call them per match.
    validate = (
        None if kind.validate_result is PatternRecognizer.validate_result else recognizer.validate_result
    )
    invalidate = (
        None
        if kind.invalidate_result is PatternRecognizer.invalidate_result
        else recognizer.invalidate_result
    )
    results = []
    for pattern in patterns:
        if isinstance(pattern, GatedPattern) and not pattern.gate_open(text, flags):
            continue  # the text lacks what every match needs
        # Compiled once per pattern and kept on it, as PatternRecognizer does.
        if not pattern.compiled_regex or pattern.compiled_with_flags != flags:
            pattern.compiled_with_flags = flags
            pattern.compiled_regex = regex.compile(pattern.regex, flags=flags)
        try:
            for match in pattern.compiled_regex.finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
                start, end = match.span()
                if start == end:
                    continue
                score = pattern.score
                if validate is not None:
                    valid = validate(text[start:end])
                    if valid is not None:
                        score = EntityRecognizer.MAX_SCORE if valid else EntityRecognizer.MIN_SCORE
                if invalidate is not None and invalidate(text[start:end]):
                    score = EntityRecognizer.MIN_SCORE
                if score > EntityRecognizer.MIN_SCORE:
                    metadata = {_NAME: name, _ID: identifier}
                    results.append(RecognizerResult(entity, start, end, score, recognition_metadata=metadata))
        except TimeoutError:
            # As Presidio does: the pattern is skipped for this text (its name only, no text).
            log.warning(
                "regex pattern %r timed out after %s seconds, skipped", pattern.name, REGEX_TIMEOUT_SECONDS
            )
    # One result (its score above zero) is what remove_duplicates would return.
    return EntityRecognizer.remove_duplicates(results) if len(results) > 1 else results


class LanguageAnalyzer:
    """The analyser's recognisers for one language, looked up once, run text by text."""

    def __init__(self, analyzer: AnalyzerEngine, language: str, entities: Sequence[str]) -> None:
        self.entities = list(entities)
        self.recognizers = analyzer.registry.get_recognizers(
            language=language, entities=self.entities, all_fields=False
        )
        if any(_enhances(r) for r in self.recognizers):
            raise ValueError("a recogniser enhances scores from context: use AnalyzerEngine.analyze")
        self.plain = [_plain_patterns(r) for r in self.recognizers]
        self.default_threshold = analyzer.default_score_threshold
        self.thresholds = {r.id: r.score_thresholds for r in self.recognizers}

    def _threshold(self, result: RecognizerResult) -> float:
        # AnalyzerEngine's order: the recogniser's threshold for the entity, its default,
        # then the engine's.
        own = self.thresholds.get((result.recognition_metadata or {}).get(_ID), {})
        found = own.get(result.entity_type, own.get("default"))
        return self.default_threshold if found is None else found

    def analyze(self, text: str, nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        """What ``AnalyzerEngine.analyze(text, language, entities, nlp_artifacts=...)``
        returns with an enhancer that keeps scores as they are."""
        results: list[RecognizerResult] = []
        for recognizer, plain in zip(self.recognizers, self.plain, strict=True):
            if plain:
                results.extend(scan_patterns(recognizer, text))  # type: ignore[arg-type]
                continue
            # Presidio's own recognisers take None for "no NLP artefacts" too.
            found = recognizer.analyze(
                text=text,
                entities=self.entities,
                nlp_artifacts=nlp_artifacts,  # type: ignore[arg-type]
            )
            for result in found or []:
                metadata = result.recognition_metadata or {}
                metadata.setdefault(_ID, recognizer.id)
                metadata.setdefault(_NAME, str(cast(Any, recognizer).name))
                result.recognition_metadata = metadata
                result.analysis_explanation = None  # type: ignore[assignment]
                results.append(result)
        kept = [r for r in results if r.score >= self._threshold(r)]
        return EntityRecognizer.remove_duplicates(kept)
