"""Presidio recogniser of person names from titles, name lists and initials.

Used for every language, next to spaCy's statistical NER where a model exists (French):
for Dutch and English no official spaCy model installs from the package registry, so
this recogniser carries person recall there. It reports:

* a capitalised name after a title or role word (``Dr. Peeters``, ``Mme Dubois``,
  ``Dhr. Van Damme``, ``Mrs Jones``, ``patiënt Janssens``);
* a listed first name followed by capitalised words (``Marie Lambert``);
* a listed surname on its own (``Peeters``) and an initial with a surname (``J. Peeters``);

Known limits: names outside the lists with no title before them are missed; a listed
name that is also a common word in capitals (``Mai``, ``Henry`` as a brand) is a false
positive; names written in all lower case are missed.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from pseudonymisation.recognizers.generic.names import FIRST_NAMES, SURNAMES

ENTITY = "PERSON"

_PARTICLE = (r"(?:[Vv]an\s(?:[Dd]e[nr]?\s)?|[Dd]e\s|[Dd]e[nr]\s|[Ll]e\s|[Ll]a\s|[Dd]u\s|"
             r"[Dd]['’]|[Vv]ander|[Vv]on\s)")
_WORD = r"\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?"
_NAME = r"(?:" + _PARTICLE + r")?" + _WORD + r"(?:\s(?:" + _PARTICLE + r")?" + _WORD + r"){0,2}"
_TITLES = (
    r"Dr\.?|Dre|Prof\.?|Pr\.?|M\.|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Miss|Dhr\.?|Mevr\.?|Mw\.?|"
    r"[Mm]onsieur|[Mm]adame|[Mm]ademoiselle|[Dd]octeur|[Dd]okter|[Pp]rofesseur|[Pp]rofessor|"
    r"[Mm]evrouw|[Mm]eneer|[Dd]e heer|[Pp]atiënte?|[Pp]atiente?|[Pp]atient|[Cc]onfrère|[Cc]ollega|"
    r"[Ee]poux|[Éé]pouse|[Ee]chtgeno(?:ot|te)|[Hh]usband|[Ww]ife|[Dd]aughter|[Ss]on|[Ff]ille|[Ff]ils|"
    r"[Dd]ochter|[Zz]oon|[Ii]nfirmière|[Ii]nfirmier|[Vv]erpleegkundige|[Nn]urse|GP|[Hh]uisarts"
)
_FIRST = r"(?:" + "|".join(sorted(FIRST_NAMES, key=len, reverse=True)) + r")"
_LAST = r"(?:" + "|".join(sorted(SURNAMES, key=len, reverse=True)) + r")"


class NameListPersonRecognizer(PatternRecognizer):
    """Names after titles, listed first names with a surname, listed surnames, initials."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("title + name", r"(?<=\b(?:" + _TITLES + r")\s)" + _NAME + r"\b", 0.65),
        Pattern("first name + name", r"\b" + _FIRST + r"(?:\s" + _NAME + r")?\b", 0.6),
        Pattern("listed surname", r"\b(?:" + _PARTICLE + r")?" + _LAST + r"\b", 0.55),
        Pattern("initial + name", r"(?<![\p{L}\d.])\p{Lu}\.\s?(?:\p{Lu}\.\s?)?" + _NAME + r"\b", 0.55),
    ]
    CONTEXT: ClassVar[list[str]] = ["patient", "patiënt", "docteur", "dokter", "doctor", "né",
                                    "geboren", "born"]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"NameListPersonRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            context=list(self.CONTEXT),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
