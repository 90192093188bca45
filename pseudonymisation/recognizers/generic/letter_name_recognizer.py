"""Presidio recogniser of person names as letters and notes write them, checked against the
first-name lexicon of ``first_name_recognizer``.

* surname first in capitals, then the first name: ``MARCHAL Thierry``, ``DE SMET Roger``,
  ``VERHEYEN Marie-Claire`` (the first name must be listed);
* a name in lower case after a title or ``patient``: ``Mr jean-luc bertrand``,
  ``Patiënt luc verbeke``, ``Herr peter schmitz`` (the first word must be a listed first name);
* a listed first name alone: ``Ginette demande sa fille``, ``Jonas (22j)``, ``(Carine)``,
  ``Sohn Can``; and a nickname in quotes after ``comme``, ``als``, ``called``
  (``se présente comme « Momo »``).

A listed first name that is also an ordinary word of the note's language
(``clinical_terms``' ``ambiguous_names.csv``: ``Mark``, ``Grace``, ``Marine``, ``Roos``) is
taken alone only in the middle of a sentence, and never in German.

Known limits: a first name outside the lexicon with no title, relation or label before it is
missed; a listed first name used as an ordinary capitalised word and not in that list is
replaced; all-caps surnames followed by an
unlisted first name are left to the title patterns.
"""

from __future__ import annotations

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from pseudonymisation.clinical_terms import terms
from pseudonymisation.recognizers.generic.first_name_recognizer import first_names

ENTITY = "PERSON"
SCORE = 0.6
_UPPER_PARTICLE = r"(?:(?:VAN|VON|DE|DEN|DER|DU|LE|LA|TER|TEN|VANDEN|VANDER)\s|[DL]['’])"
_UPPER_WORD = r"\p{Lu}{2,}(?:['’-]\p{Lu}{2,})*"
_CAPS_FIRST = regex.compile(
    r"(?<![\p{L}\d])(?:"
    + _UPPER_PARTICLE
    + r"){0,2}"
    + _UPPER_WORD
    + r"(?:\s"
    + _UPPER_WORD
    + r")?\s(?P<first>\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)(?![\p{L}])"
)
_LOWER_TRIGGER = (
    r"(?:Mr|Mrs|Ms|M\.|[Mm]me|[Mm]lle|[Mm]adame|[Mm]onsieur|Herr|Herrn|Frau|[Dd]hr\.|[Mm]evr\.|[Pp]atiente?|"
    r"[Pp]atiënte?|[Pp]atientin|see|voir|zien|sehen)"
)
_LOWER = regex.compile(
    r"(?<=\b"
    + _LOWER_TRIGGER
    + r"\s)(?P<first>\p{Ll}+(?:-\p{Ll}+)?)\s"
    + r"(?:(?:van|de|der|den|von|le|la|du)\s)?\p{Ll}[\p{Ll}'’-]{2,}(?![\p{L}])"
    # A third word only where the name visibly ends: "M. jonathan lukusa kalala, 27 ans".
    + r"(?:\s\p{Ll}[\p{Ll}'’-]{2,}(?=[,;(]))?"
)
# Surname first in lower case after a title: "mme vandeputte odette", "mevr. de smet maria".
# The title first and ``\K`` after it (the match starts there): the engine looks for the
# title's letters instead of trying a lookbehind at every position.
_LOWER_SURNAME_FIRST = regex.compile(
    r"\b"
    + _LOWER_TRIGGER
    + r"\s\K(?:(?:van|de|der|den|von|le|la|du|vande|vander|vanden)\s)?\p{Ll}[\p{Ll}'’-]{2,}\s"
    + r"(?P<first>\p{Ll}+(?:-\p{Ll}+)?)(?![\p{L}])"
)
# "Surname, Firstname" after a title or label: "Patientin Müller-Schmitz, Karin",
# "Pt: KOWALSKI, Marek".
_SURNAME_COMMA_FIRST = regex.compile(
    r"\b(?:"
    + _LOWER_TRIGGER
    + r"|Dr\.?|Mevr\.|Dhr\.|Name|Naam|Nom|Pt\.?)(?:\s?:)?\s\K\p{Lu}[\p{L}'’-]+,\s"
    + r"(?P<first>\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)(?![\p{L}])"
)
# A nickname in quotes right after a name: "Achiel Decock, 'Chielke'", "Esposito ('Nonna Gio'".
_QUOTED_AFTER_NAME = regex.compile(
    r"\p{Lu}[\p{L}'’-]+,?\s\(?['‘\"“„«]\s?\K\p{Lu}[\p{L}'’-]*(?:\s\p{Lu}[\p{L}'’-]*)?(?=\s?['’\"”»])"
)
_NAME = r"(?P<first>\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)"
# Not before another capitalised word (the surname patterns take those) nor a number
# ("Ward 5B" is a ward).
_ALONE = regex.compile(r"(?<![\p{L}\d'’.-])" + _NAME + r"(?![\p{L}\d'’-]|\s\p{Lu}|\s\d|\.\p{L})")
_NICKNAME = regex.compile(
    r"(?<=\b(?:comme|als|called|appelé|appelée|genannt|surnommée?|alias|name\sis|noemt\szich)\s[«\"„“]?\s?)"
    r"\p{Lu}\p{Ll}+"
)


