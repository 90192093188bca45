"""Presidio recogniser of record, file, case, sample and staff numbers.

Reports the number after a word that names one: ``dossier n° 2025-004871``, ``dossiernr.
88412379``, ``MRN 00731552``, ``hospital no. BRU-559317``, ``échantillon n° L24-558913``,
``staal U-2025-031877``, ``Fallnummer 2025-118304``, ``Probe E25-004417``,
``Untersuchungsnummer RAD-2502-88412``, ``personeelsnummer A-559102``, ``Patient ID
PT-009812``, ``EPD 4471926``, ``Kundennr. K-33815``, ``file GP-2025-0917``, ``biopsie
H25-1234``, ``aanvraagnummer RX25-7719``, ``invoice FAC-25-4401``, ``INAMI 1-23456-78-901``,
``n° de labo 2611-0932``, ``stalennummer 55120``, ``Pat.-Nr. 2025/88310``, ``matricule
TL-00412``, ``dossier social SS-25-0419``, ``hospital number HN 5530019`` (a short capital
prefix set apart). A number is a
token of letters, digits, dashes, dots and slashes with at least four digits. Known limits:
numbers with no such word before them are kept (a bare number is as often a dose or a lab
value); the Belgian national number has its own recogniser.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from pseudonymisation.recognizers.gated import GatedPattern

ENTITY = "ID"

_LABELS = (
    r"(?i:dossier|n°\s?de\s?dossier|n°\s?d['’]examen|échantillon|prélèvement|examen|"
    r"ipp|nda|dossiernr\.?|dossiernummer|patiëntnummer|patientnummer|onderzoeksnummer|"
    r"staal|stalen|personeelsnummer|opnamenummer|mrn|hospital\sno\.?|hospital\snumber|"
    r"file\snumber|file\sno\.?|case\snumber|sample|specimen|patient\sid|record|"
    r"fallnummer|patientennummer|probe|untersuchungsnummer|auftragsnummer|personalnummer|"
    r"aktenzeichen|kundennr\.?|kundennummer|versichertennummer|epd|emd|file|réf\.?|référence|"
    r"referentie|ref\.?|n°\sclient|client|klantnummer|klantnr\.?|customer\scard|customer\snumber|"
    r"kundenkarte|pasnummer|matricule|stamnummer|"
    # Requests, biopsies, invoices, case files, prescribers and barcodes.
    r"aanvraagnummer|aanvraagnr\.?|aanvraag|demande|request\snumber|request|accession|"
    r"anforderungsnummer|anforderung|biopsie|biopsy|biopt|anapath|"
    r"invoice|facture|factuur|rechnung|rechnungsnummer|reference|referenz|"
    r"akte|patientenakte|krankenakte|fallnr\.?|labonummer|labnummer|labnr\.?|staalnummer|"
    r"n°\s?labo|n°\s?d['’]échantillon|ead|inami|riziv|lanr|barcode|code-barres|code\sbarre|"
    r"streepjescode|strichcode|étiquette|etiket|"
    # Numbers, series and lots, memberships and policies, orders and findings.
    r"numéro|nummer|number|num\.|id|pid|pat\.-nr\.?|pat\.\snr\.?|fall-nr\.?|befundnummer|"
    r"labornummer|einsendenummer|probennummer|vorgangsnummer|auftrag|serial|série|serienummer|"
    r"seriennummer|lot|lotnummer|charge|chargennummer|batch|affiliation|aansluitingsnummer|"
    r"lidnummer|mitgliedsnummer|versicherungsnummer|polisnummer|police|policy|membership|"
    r"ordernummer|bestelnummer|commande|ticket|badge|carte|kaart|kaartnummer|karte|card|"
    # "n° de labo", "numéro d'ordre"; Dutch and German compounds ("stalennummer", "Labornr.").
    r"(?:n°|numéro|nr\.?|no\.?)\s?d(?:e\s|['’])\p{L}{3,}|\p{L}{3,}(?:nummer|nr\.?)|"
    r"n°|nr\.|no\.)"
)
# Digit groups may be set apart by single spaces: "26/118 432", "7012 448 93".
_NUMBER = (
    r"(?=[\p{L}\d/.\s-]*(?:\d[^\d\s]*\s?){4})(?:\p{Lu}{1,3}\s(?=\d{4}))?[\p{L}\d][\p{L}\d/.-]*"
    r"(?:\s\d{2,4}(?![\p{L}]))*"
    r"(?<=[\p{L}\d])"
)


class RecordNumberRecognizer(PatternRecognizer):
    """The number after a record, file, case, sample or staff number word."""

    PATTERNS: ClassVar[list[Pattern]] = [
        GatedPattern(
            "record number after its label",
            # Cheap checks first: the lookbehind on the labels is tried only where a number
            # may start after a space, a colon or a hash.
            r"(?<=[\s:#])(?=[\p{L}\d/-]*\d|\p{Lu}{1,3}\s\d)(?<=\b"
            + _LABELS
            + r"(?:\s(?:social|sociale|médical|administratif|sociaal|medisch))?"
            + r"\s?(?:n°|nr\.?|no\.?|#|:)?\s?)"
            + _NUMBER
            + r"(?![\p{L}\d])",
            0.6,
            gate=r"\b" + _LABELS,
        ),
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"RecordNumberRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
