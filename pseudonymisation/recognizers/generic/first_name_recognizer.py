"""Presidio recogniser of a listed first name followed by a capitalised surname.

Format: a first name from the lexicon below, then one to three capitalised words, possibly
with surname particles (``Liesbeth Van de Velde``, ``Jean-Marc Dubois``, ``Emily Clarke``).
The surname is required: a first name alone (``Guy``, ``Max``, ``Joy``) is too often an
ordinary word to report.

Lexicon: the male and female first names of the ``faker`` package's Belgian Dutch,
Belgian French, British and American person providers (MIT licence; about 1,900 names),
plus Haven's own list (``names.py``), minus names that are also stop words in English,
Dutch or French (``An``, ``Ben``, ``Bas``), month and weekday names, and names of one or
two letters. It is independent of the synthetic generator's name table, so scores on the
generator's notes are not scores on the lexicon's own source.

Known limits: first names outside the lexicon (rarer names, most names of non-European
origin) are missed unless a title or context word precedes them (``person_recognizer``);
a listed first name that starts a capitalised phrase (``Grace Period``, ``Rose Bengal``)
is a false positive; names in all capitals or all lower case are missed.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from pseudonymisation.clinical_terms import lexicon, terms
from pseudonymisation.recognizers.generic.names import FIRST_NAMES
from pseudonymisation.recognizers.generic.person_recognizer import TITLES

_TITLE_WORD = regex.compile(r"(?:" + TITLES + r")")

ENTITY = "PERSON"
SCORE = 0.6
FAKER_LOCALES = (
    "nl_BE",
    "fr_BE",
    "en_GB",
    "en_US",
    "fr_FR",
    "nl_NL",
    "de_DE",
    "de_AT",
    "it_IT",
    "pl_PL",
    "pt_PT",
)
_CALENDAR = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "januari",
    "februari",
    "maart",
    "mei",
    "juni",
    "juli",
    "augustus",
    "oktober",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
}
_PARTICLE = r"(?:(?i:van|von|de|der|den|du|le|la|ter|ten|vanden|vander)\s+|[Dd]['’])"
# A capital may come back after one or two letters: ``McLeod``, ``MacDonald``, ``DeSmet``.
_CAPITALISED = r"\p{Lu}(?:['’]\p{Lu})?(?:\p{Ll}{1,2}\p{Lu})?[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?"
_SURNAME = regex.compile(
    r"\s+(?:"
    + _PARTICLE
    + r"){0,2}"
    + _CAPITALISED
    + r"(?:\s+(?:"
    + _PARTICLE
    + r"){0,2}"
    + _CAPITALISED
    + r"){0,1}\b"
)
_SAINTS = frozenset({"Saint", "Sainte", "Sint", "Sankt", "St"})
# A name written all in lower case, framed as a name is in a note: after a colon or an
# opening quote, or before an age or a bracket ("opname: jens vanneste (", "« dupont
# jean-luc »", "bei ewald kreins, 96-jährig"). One of its two words must be a listed first
# name that is no common word of any language.
_LOWER = r"\p{Ll}[\p{Ll}'’]{2,}(?:-\p{Ll}{3,})?"
_LOWER_PAIR = regex.compile(
    r"(?<![\p{L}'’-])(?<=(?:[:«\"„“]|\b(?:bei|bij|chez|at|with|met|mit|avec))\s{0,2})("
    + _LOWER
    + r")\s("
    + _LOWER
    + r")(?=\s?(?:,\s?\d|\(|[»\"“”]))"
)
_WORD = regex.compile(r"(?<![\p{L}'’-])" + _CAPITALISED + r"(?![\p{L}'’-])")


@lru_cache(maxsize=1)
def _all_first_names() -> frozenset[str]:
    names = set(FIRST_NAMES)
    for locale in FAKER_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        names |= set(provider.first_names_male) | set(provider.first_names_female)
    return frozenset(n for n in names if len(n) > 2 and n.lower() not in _CALENDAR)


@lru_cache(maxsize=8)
def _stop_words(language: str) -> frozenset[str]:
    module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    return frozenset(module.STOP_WORDS)


@lru_cache(maxsize=8)
def first_names(language: str | None = None) -> frozenset[str]:
    """The lexicon: faker's first names of ``FAKER_LOCALES`` and Haven's own, without
    month and weekday names and without the stop words of ``language`` (of English,
    Dutch, French and German when no language is given: ``Ben`` is a name in an English
    note, a verb in a Dutch one)."""
    languages = (language,) if language else ("en", "nl", "fr", "de")
    excluded: frozenset[str] = frozenset().union(*(_stop_words(lang) for lang in languages))
    return frozenset(n for n in _all_first_names() if n.lower() not in excluded)


def _listed(word: str, lexicon: frozenset[str]) -> bool:
    """Whether ``word`` is a listed first name, or a double one with a listed part
    (``Kofi-Jay``, ``Anne-Sophie``), unless its first part is a saint's (``Sint-Jan``)."""
    if word in lexicon:
        return True
    parts = word.split("-")
    return len(parts) == 2 and parts[0] not in _SAINTS and (parts[0] in lexicon or parts[1] in lexicon)


