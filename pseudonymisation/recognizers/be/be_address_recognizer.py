"""Presidio recogniser of Belgian postal addresses in French, Dutch and English notes.

Finds a street with its house number (``rue de la Loi 16``, ``Kerkstraat 12 bus 3``,
``Chaussée de Wavre 120``, ``12 Baker Street``, the number first as English letters write
it: ``14 Avenue Louise``), optionally followed by a postcode and
municipality (``, 1040 Etterbeek``), and a postcode with a municipality after a comma.
Dutch roads named after their destination (``Steenweg op Gent 117``) count as streets.
Known limits: a street without a house number, a street type outside the lists below
(``Hoogstraat`` is found through ``straat``, ``Groenplaats`` through ``plaats``,
``Meir 12`` or ``Zum Kehr 5`` only when a postcode and municipality follow), and municipalities
mentioned alone (``à Liège``) are not reported: cities are quasi-identifiers that
``pseudonymisation.generalise`` handles, not direct identifiers.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from pseudonymisation.recognizers.gated import GatedPattern

ENTITY = "ADDRESS"

_CAP = r"\p{Lu}[\p{L}'’-]*"
# A box after the number: "12 bus 3", "112/3".
_NUMBER = r"\d{1,4}(?:\s?[a-zA-Z](?![\p{L}]))?(?:\s?(?:bte|boîte|bus|box|b\.)\s?\d{1,4}|/\d{1,3}(?![\d/]))?"
_POSTCODE_CITY = r"[1-9]\d{3}\s+(?:St\.\s)?" + _CAP + r"(?:[\s-]" + _CAP + r")*"
# A British address ends in a town and a postcode: "London NW1 6XE".
_UK_TOWN_POSTCODE = _CAP + r"\s[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
_FR_TYPES = (
    r"(?i:rue|avenue|av\.|boulevard|bd|chaussée|chaussee|place|chemin|allée|allee|quai|"
    r"square|clos|impasse|drève|dreve|route|galerie|rond-point|voie|sentier)"
)
_FR_STREET = (
    _FR_TYPES
    + r"\s+(?:(?i:de la|de l['’]|des|du|de|d['’]|aux|au|la|le|les)\s*)?"
    + _CAP
    + r"(?:\s+(?:(?i:de|du|des|la|le|l['’]|d['’])\s*)?"
    + _CAP
    + r")*,?\s+"
    + _NUMBER
    # "Grand-Place 3", "Petite-Rue 5": the street type at the end of a hyphenated name.
    + r"|"
    + _CAP
    + r"-(?:Place|Rue|Chaussée)\s+"
    + _NUMBER
)
# The number first, as English letters and some French ones write it: "14 Avenue Louise",
# "12, rue de la Loi".
_FR_STREET_NUMBER_FIRST = (
    r"(?<![\d.,/-])\d{1,4}[a-zA-Z]?,?\s+"
    + _FR_TYPES
    + r"\s+(?:(?i:de la|de l['’]|des|du|de|d['’]|aux|au|la|le|les)\s*)?"
    + _CAP
    + r"(?:\s+(?:(?i:de|du|des|la|le|l['’]|d['’])\s*)?"
    + _CAP
    + r")*"
    # A number both before and after when the first is something else ("84, Avenue des
    # Saisons 19": an age before the street).
    + r"(?:\s+"
    + _NUMBER
    + r"(?![\d\p{L}]))?"
)
_NL_TYPES = (
    r"(?:straat|laan|plein|plaats|steenweg|weg|lei|dreef|kaai|kade|markt|singel|gracht|"
    r"dijk|baan|hof|pad|vest|wal|berg|dam|kouter|veld|park|ring|wijk|dries|"
    # German (East Belgium): Hauptstraße, Aachener Straße, Kirchgasse, Marktplatz.
    r"straße|strasse|gasse|platz|allee|ufer)"
)
# Roads named after where they lead: "Steenweg op Gent", "Baan naar Hasselt".
_NL_TOWARDS = r"(?:\s(?:op|naar)\s" + _CAP + r")?"
_NL_STREET = (
    r"(?:"
    + _CAP
    + r"\s)?(?:\p{Lu}[\p{L}-]*"
    + _NL_TYPES
    + r"|(?-i:"
    + _NL_TYPES.title()
    + r"))"
    + _NL_TOWARDS
    + r"\s+"
    + _NUMBER
)
_EN_STREET = (
    r"\d{1,4}\s+(?:" + _CAP + r"\s+){1,3}"
    r"(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive|Court|Close|Square|Terrace|Way)"
)
_STREET = r"(?:" + _FR_STREET_NUMBER_FIRST + r"|" + _FR_STREET + r"|" + _NL_STREET + r"|" + _EN_STREET + r")"


class BeAddressRecognizer(PatternRecognizer):
    """Street and house number, with an optional postcode and municipality."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "street",
            r"\b" + _STREET + r"(?:,?\s+(?:B-)?" + _POSTCODE_CITY + r"|,\s" + _UK_TOWN_POSTCODE + r")?",
            0.6,
        ),
        # A street with no type word ("Zum Kehr 5", "Meir 12") when a postcode and its
        # municipality follow.
        GatedPattern(
            "untyped street before a postcode",
            # Only after a comma, a colon or a word that introduces a place.
            r"(?=\p{L})(?<=(?:[,:]|\b(?i:à|in|te|at|bei|chez|bij|wohnt|woont|habite|adresse|adres|address|"
            r"anschrift))\s)(?:(?i:zum|zur|am|im|auf\sder|an\sder|in\sder|op\sde|aan\sde|op\shet|"
            r"le|la|les)\s)?"
            + _CAP
            + r"(?:\s"
            + _CAP
            + r"){0,2}\s\d{1,4}[a-z]?(?=,?\s(?:B-)?[1-9]\d{3}\s+\p{Lu})",
            0.5,
            gate=r"\d,?\s(?:B-)?[1-9]\d{3}\s+\p{Lu}",
        ),
        # The lookahead first lets the regex engine skip to where a postcode may start.
        Pattern("postcode city after comma", r"(?=[B1-9])(?<=,\s?)(?:B-)?" + _POSTCODE_CITY, 0.5),
    ]
    CONTEXT: ClassVar[list[str]] = ["adresse", "domicile", "habite", "adres", "woont", "address", "lives"]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"BeAddressRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            context=list(self.CONTEXT),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
