"""Clinical vocabulary that de-identification keeps, read from data files.

Recognisers find names by shape (capitals, titles, lists of first names), so some clinical
words look like persons: eponyms (``maladie de Crohn``, ``score de Glasgow``), brand names of
drugs and dressings (``Dafalgan``, ``Mepilex``), departments, greetings between colleagues
(``Cher Confrère``) and hospitals named after a saint (``AZ Sint-Jan``). Each kind is a list in
``pseudonymisation/lexicons/`` (``language,...`` CSV, ``*`` for every language):

* ``brands.csv``: brand names of drugs and devices, plus the ATC substance labels of
  ``common/reference_tables/atc.csv`` in English, French and Dutch;
* ``scores.csv``, ``departments.csv``, ``roles.csv``: scores and scales, departments and
  services, titles and roles of people (never a name on their own);
* ``conditions.csv``: acronyms of diagnoses and infections in every language (``ADHD``,
  ``BPCO``, ``HIV``, ``BMR``), which a name or an organisation after a preposition can
  look like (``vermoeden van ADHD``); none is a listed first name or surname, and none is
  an ordinary word of the four languages (``ALS`` is German ``als``, so it is not listed);
* ``eponyms.csv``: eponyms, protected only next to a word of ``eponym_context.csv``
  (``maladie de``, ``Morbus``, ``'s``, ``-score``), since many are surnames too (``Wilson``,
  ``Turner``, ``Parkinson``);
* ``hospitals.csv``: words that start a hospital's name (``AZ``, ``Clinique``, ``Klinik``), in
  every language (an English letter names ``Clinique Saint-Jean``); the saint's name after
  them (``Sint-Jan``, ``Cliniques universitaires Saint-Luc``, ``St. Nikolaus``) is kept, and
  after a group's acronym in capitals its name (``CHR Haute Senne``, ``AZ Groeninge``);
* ``hospital_names.csv``: names of hospitals that are not a saint's, often a person's
  (``Jules Bordet``, ``Marie Curie``, ``Heilig Hart``), kept after a hospital word or
  ``Institut`` (``Institut Jules Bordet``), not alone;
* ``ambiguous_names.csv``: first names that are ordinary words of a language (``Mark``,
  ``Grace``, ``Marine``, ``Roos``, ``Frank``): the name recognisers do not take them alone
  where capitals prove nothing (at the start of a sentence; anywhere in German, which
  capitalises every noun).

``protect`` trims every person or organisation found so that it covers none of these terms.
Known limits: a listed brand or department that is also a real surname (``Wells`` alone is
not protected, but ``Coban`` is) is kept; words outside the lists are not protected.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files
from typing import Any

import regex
from presidio_analyzer import RecognizerResult

from common import reference
from pseudonymisation.recognizers.generic.names import SURNAMES

LEXICONS = (
    "brands",
    "scores",
    "departments",
    "roles",
    "eponyms",
    "eponym_context",
    "hospitals",
    "ambiguous_names",
    "hospital_names",
    "conditions",
)
# Entities found by shape that a clinical term can look like; structured ones (NISS, IBAN,
# phone, e-mail, dates) are validated and never trimmed.
TRIMMED = frozenset({"PERSON", "ORG"})
_WINDOW = 48
_ATC_LABELS = {"en": "label_en", "fr": "label_fr", "nl": "label_nl", "de": "label_en"}
_SAINT = r"(?:Saint|Sainte|Sint|St\.?|Sankt)[-\s]\p{Lu}[\p{L}'’]+(?:-\p{Lu}[\p{L}'’]+)*"


@lru_cache(maxsize=len(LEXICONS))
def _rows(name: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    text = (files("pseudonymisation.lexicons") / f"{name}.csv").read_text(encoding="utf-8")
    return tuple(tuple(row.items()) for row in csv.DictReader(text.splitlines()))


def lexicon(name: str) -> list[dict[str, str]]:
    """Rows of ``pseudonymisation/lexicons/<name>.csv`` (read once per process)."""
    if name not in LEXICONS:
        raise ValueError(f"unknown lexicon {name}")
    return [dict(row) for row in _rows(name)]


def _for(rows: Iterable[dict[str, str]], language: str, column: str) -> list[str]:
    return [r[column] for r in rows if r["language"] in ("*", language)]


@lru_cache(maxsize=64)
def terms(name: str, language: str) -> frozenset[str]:
    """The entries of lexicon ``name`` that apply to ``language``."""
    column = "word" if name in ("hospitals", "eponym_context", "ambiguous_names") else "term"
    column = "name" if name == "hospital_names" else column
    return frozenset(_for(lexicon(name), language, column))


def atc_labels(language: str) -> frozenset[str]:
    """Substance names of the ATC reference table in ``language`` (English for German)."""
    table = reference.load("atc")
    return frozenset(str(v) for v in table.columns[_ATC_LABELS[language]] if v)


def _alternation(words: Iterable[str], fold: bool = False) -> str:
    """One regular expression for ``words`` that prefers the longest, written as a trie
    (``Mepi(?:lex(?:\\ Border)?|tel)``): hundreds of alternatives tried one by one at every
    word start cost more than the rest of the de-identification together. ``fold``: the
    words are matched case-insensitively, so ``APGAR`` and ``Apgar score`` share a branch."""
    trie: dict[str, Any] = {}
    for word in {w.lower() if fold else w for w in words}:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [regex.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
    return body + "?" if "" in node else body


@lru_cache(maxsize=8)
def _pattern(language: str) -> regex.Pattern[str]:
    plain = terms("brands", language) | terms("scores", language) | terms("departments", language)
    plain |= terms("roles", language) | terms("conditions", language) | atc_labels(language)
    eponyms = _alternation(terms("eponyms", language))
    context = lexicon("eponym_context")
    before = _alternation(
        _for((r for r in context if r["position"] == "before"), language, "word"), fold=True
    )
    after = _alternation(_for((r for r in context if r["position"] == "after"), language, "word"))
    hospitals = _alternation(terms("hospitals", language))
    edge_l, edge_r = r"(?<![\p{L}\d])", r"(?![\p{L}\d])"
    parts = [rf"(?i:{_alternation(plain, fold=True)})"]
    if before:
        parts.append(rf"(?i:{before})\s*(?:{eponyms})(?:[-\s](?:{eponyms}))?")
    if after:
        parts.append(rf"(?:{eponyms})(?:['’]s?)?(?:\s?(?:{after}))")
    # An eponymous test followed by its measurement: "Schober 13/10", "Lasègue 40°"; not
    # one that is a frequent surname ("Dr Wilson 12/3" is a name and a date).
    measured = _alternation(terms("eponyms", language) - SURNAMES)
    parts.append(rf"(?:{measured})(?=\s\d{{1,2}}(?:[,.]\d)?/\d{{1,2}}(?![/\d])|\s\d{{1,3}}\s?°)")
    # A hospital named after a saint, with the town that may follow: "AZ Sint-Jan Brugge",
    # "Cliniques universitaires Saint-Luc"; a hospital group's acronym with its place or
    # name: "CHR Haute Senne", "AZ Groeninge", "CHR de la Citadelle".
    town = r"(?:\s(?:St\.\s)?\p{Lu}\p{Ll}+)?"
    acronyms = _alternation(w for w in terms("hospitals", language) if w.isupper())
    # A hospital named after a person: "Hôpital Marie Curie", "Institut Jules Bordet".
    named = _alternation(terms("hospital_names", language))
    parts += [
        rf"(?:{hospitals}|Institut|Instituut|Institute)(?:\s\p{{Ll}}+){{0,2}}\s+(?:{named})",
        rf"(?:{hospitals})(?:\s\p{{Ll}}+){{0,2}}\s+{_SAINT}{town}",
        rf"{_SAINT}(?:-|\s)(?:{hospitals}){town}",
        rf"(?-i:(?:{acronyms})(?:\s(?:de\sla\s|de\s|du\s|des\s|d['’])?\p{{Lu}}[\p{{L}}'’-]+){{1,2}})",
    ]
    return regex.compile(edge_l + "(?:" + "|".join(f"(?:{p})" for p in parts) + ")" + edge_r)


def protected_spans(text: str, language: str) -> list[tuple[int, int]]:
    """Character spans of the clinical terms of ``language`` in ``text``."""
    return [m.span() for m in _pattern(language).finditer(text)]


def _pieces(start: int, end: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces, pos = [], start
    for h_start, h_end in sorted(holes):
        if h_end <= pos or h_start >= end:
            continue
        if h_start > pos:
            pieces.append((pos, h_start))
        pos = max(pos, h_end)
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _holes_near(text: str, language: str, results: list[RecognizerResult]) -> list[tuple[int, int]]:
    """Protected spans that may touch a person or organisation found: the vocabulary is
    searched only around them, not in the whole note (``_WINDOW`` is longer than any term,
    ``Department of Internal Medicine`` or ``Klinik St. Josef St. Vith``)."""
    pattern, window = _pattern(language), _WINDOW
    around = sorted(
        (max(0, r.start - window), min(len(text), r.end + window))
        for r in results
        if r.entity_type in TRIMMED
    )
    # Overlapping windows are searched once, as one: names come in clusters in a letter.
    merged: list[list[int]] = []
    for start, end in around:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    holes: set[tuple[int, int]] = set()
    for start, end in merged:
        holes.update(m.span() for m in pattern.finditer(text, start, end))
    return sorted(holes)


def protect(text: str, results: list[RecognizerResult], language: str) -> list[RecognizerResult]:
    """``results`` with persons and organisations trimmed off the clinical terms of ``text``:
    a found span that covers a term keeps its other words (if any letters are left)."""
    if not any(r.entity_type in TRIMMED for r in results):
        return results
    holes = _holes_near(text, language, results)
    if not holes:
        return results
    kept = []
    for result in results:
        if result.entity_type not in TRIMMED:
            kept.append(result)
            continue
        for start, end in _pieces(result.start, result.end, holes):
            piece = text[start:end]
            stripped = piece.strip(" \t\n,.;:-–()«»\"'")
            if not any(ch.isalpha() for ch in stripped) or len(stripped) < 2:
                continue
            offset = start + piece.index(stripped)
            kept.append(RecognizerResult(result.entity_type, offset, offset + len(stripped), result.score))
    return kept
