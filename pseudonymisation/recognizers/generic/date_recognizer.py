"""Presidio recogniser of dates in French, Dutch, English and German notes.

Formats: ``12/03/2024``, ``12-03-24``, ``12.03.2024``, ``2024-03-12``, ``12 mars 2024``, ``03-déc-2026``,
``1er mars 2024``, ``12 maart 2024``, ``March 12, 2024``, ``12 March 2024``, ``mars 2024``,
``5. März 2025``, an optional weekday before (``vendredi 14 mars``, ``di 11/3``), and short
numeric dates without a year (``12/01``, ``17/3``, ``4.3.``) when a weekday or a word that
introduces a date comes just before (``le``, ``du``, ``op``, ``tot``, ``on``, ``seen``, ``am``,
``vom``, ``RDV``, ``afspraak``), right after a doctor's name (``Dr Van Dyck 14/4``) or
between commas (``Femke Declercq, 22/1, ...``): alone, ``3/10`` is as often a pain score or
a fraction.
Also a month name then a day (``March 3rd``, ``Nov 20``), a full weekday and a day alone
(``jeudi 9``, ``Sunday the 14th``), the first day of a range (``du 18 au 21 novembre``, ``vom 4. bis
15.03.2025``), a short date before a time (``23/12 22:41``), a month with a short year
(``maart '24``), German ``Freitag, den 7. Februar``, ``next Monday, 13 October``, an
ordinal after ``on the`` (``on the 29th.``) and a month named alone after a preposition
(``diagnosed in April``, ``im Januar``; Safe Harbor counts the month as a date's element).
Numeric dates are validated (day 1-31, month 1-12). Known limits: years alone (``en
2019``), relative dates (``hier``, ``gisteren``), dates written in words, and short dates
with no such word before them are kept; a numeric date glued to more digits (part of a
national number) is left to that recogniser.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from pseudonymisation.recognizers.gated import GatedPattern

ENTITY = "DATE"

MONTHS = (
    # French
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
    "décembre|decembre|janv\\.?|févr\\.?|fevr\\.?|avr\\.?|juil\\.?|sept\\.?|oct\\.?|nov\\.?|déc\\.?|"
    # Dutch
    "januari|februari|maart|april|mei|juni|juli|augustus|oktober|december|jan\\.?|feb\\.?|"
    "mrt\\.?|apr\\.?|aug\\.?|okt\\.?|dec\\.?|"
    # English
    "january|february|march|june|july|august|september|october|november|"
    # German (the others are spelt as in Dutch or English)
    "januar|februar|märz|maerz|dezember|jän\\.?|mär\\.?|dez\\.?"
)
WEEKDAYS = (
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun\\.|mar\\.|mer\\.|jeu\\.|ven\\.|sam\\.|"
    "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|fri|sat|sun|"
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|mo|mi|fr|sa|so"
)
# Words that introduce a date: a short numeric date ("12/01") counts only after one of them.
_INTRODUCERS = (
    "le|du|au|depuis|dès|jusqu['’]au|rdv|rendez-vous|revu|revue|vu|contrôle|prévue?|"
    "op|van|tot|vanaf|sinds|t/m|afspraak|sessie|controle|revisie|gezien|"
    "on|from|to|until|till|since|seen|review|visit|appointment|dated|"
    "am|vom|bis|ab|seit|zum|termin|kontrolle|date|datum"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_YEAR = r"(?:19|20)\d{2}"
# A pattern that opens with a lookbehind is tried at every position of the text; a
# lookahead on its first character first lets the regex engine skip to the digits (5 to 7
# times faster on the evaluation notes, the same matches).
_NUMERIC = r"(?=\d)(?<![\d.,/-])" + _DAY + r"([/.-])(?:0?[1-9]|1[0-2])\1(?:" + _YEAR + r"|\d{2})(?![.,/-]?\d)"
_ISO = r"(?<![\d.-])" + _YEAR + r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])"
# German writes "Freitag, den 7. Februar".
_WEEKDAY = r"\b(?:(?i:next|last|this|coming)\s)?(?:" + WEEKDAYS + r")\.?,?\s+(?:den\s)?"
_DAY_MONTH = (
    r"(?=\d)(?<![\d])"
    + _DAY
    # "12 mars 2024", and with dashes "03-déc-2026", "3-Dec-2026".
    + r"(?:er|e|ste|de|st|nd|rd|th|\.)?(?:\s+|-)(?:"
    + MONTHS
    + r"|may)(?:(?:\s+|-)"
    + _YEAR
    + r")?\b"
)
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])"
_SHORT = r"(?<![\d.,/-])" + _DAY + r"(?:/" + _MONTH_NUMBER + r"|\." + _MONTH_NUMBER + r"\.)(?![/.,-]?\d)"
# Cheap checks first (a digit here, a space before) so the lookbehind on the introducing
# words runs only where a short date may start.
_SHORT_NUMERIC = r"(?=\d)(?<=\s)(?<=\b(?:" + _INTRODUCERS + r")\s)" + _SHORT
# A short date right after a doctor's name ("discussed with Dr Van Dyck 14/4.") or set
# between commas in a header ("Femke Declercq, 22/1, ziekte van Bowen"): a score or a
# fraction is written after its name, not there.
_SHORT_AFTER_DOCTOR = (
    r"(?=\d)(?<=\b(?:dr|dre|prof|pr)\.?(?:\s(?-i:[Vv]an|[Dd]e[nr]?|[Ll][ea]|[Dd]u|von|\p{Lu}[\p{L}'’-]*)){1,3}\s)"
    + _SHORT
    + r"(?=[\s.,;:)]|$)"
)
_SHORT_BETWEEN_COMMAS = r"(?=\d)(?<=,\s)" + _SHORT + r"(?=\s?[,;:)])"
# A short date that heads a note, before its colon: "Physio assessment 10/11: ...".
_SHORT_BEFORE_COLON = r"(?=\d)(?<=\s)" + _SHORT + r"(?=:\s)"
# A short date before a time, in a message header: "WhatsApp 23/12 22:41", "03.01. 06:52".
_SHORT_BEFORE_TIME = r"(?=\d)(?<![\d.,/-])" + _SHORT + r"(?=\s(?:[01]?\d|2[0-3])[:h][0-5]\d\b)"
# English ordinals with "of": "the 21st of November".
_DAY_OF_MONTH = r"(?=\d)(?<!\d)" + _DAY + r"(?:st|nd|rd|th)\sof\s(?:" + MONTHS + r"|may)\b"
# An English ordinal alone after "on the": "returned on the 29th." (not "the 4th ventricle").
_ON_THE_DAY = (
    r"(?=\d)(?<=\b(?:on|since|until|by)\sthe\s)" + _DAY + r"(?:st|nd|rd|th)(?=\s?[.,;)]|\s(?:at|and)\b)"
)
# A month named alone after a preposition: "diagnosed in April", "Controle in november",
# "im Januar", "en mars" (full names only; English "May" and "March" with a capital).
_FULL_MONTHS = (
    r"(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|"
    r"januari|februari|maart|april|mei|juni|juli|augustus|oktober|december|"
    r"january|february|june|july|september|october|november|"
    r"januar|februar|märz|dezember|(?-i:March|May))"
)
_MONTH_ALONE = (
    r"(?<=\b(?:in|im|en|since|sinds|seit|depuis|until|tot|bis|begin|eind|anfang|ende|early|late|mid|"
    r"fin|début|mi|eind|midden|half|mitte)\s)" + _FULL_MONTHS + r"(?![\p{L}\d]|\s\d|\s['’]\d)"
)
# A weekday before a date belongs to it: "vendredi 14 mars", "di 11/3".
_WEEKDAY_DATE = _WEEKDAY + r"(?=\d)(?:" + _DAY_MONTH + r"|" + _NUMERIC + r"|" + _SHORT + r")"
_MONTH_DAY = r"\b(?:" + MONTHS + r")\s+" + _DAY + r"(?:st|nd|rd|th)?,?\s+" + _YEAR + r"\b"
_MONTH_YEAR = r"\b(?:" + MONTHS + r")\s+(?:" + _YEAR + r"|['’]\d{2})\b"
# English writes the month first, often without the year: "March 3rd", "Nov 20".
_MONTH_DAY_NO_YEAR = (
    r"\b(?:" + MONTHS + r")\s+" + _DAY + r"(?:st|nd|rd|th)?(?![\d:.,]\d|\s?(?:h|u|mg|ml|%))\b"
)
_FULL_WEEKDAYS = (
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|maandag|dinsdag|woensdag|donderdag|"
    r"vrijdag|zaterdag|zondag|monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|"
    r"dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)"
)
# A full weekday and a day of the month alone: "jeudi 9 à 10h", "Sunday the 14th".
_WEEKDAY_DAY = (
    r"\b"
    + _FULL_WEEKDAYS
    + r"\s(?:the\s)?"
    + _DAY
    + r"(?!\d)(?:st|nd|rd|th|\.)?(?![\d/.:,]\d|\s?(?:h|u)\b|\s?[:h]\d)"
)
# The first day of a range whose second day has the month: "du 18 au 21 novembre",
# "van 3 tot 7 november", "vom 10. bis 14. November".
_RANGE_START = (
    r"(?=\d)(?<=\b(?:du|van|vom|from|von|de)\s)"
    + _DAY
    + r"(?!\d)(?:er|e|ste|de|st|nd|rd|th|\.)?(?=\s(?:au|tot|bis|to|till|until|à|t/m|-|–)\s"
    + _DAY
    # The second day with the month's name or number: "vom 4. bis 15.03.2025".
    + r"(?:(?:er|e|ste|de|st|nd|rd|th|\.)?\s+(?:"
    + MONTHS
    + r"|may)\b|[./]"
    + _MONTH_NUMBER
    + r"(?!\d)))"
)


class MultilingualDateRecognizer(PatternRecognizer):
    """Dates of birth and of care, numeric or with month names in FR/NL/EN."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("date numeric", _NUMERIC, 0.6),
        Pattern("date iso", _ISO, 0.6),
        Pattern("date day month", _DAY_MONTH, 0.6),
        Pattern("date month day", _MONTH_DAY, 0.6),
        Pattern("date month year", _MONTH_YEAR, 0.6),
        Pattern("date day/month after a date word", _SHORT_NUMERIC, 0.6),
        Pattern("date day/month after a doctor's name", _SHORT_AFTER_DOCTOR, 0.6),
        Pattern("date day/month between commas", _SHORT_BETWEEN_COMMAS, 0.6),
        Pattern("date day/month before a colon", _SHORT_BEFORE_COLON, 0.6),
        Pattern("date day/month before a time", _SHORT_BEFORE_TIME, 0.6),
        Pattern("date day of month", _DAY_OF_MONTH, 0.6),
        Pattern("date ordinal on the", _ON_THE_DAY, 0.6),
        Pattern("date month alone", _MONTH_ALONE, 0.6),
        Pattern("weekday + date", _WEEKDAY_DATE, 0.6),
        Pattern("month + day", _MONTH_DAY_NO_YEAR, 0.6),
        GatedPattern("weekday + day", _WEEKDAY_DAY, 0.6, gate=r"\b" + _FULL_WEEKDAYS + r"\s"),
        Pattern("first day of a range", _RANGE_START, 0.6),
    ]
    CONTEXT: ClassVar[list[str]] = ["né", "née", "geboren", "born", "date", "datum", "le", "op", "on"]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"MultilingualDateRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            context=list(self.CONTEXT),
            global_regex_flags=regex.DOTALL | regex.MULTILINE | regex.IGNORECASE,
        )
