"""Presidio recogniser of employers, schools and care homes named in notes.

Safe Harbor counts a person's employer and school as identifying; in a small Belgian town a
school or a care home names a handful of people. Reported:

* an institution word and its name, before or after it: ``école communale de Jambes``,
  ``Athénée Royal d'Uccle``, ``basisschool De Regenboog``, ``Sint-Martinuscollege``,
  ``WZC Ter Linde``, ``résidence Les Lilas``, ``International School of Brussels``,
  ``Gemeindeschule Kettenis``, ``Seniorenheim St. Joseph``, ``KU Leuven``, ``ULB``;
* a name after a word of work or study and a preposition: ``magasinier chez Colruyt``,
  ``werkt in ploegen bij Volvo Cars Gent``, ``works night shifts at Brussels Airport``,
  ``arbeitet bei Kabelwerk Eupen``;
* a name after ``employeur``, ``werkgever``, ``employer``, ``Arbeitgeber``.

Hospitals are not reported (``clinical_terms`` keeps them: they are where care happened,
not who the patient is). Known limits: an employer or school named with no such word
around it is missed; a capitalised word after a work word and a preposition that is not an
organisation (``works at Christmas``) is replaced.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

ENTITY = "ORG"

_WORD = r"(?:\p{Lu}(?:[\p{L}'’&-]|\.(?=\p{L}))*|\d{1,4})"
_LINK = r"(?:(?:de|du|des|la|le|les|van|von|der|den|het|of|the|and|&|St\.|Sint|Saint)\s|[dl]['’])"
_NAME = r"[«\"„“]?\s?" + _WORD + r"(?:\s(?:" + _LINK + r")?" + _WORD + r"){0,4}(?:\s?[»\"“”])?"
_UNIVERSITIES = r"(?:KU\sLeuven|UCLouvain|UCL|ULB|VUB|ULiège|UGent|UAntwerpen|UHasselt|UNamur|UMons)"
_HEADS = (
    r"(?i:école(?:\scommunale|\sprimaire|\smaternelle|\sfondamentale)?|athénée(?:\sroyal)?|collège|lycée|"
    r"institut|université|haute\sécole|crèche|résidence|maison\sde\srepos|(?-i:MRS)|"
    r"basisschool|vrije\sbasisschool|lagere\sschool|school|atheneum|college|hogeschool|universiteit|"
    r"WZC|woonzorgcentrum|rusthuis|kinderdagverblijf|kinderopvang|"
    r"grundschule|gemeindeschule|schule|sekundarschule|hochschule|universität|seniorenheims?|"
    r"altenheim|pflegeheim|kita|kindergarten|university|nursery|care\shome|lodge)"
)
_SUFFIX_WORD = (
    r"\p{Lu}[\p{L}'’-]*(?i:college|collège|school|hogeschool|schule|institut|universiteit|"
    r"universität|athenaeum|atheneum)(?![\p{L}])"
)
_WORK = (
    r"(?i:travaille|travaillait|employée?|ouvrier|ouvrière|magasinier|intérimaire|enseignante?|étudiante?|"
    r"élève|stagiaire|aide-soignante?|chauffeur|works?|working|worked|employed|student|pupil|"
    r"driver|worker|bartender|teacher|interpreter|engineer|werkt|werkte|werknemer|werkneemster|"
    r"bediende|arbeider|leraar|lerares|juf|studente|leerlinge?|boekhouder|speelt|voetbal|"
    r"arbeitet|beschäftigt|arbeiter|angestellter?|lehrer|lehrerin|schülerin|schüler|studentin|"
    # Occupational physicians write to or about the employer.
    r"arbeidsgeneesheer|médecin\sdu\stravail|occupational\sphysician|betriebsarzt|arbeitsmediziner)"
)
_PREPOSITION = (
    r"(?:chez|bij|bei|at|for|à\sla|à\sl['’]|à|au|aan\sde|aan\shet|aan|van\sde|van\shet|van|an\sder|am)"
)
_ARTICLE = r"(?:(?:the|de|het|la|le|les|der|die|das)\s|l['’])?"


class OrganisationRecognizer(PatternRecognizer):
    """Schools, universities, care homes and employers, from the words around them."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("university", r"(?<![\p{L}])" + _UNIVERSITIES + r"(?![\p{L}])", 0.6),
        Pattern(
            "institution word + name",
            r"\b" + _HEADS + r"\s(?:" + _LINK + r"\s?)?" + _NAME,
            0.6,
        ),
        Pattern(
            "name + institution word",
            r"\b(?:St\.\s)?(?:" + _WORD + r"\s){1,3}" + _HEADS + r"(?:\s" + _LINK + r"?" + _NAME + r")?\b",
            0.6,
        ),
        Pattern("compound institution", r"\b" + _SUFFIX_WORD + r"(?:\s" + _NAME + r")?", 0.6),
        Pattern(
            "work word + preposition + name",
            r"(?=[\p{Lu}«\"„“\d])(?<=\s)(?<=\b"
            + _WORK
            + r"\b[^.;:\n]{0,40}?\s"
            + _PREPOSITION
            + r"\s"
            + _ARTICLE
            + r")"
            + _NAME,
            0.6,
        ),
        Pattern(
            "employer label + name",
            r"(?=[\p{Lu}«\"„“\d])(?<=\b(?i:werkgever|employeur|employer|arbeitgeber)\s?[:(]?\s?)" + _NAME,
            0.6,
        ),
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"OrganisationRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