# A capitalised word right before a listed first name, not at a sentence's start.
_PART_BEFORE = regex.compile(r"(?<=[\p{Ll}\d,;)]\s)(\p{Lu}\p{Ll}{2,})\s$")
_NOUNS_CAPITALISED = frozenset({"de"})


@lru_cache(maxsize=8)
def _not_name_parts(language: str) -> frozenset[str]:
    """Capitalised words that come before names without being one: titles and roles,
    departments, hospital words, stop words of any language."""
    words = {w.lower() for w in _all_stop_words()}
    for name in ("roles", "departments", "hospitals"):
        words |= {t.lower() for t in terms(name, language)}
    return frozenset(words)


def _not_a_name_part(word: str, language: str) -> bool:
    return word.lower() in _not_name_parts(language) or _TITLE_WORD.fullmatch(word) is not None


@lru_cache(maxsize=1)
def _lower_first_names() -> frozenset[str]:
    """Listed first names in lower case, minus those that are words of a language
    (``ambiguous_names.csv``: ``rose``, ``roos``, ``mark``) or stop words of any."""
    ambiguous = {row["word"].lower() for row in lexicon("ambiguous_names")}
    return frozenset(n.lower() for n in first_names()) - ambiguous


def _lower_name(first: str, second: str) -> bool:
    names = _lower_first_names()
    stop = _all_stop_words()
    if first in stop or second in stop:
        return False
    return any(part in names for word in (first, second) for part in (word, *word.split("-")))


@lru_cache(maxsize=1)
def _all_stop_words() -> frozenset[str]:
    return frozenset().union(*(_stop_words(lang) for lang in ("en", "nl", "fr", "de")))


class FirstNameSurnameRecognizer(EntityRecognizer):
    """A listed first name and the capitalised surname after it."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=[ENTITY],
            supported_language=supported_language,
            name=f"FirstNameSurnameRecognizer_{supported_language}",
        )

    def load(self) -> None:
        """Nothing to load: the lexicon is built on first use and cached per process."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Spans of a listed first name followed by a surname."""
        if ENTITY not in entities:
            return []
        lexicon = first_names()
        found = [
            RecognizerResult(ENTITY, pair.start(), pair.end(), SCORE)
            for pair in _LOWER_PAIR.finditer(text)
            if _lower_name(pair.group(1), pair.group(2))
        ]
        for word in _WORD.finditer(text):
            if not _listed(word.group(), lexicon):
                continue
            surname = _SURNAME.match(text, word.end())
            if surname is not None:
                start = self._first_part_before(text, word.start())
                found.append(RecognizerResult(ENTITY, start, surname.end(), SCORE))
        return found

    def _first_part_before(self, text: str, start: int) -> int:
        """Where the name starts: a first part outside the lexicon may come before the listed
        one (``Ndeye Fatou Sow``, ``Maria Ana Silva``), a capitalised word in mid-sentence
        that is no title, role, department or hospital word. Not in German, which
        capitalises every noun."""
        if self.supported_language in _NOUNS_CAPITALISED:
            return start
        before = _PART_BEFORE.search(text, max(0, start - 40), start)
        if before is None or _not_a_name_part(before.group(1), self.supported_language):
            return start
        return before.start(1)