_SENTENCE_START = regex.compile(r"(?:^|[.!?:;]\s*|\n\s*)$")
# Languages that capitalise every noun: a capital there says nothing of a name.
_NOUNS_CAPITALISED = frozenset({"de"})


def _listed(word: str, lexicon: frozenset[str]) -> bool:
    return word in lexicon or all(part in lexicon for part in word.split("-"))


class LetterNameRecognizer(EntityRecognizer):
    """Surname-first capitals, lower-case names after a title, listed first names alone."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=[ENTITY],
            supported_language=supported_language,
            name=f"LetterNameRecognizer_{supported_language}",
        )

    def load(self) -> None:
        """Nothing to load: the lexicon is built on first use and cached per process."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Spans of names in the letter forms above."""
        if ENTITY not in entities:
            return []
        lexicon = first_names(self.supported_language)
        found = []
        for match in _CAPS_FIRST.finditer(text):
            if _listed(match.group("first"), lexicon):
                found.append(RecognizerResult(ENTITY, match.start(), match.end(), SCORE))
        for match in _LOWER.finditer(text):
            if _listed(match.group("first").title(), lexicon):
                found.append(RecognizerResult(ENTITY, match.start(), match.end(), SCORE))
        ambiguous = terms("ambiguous_names", self.supported_language)
        for match in _ALONE.finditer(text):
            name = match.group("first")
            if not _listed(name, lexicon):
                continue
            if name in ambiguous and (
                self.supported_language in _NOUNS_CAPITALISED
                or _SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()])
            ):
                continue
            found.append(RecognizerResult(ENTITY, match.start(), match.end(), SCORE))
        for match in _LOWER_SURNAME_FIRST.finditer(text):
            if _listed(match.group("first").title(), lexicon):
                found.append(RecognizerResult(ENTITY, match.start(), match.end(), SCORE))
        for match in _SURNAME_COMMA_FIRST.finditer(text):
            if _listed(match.group("first"), lexicon):
                found.append(RecognizerResult(ENTITY, match.start(), match.end(), SCORE))
        nouns_capitalised = self.supported_language in _NOUNS_CAPITALISED
        for pattern in (_NICKNAME, _QUOTED_AFTER_NAME):
            for match in pattern.finditer(text):
                # German "als Krankenschwester" is a job: there a nickname needs its quotes.
                quoted = any(q in text[max(0, match.start() - 2) : match.start()] for q in "«\"„“'‘")
                if pattern is _NICKNAME and nouns_capitalised and not quoted:
                    continue
                found.append(RecognizerResult(ENTITY, match.start(), match.end(), SCORE))
        return found
