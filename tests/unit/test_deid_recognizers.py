"""The recognisers added for clinical letters, as tables: ages over 89, record numbers, room
and bed numbers, organisations, short and German dates, names in letter forms.

Texts are invented for these tests; assertion messages carry the case id only.
"""

from __future__ import annotations

import pytest
import regex
from presidio_analyzer import EntityRecognizer

from pseudonymisation.recognizers.generic.age_recognizer import AgeOver89Recognizer
from pseudonymisation.recognizers.generic.date_recognizer import MultilingualDateRecognizer
from pseudonymisation.recognizers.generic.letter_name_recognizer import LetterNameRecognizer
from pseudonymisation.recognizers.generic.organisation_recognizer import (
    OrganisationRecognizer,
    extend_over_towns,
)
from pseudonymisation.recognizers.generic.person_recognizer import NameListPersonRecognizer
from pseudonymisation.recognizers.generic.record_number_recognizer import RecordNumberRecognizer
from pseudonymisation.recognizers.generic.room_recognizer import RoomBedRecognizer


def spans(recognizer: EntityRecognizer, entity: str, text: str) -> list[str]:
    """The texts of the found spans in order, without spans inside another found span."""
    found = sorted(
        {(r.start, r.end) for r in recognizer.analyze(text, [entity], None) if r.entity_type == entity}
    )
    outer = [(a, b) for a, b in found if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in found)]
    return [text[a:b] for a, b in outer]


AGE_CASES = [
    ("fr years", "fr", "Mme Piron, 94 ans, chute.", ["94 ans"]),
    ("nl years glued", "nl", "Dhr. Van Damme (95j) op kamer 5.", ["95j"]),
    ("de years", "de", "Herr Krings, 93 Jahre, Pneumonie.", ["93 Jahre"]),
    ("en hyphenated", "en", "A 98-year-old resident.", ["98-year-old"]),
    ("en bare after a name", "en", "Mr O'Brien, 91, post hip fracture.", ["91"]),
    ("bare in brackets after a name", "en", "Mrs Hart (95) voiding.", ["95"]),
    ("89 is not over 89", "fr", "Patiente de 89 ans.", []),
    ("fr in words, Belgian", "fr", "Mme Grégoire, nonante-trois ans, chute.", ["nonante-trois ans"]),
    ("nl in words", "nl", "Dhr. Wouters, eenennegentig jaar, COPD.", ["eenennegentig jaar"]),
    ("en in words after a name", "en", "Mr Ellery, ninety-four, frail.", ["ninety-four"]),
    ("de glued without ending", "de", "Frau Lentz, 97-jährig, Sturz.", ["97-jährig"]),
    ("eighty in words is kept", "en", "Mr Ellery, eighty-four, frail.", []),
    ("younger ages are kept", "nl", "Man van 41 jaar.", []),
    ("saturation is not an age", "fr", "Saturation 92 %, pouls 96.", []),
    ("en years without old", "en", "Mr Lenoir, 90 years, care home.", ["90 years"]),
    ("de years with alt", "de", "Herr Heinrichs, 93 Jahre alt, wohnhaft", ["93 Jahre alt"]),
    ("a duration under 90 years stays", "en", "smoked for 40 years, stopped.", []),
]

ID_CASES = [
    ("fr dossier", "fr", "Dossier n° 2025-004871, sortie.", ["2025-004871"]),
    ("nl EPD", "nl", "Patiënt gekend, EPD 5590217.", ["5590217"]),
    ("digit groups apart", "nl", "Klantnummer 4410 372 19. Tot morgen.", ["4410 372 19"]),
    ("de Kundennr with dots", "de", "Kundennr. K-20.4471 am Schalter.", ["K-20.4471"]),
    ("fr sample", "fr", "Échantillon n° L24-558913 hémolysé.", ["L24-558913"]),
    ("nl dossiernr", "nl", "dossiernr. 88412379.", ["88412379"]),
    ("en mrn", "en", "MRN 00731552 admitted.", ["00731552"]),
    ("en hospital no", "en", "(hospital no. BRU-559317)", ["BRU-559317"]),
    ("de Fallnummer", "de", "Fallnummer 2025-118304.", ["2025-118304"]),
    ("a dose after a label word is no record", "en", "Sample 250 mg.", []),
    ("no label, no record", "fr", "Créatinine 1,1 mg/dl, 2025 patients.", []),
    ("fr biopsy", "fr", "Biopsie P25-40417 : carcinome.", ["P25-40417"]),
    ("nl request", "nl", "Aanvraagnummer CT25-118270 gepland.", ["CT25-118270"]),
    ("en invoice", "en", "About invoice INV-25-77031 again.", ["INV-25-77031"]),
    ("en reference", "en", "Filed, reference AS-2025-0412.", ["AS-2025-0412"]),
    ("de file", "de", "Akte ONK-2025-3318, Befund.", ["ONK-2025-3318"]),
    ("fr INAMI number", "fr", "Prescripteur INAMI 1-23456-78-901.", ["1-23456-78-901"]),
    ("nl barcode", "nl", "Streepjescode 5410013108003 op het etiket.", ["5410013108003"]),
    ("a bare n°", "fr", "Carte n° 774-2210 perdue.", ["774-2210"]),
    ("n° de + a word", "fr", "N° de labo 2611-0932 ; tube vérifié.", ["2611-0932"]),
    ("a Dutch compound", "nl", "Stalennummer 55120 ontvangen.", ["55120"]),
    ("a biopsy size is no record", "fr", "Biopsie de 2 mm, 3 fragments.", []),
    ("de Pat.-Nr.", "de", "Pat.-Nr. 2025/88310 aufgenommen.", ["2025/88310"]),
    ("en serial number", "en", "Pump serial SN-4471-0932 replaced.", ["SN-4471-0932"]),
    ("nl membership", "nl", "Aansluitingsnummer 4120-77331-02 bij het ziekenfonds.", ["4120-77331-02"]),
    ("fr staff number", "fr", "magasinier, matricule TL-00412, après", ["TL-00412"]),
    ("fr social file", "fr", "dossier social SS-25-0419.", ["SS-25-0419"]),
    ("en prefix set apart", "en", "hospital number HN 5530019. PET-CT", ["HN 5530019"]),
    ("a prefix needs four digits", "nl", "patiëntnummer PN 77 gevraagd", []),
]

ROOM_CASES = [
    ("fr chambre and lit", "fr", "chambre 312, lit 2", ["chambre 312, lit 2"]),
    ("nl kamer", "nl", "kamer 417, bed 1", ["kamer 417, bed 1"]),
    ("en room with floor", "en", "Room 3.14 and bed 4B", ["Room 3.14", "bed 4B"]),
    ("de Zimmer Bett", "de", "Zimmer 214, Bett 2", ["Zimmer 214, Bett 2"]),
    ("a ward is not a room", "en", "Ward 5B, day 2.", []),
    ("room and bed joined", "fr", "lit 212-1 ce matin", ["lit 212-1"]),
    ("room and bed with a slash", "fr", "ch. 208/1 : patiente calme", ["ch. 208/1"]),
    ("a wing letter apart", "fr", "en chambre C 117.", ["chambre C 117"]),
    ("wing, floor and room", "en", "room C.2.14 today", ["room C.2.14"]),
    ("a dose is not a bed", "en", "bed 2 mg", []),
    ("a bed by its letter", "fr", "chambre 208 lit A : calme", ["chambre 208 lit A"]),
    ("a pronoun after bed is no bed", "en", "Back in bed I felt better.", []),
    (
        "a stretcher in the emergency room",
        "fr",
        "Installée sur le brancard 14 aux urgences.",
        ["brancard 14"],
    ),
    ("nl short kamer with a floor", "nl", "dienst urologie: k. 3.08 Dhr. X", ["k. 3.08"]),
    ("nl k. without a floor is no room", "nl", "k. 3 keer per dag", []),
    ("a side of the room", "de", "Frau X auf Zi. 403 Tür hat Fieber", ["Zi. 403 Tür"]),
    ("a room before its bed", "nl", "mevr. X op 512 bed 2 heeft", ["512 bed 2"]),
    ("a cot in a room", "nl", "kamer N3 couveuse 2: Mil", ["kamer N3 couveuse 2"]),
    ("a count before beds is no room", "fr", "une unité de 24 lits", []),
    ("a German emergency bay", "de", "Fallnummer 1, Schockraum 1.", ["Schockraum 1"]),
    ("a count after lit is no room", "fr", "Il lit 2 fois par jour.", []),
    ("a duration after bed is no room", "en", "bed 2 weeks rest", []),
]

ORG_CASES = [
    ("fr school", "fr", "élève à l'école communale de Jambes.", ["école communale de Jambes"]),
    (
        "fr employer after chez",
        "fr",
        "magasinier chez Colruyt Ghislenghien. Sa femme",
        ["Colruyt Ghislenghien"],
    ),
    ("nl compound school", "nl", "leraar van het Sint-Martinuscollege.", ["Sint-Martinuscollege"]),
    ("nl care home", "nl", "bewoonster van WZC Ter Linde.", ["WZC Ter Linde"]),
    ("en employer after at", "en", "Works night shifts at Brussels Airport.", ["Brussels Airport"]),
    ("en university", "en", "student at ULB, fainted.", ["ULB"]),
    ("de employer after bei", "de", "Arbeitet bei Kabelwerk Eupen.", ["Kabelwerk Eupen"]),
    ("de school", "de", "Schülerin der Gemeindeschule Kettenis.", ["Gemeindeschule Kettenis"]),
    ("no work word, no employer", "en", "Seen at Grand-Place.", []),
    ("legal form", "nl", "werkt voor Transport Dewaele bvba sinds 2019.", ["Transport Dewaele bvba"]),
    ("compound trade", "nl", "vrachtwagenchauffeur bij Kempen Logistics, rugpijn.", ["Kempen Logistics"]),
    (
        "lower-case words inside a school's name",
        "fr",
        "élève à l'école supérieure des arts de Mons.",
        ["école supérieure des arts de Mons"],
    ),
    ("German nouns after der are no employer", "de", "Er arbeitet in der Küche.", []),
    ("German nouns after bei are no employer", "de", "Er arbeitet bei Bedarf nachts.", []),
    (
        "a trade named after its owner",
        "de",
        "Lehrling bei der Metzgerei Hilgers seit Mai.",
        ["Metzgerei Hilgers"],
    ),
    ("a title is no care home", "en", "Mrs Parker discharged.", []),
    (
        "linked words in a name",
        "fr",
        "retour à la résidence Les Tilleuls de la Sambre.",
        ["résidence Les Tilleuls de la Sambre"],
    ),
    (
        "et in a firm's name",
        "fr",
        "ouvrier à la Carrosserie Lemaire et Fils depuis 2010.",
        ["Carrosserie Lemaire et Fils"],
    ),
    ("former work", "fr", "ancien ouvrier aux Forges de Clabecq, BPCO.", ["Forges de Clabecq"]),
    ("a school's number", "fr", "élève à l'École n°4 de Forest, asthme.", ["École n°4 de Forest"]),
    (
        "ter in a care home's name",
        "nl",
        "terug naar WZC Huize ter Beke in Aalst.",
        ["WZC Huize ter Beke in Aalst"],
    ),
    ("lost work", "nl", "Werkloos na zijn ontslag bij Agfa-Gevaert in 2024.", ["Agfa-Gevaert"]),
    ("retired from", "en", "75, retired from Solvay Chemicals, tremor.", ["Solvay Chemicals"]),
    ("an officer at", "en", "a policy officer at the Council of Europe, asthma.", ["Council of Europe"]),
    ("a firm after chez", "fr", "En stage chez Deloitte Zaventem depuis mars.", ["Deloitte Zaventem"]),
    ("a title after chez is a person's", "fr", "Visite chez Mme Lambert ce jour.", []),
    ("a contract", "nl", "Heeft een contract bij Bpost sinds 2022.", ["Bpost"]),
    ("training", "de", "Ausbildung bei der Sparkasse Eupen seit August.", ["Sparkasse Eupen"]),
    ("works for", "fr", "Comptable pour Ethias depuis 2019.", ["Ethias"]),
    ("a care home by its acronym", "fr", "Retour à la MR Les Glycines demain.", ["MR Les Glycines"]),
    ("a sports club", "fr", "Joue au football au RFC Seraing le dimanche.", ["RFC Seraing"]),
    ("a Belgian home", "fr", "Elle vit au home Les Aubépines depuis mai.", ["home Les Aubépines"]),
    ("home in English is no care home", "en", "Went home Tuesday, stable.", []),
    ("an hour after a work word is no employer", "en", "Called the nurse at 09:10 today.", []),
    ("weeks of pregnancy are no firm", "fr", "Diabète gestationnel à 29 SA.", []),
    (
        "fr town after à",
        "fr",
        "magasinier chez Transports Lejeune à Ghlin, matricule",
        ["Transports Lejeune à Ghlin"],
    ),
    ("nl town after a comma", "nl", "Werkgever: Colruyt Group, Halle. Diagnose", ["Colruyt Group, Halle"]),
    (
        "de town after in",
        "de",
        "Besucht die Kita Sonnenschein in Raeren. Mutter",
        ["Kita Sonnenschein in Raeren"],
    ),
    ("a depot after a comma", "fr", "travaille à la STIB, dépôt de Haren. Il", ["STIB, dépôt de Haren"]),
    ("de work pattern is no town", "de", "arbeitet bei Delhaize in Teilzeit.", ["Delhaize"]),
    ("a label after a comma is no town", "en", "works at Proximus, Diagnosis: asthma", ["Proximus"]),
    ("a word after the town stops it", "nl", "werkt bij Van Hool in Koningshooikt sinds", ["Van Hool"]),
    ("a month is no town", "en", "works at Tesco in March.", ["Tesco"]),
    ("welfare centre", "fr", "auprès du CPAS de Molenbeek-Saint-Jean.", ["CPAS de Molenbeek-Saint-Jean"]),
    ("sports club by age group", "de", "Spielt beim FC Kettenis U14 und", ["FC Kettenis U14"]),
    ("a measurement is no name", "en", "the care home measured 38.2 °C", []),
    (
        "an illness after a comma is no town",
        "de",
        "arbeitet bei Spedition Wetzels, Alkoholabhängigkeit.",
        ["Spedition Wetzels"],
    ),
    (
        "a list after a comma is no town",
        "de",
        "bei Spedition Wetzels, Diabetes, Asthma",
        ["Spedition Wetzels"],
    ),
    ("a welfare centre needs its commune", "fr", "Le CPAS prend en charge.", []),
    (
        "a school network before the school",
        "nl",
        "GO! Basisschool De Bolster, Mol, 4de",
        ["GO! Basisschool De Bolster, Mol"],
    ),
    (
        "a reception centre",
        "en",
        "living at the Fedasil reception centre Petit-Château, admitted",
        ["Fedasil reception centre", "reception centre Petit-Château"],
    ),
    ("a running club", "en", "runs with Brussels Road Runners, right Achilles", ["Brussels Road Runners"]),
    ("a department after in is no town", "en", "Works at Tesco in Oncology.", ["Tesco"]),
    ("a German noun after in is no town", "de", "arbeitet bei Delhaize in Mutterschutz.", ["Delhaize"]),
    (
        "a listed town after a comma and a label",
        "de",
        "Schweißer bei Metallbau Klinkenberg, Kelmis, Personalnr.",
        ["Metallbau Klinkenberg, Kelmis"],
    ),
]

DATE_CASES = [
    ("fr short after le", "fr", "Revue le 23/05 à 9h.", ["23/05"]),
    ("fr weekday and month", "fr", "passera le vendredi 14 mars.", ["vendredi 14 mars"]),
    ("nl weekday abbreviation", "nl", "Volgende zorg di 11/3.", ["di 11/3"]),
    ("en weekday", "en", "Next visit Tuesday 18/3.", ["Tuesday 18/3"]),
    ("de short with dots", "de", "Sturz am 8.1. ohne Fraktur.", ["8.1."]),
    ("de month name", "de", "am 5. März 2025 gesehen.", ["5. März 2025"]),
    ("en may with a day", "en", "Discharge date 27 May 2025.", ["27 May 2025"]),
    ("a pain score is no date", "fr", "Douleur EVA 3/10.", []),
    ("glasgow is no date", "en", "GCS 15/15, MMSE 22/30.", []),
    ("en month first, no year", "en", "Reviewed Feb 11 in clinic.", ["Feb 11"]),
    ("fr weekday and day alone", "fr", "Kiné samedi 14 à 9h.", ["samedi 14"]),
    ("en weekday the ordinal", "en", "Back on Friday the 21st.", ["Friday the 21st"]),
    ("first day of a range", "nl", "opgenomen van 12 tot 15 januari.", ["12", "15 januari"]),
    ("a weekday and an hour is no day", "fr", "Visite lundi 8h.", []),
    ("ordinal with of", "en", "Seen on the 3rd of March again.", ["3rd of March"]),
    ("short date before a colon", "nl", "Kinesitherapie 14/10: mevr. stabiel.", ["14/10"]),
    ("nl short after a doctor's name", "nl", "Besproken met dr. De Wolf 9/2.", ["9/2"]),
    ("en short after a doctor's name", "en", "Agreed with Dr McKenna 30/6, stop.", ["30/6"]),
    ("fr short between commas", "fr", "Consultation : Lucie Hanot, 17/9, eczéma.", ["17/9"]),
    ("a score after a doctor's words is no date", "en", "Dr Hale scored pain 4/10 today.", []),
    ("a fraction after a comma is no date", "fr", "Repas, 1/2 portion.", []),
    ("de weekday with den", "de", "am Freitag, den 7. Februar mit", ["Freitag, den 7. Februar"]),
    ("de range before a numeric date", "de", "vom 4. bis 15.03.2025 auf", ["4.", "15.03.2025"]),
    ("short date before a time", "en", "WhatsApp 23/12 22:41 – Nico", ["23/12"]),
    ("a score before a time is no date", "en", "pain 3/10 at 22:41", []),
    ("nl month with short year", "nl", "resectie in maart '24. Dieet", ["maart '24"]),
    ("en next weekday", "en", "move it to next Monday, 13 October.", ["next Monday, 13 October"]),
    ("en ordinal on the", "en", "returned from Dakar on the 29th. Admit", ["29th"]),
    ("an ordinal of anatomy is no date", "en", "dilated on the 4th ventricle", []),
    ("en month alone", "en", "coeliac disease diagnosed in April, tTG", ["April"]),
    ("nl month alone", "nl", "Controle in november. Dr. X", ["november"]),
    ("a verb is no month", "en", "they march in may", []),
]

LETTER_NAME_CASES = [
    ("surname first in capitals", "fr", "Patient : MARCHAL Thierry, dossier.", ["MARCHAL Thierry"]),
    ("particle surname in capitals", "nl", "Patiënt: DE SMET Roger, 92 jaar.", ["DE SMET Roger"]),
    ("hyphenated first name", "fr", "Patiente : VERHEYEN Marie-Claire.", ["VERHEYEN Marie-Claire"]),
    ("lower case after a title", "fr", "Mr jean-luc bertrand, 78 a.", ["jean-luc bertrand"]),
    ("lower case after patient", "nl", "Patiënt luc verbeke, 66 jaar.", ["luc verbeke"]),
    ("first name alone", "fr", "Ginette demande sa fille.", ["Ginette"]),
    ("nickname in quotes", "fr", "Se présente comme « Momo ».", ["Momo"]),
    ("acronyms then a word are no name", "fr", "ECG Normal, HTA Traitement.", []),
    ("a ward is no first name", "en", "Ward 5B.", []),
    ("an ordinary word at a sentence start", "en", "Grace period. Mark the site.", []),
    ("surname first in lower case", "fr", "Visite chez mme lambotte josiane ce matin.", ["lambotte josiane"]),
    (
        "surname, first name after a label",
        "de",
        "Patientin Hennen-Lux, Sabine, Station 2.",
        ["Hennen-Lux, Sabine"],
    ),
    ("surname, first name after Pt:", "en", "Pt: OKAFOR, Daniel  DOB", ["OKAFOR, Daniel"]),
    ("a quoted nickname after a name", "nl", "Jozef Maes, 'Jefke' voor iedereen, 88 jaar.", ["Jefke"]),
    ("the same word mid-sentence is a name", "en", "The baby, Grace, is well.", ["Grace"]),
    ("german capitalises nouns", "de", "Knochen und Mark unauffällig.", []),
    ("a German job after als is no nickname", "de", "Arbeitet als Krankenschwester in Eupen.", []),
    ("a German nickname in quotes", "de", "Er nennt sich als „Schorsch“ im Heim.", ["Schorsch"]),
]

TITLE_CASES = [
    ("all caps after a title", "fr", "Prévenir Mr GOFFIN avant 10h.", ["GOFFIN"]),
    ("apostrophe surname", "en", "Bed 7 – Mr O'Brien, stable.", ["O'Brien"]),
    ("relative with a comma", "fr", "Sa nièce, Grâce Mbuyi, passera.", ["Grâce Mbuyi"]),
    ("german relative", "de", "Tochter Birgit informiert.", ["Birgit"]),
    ("a temperature unit is no initial", "fr", "T° 37,8 °C. Prévenu le fils.", []),
    ("signature after a closing", "en", "Kind regards, Rhona MacGregor, registrar.", ["Rhona MacGregor"]),
    ("nl signature", "nl", "Met collegiale groeten, dr. Vanhaute", ["Vanhaute"]),
    ("de signature", "de", "Mit freundlichen Grüßen\nSteffi Mertes", ["Steffi Mertes"]),
    ("thanks closing a message", "fr", "Rappelle-moi. Merci d'avance, Flo (gériatrie).", ["Flo"]),
    ("wishes closing a message", "nl", "Graag je advies. Alvast bedankt, Wannes", ["Wannes"]),
    ("a header's name in lower case, then the age", "en", "OT: liam o'dowd, 51, roofer.", ["liam o'dowd"]),
    ("a nickname in a header", "fr", "Psy : Jojo, 19 ans, étudiant.", ["Jojo"]),
    ("a header's sex and age name nobody", "en", "Context: male, 63, smoker.", []),
    ("abbreviated first name after a title", "fr", "Vu par Dr Ph. Lemaître hier.", ["Ph. Lemaître"]),
    ("capitals then initials", "fr", "Patient M. HOUSIAUX J.-M., 70 ans", ["M. HOUSIAUX J.-M."]),
    (
        "doctors named together",
        "nl",
        "Aanwezig: drs. Claerhout, Nkosi en Van Acker.",
        ["Claerhout", "Nkosi", "Van Acker"],
    ),
    ("a greeting", "fr", "Coucou Mélusine, peux-tu passer ?", ["Mélusine"]),
    ("a role before the name", "nl", "ergotherapeut Wannes Lievens komt langs.", ["Wannes Lievens"]),
    ("a relative in brackets", "en", "dad (Callum Reid) will call.", ["Callum Reid"]),
    ("initials signing at the end", "nl", "Wonde proper. – KDB", ["KDB"]),
    ("dotted initials signing at the end", "nl", "Wonde proper. M.V.", ["M.V."]),
    ("a flatmate", "en", "brought in by his flatmate Oisín Kelly.", ["Oisín Kelly"]),
    ("a saint's town is no initial", "de", "Klinik St. Vith, Station 2.", []),
    ("a title before a lower-case particle", "en", "Prof van den Bossche (chair).", ["van den Bossche"]),
    ("a nickname between the names", "en", 'Mr Thomas "Tom" Redford, 70.', ['Thomas "Tom" Redford']),
    ("German quotes around a nickname", "de", "Herr Johann „Hans“ Kessel, 88.", ["Johann „Hans“ Kessel"]),
    ("Portuguese particles", "nl", "mevr. Pereira Santos Ana da Silva, 60.", ["Pereira Santos Ana da Silva"]),
    ("a newborn by family name", "nl", "baby Mukendi, geboren na 34 weken.", ["Mukendi"]),
    ("a French uncle", "fr", "Accompagné de son oncle Mamadou Diallo.", ["Mamadou Diallo"]),
    ("a Dutch grandmother", "nl", "Oma Gerarda haalt hem op.", ["Gerarda"]),
    ("a doctor by specialty", "fr", "Vue par le cardiologue Vandermeulen hier.", ["Vandermeulen"]),
    ("a resident", "nl", "Bewoner Achiel Verstraeten valt 's nachts.", ["Achiel Verstraeten"]),
    ("a lawyer", "fr", "Contact avec Me Hautecler, administrateur de biens.", ["Hautecler"]),
    ("a dictation reference", "fr", "Réf. : DELHAYE/mc ; courrier suivra.", ["DELHAYE/mc"]),
    ("a Dutch reference", "nl", "Ons kenmerk: KDW/ab", ["KDW/ab"]),
    ("a finding after a specialist and a colon", "nl", "Advies cardioloog: Echo normaal.", []),
    ("German doctors are no titles", "de", "Kardiologe: Echo unauffällig. Chefarzt Visite.", []),
    (
        "a name on one line",
        "nl",
        "Bewindvoerder: Kristof Demeulemeester\nAdres volgt.",
        ["Kristof Demeulemeester"],
    ),
    ("a legal representative", "nl", "Bewindvoerder: Kristof Demeulemeester.", ["Kristof Demeulemeester"]),
    ("internal medicine is no title", "fr", "Service de médecine interne, CHR de la Citadelle.", []),
    ("first name and initial", "fr", "de Jeanne B. au Dr X", ["Jeanne B."]),
    ("first name and initial at the end", "nl", "Verantwoordelijke: Nathalie V..", ["Nathalie V."]),
    ("apostrophe surname in capitals", "en", "your patient Mr O'CONNOR Liam, 52,", ["O'CONNOR Liam"]),
    ("a newborn before its parents", "fr", "naissance d'Élise, fille de la patiente", ["Élise"]),
    ("a child after a colon", "nl", "couveuse 2: Mil, zoon van de patiënte", ["Mil"]),
]


@pytest.mark.parametrize(("case", "language", "text", "expected"), AGE_CASES, ids=[c[0] for c in AGE_CASES])
def test_ages_over_89(case: str, language: str, text: str, expected: list[str]) -> None:
    assert spans(AgeOver89Recognizer(language), "AGE", text) == expected, case


@pytest.mark.parametrize(("case", "language", "text", "expected"), ID_CASES, ids=[c[0] for c in ID_CASES])
def test_record_numbers(case: str, language: str, text: str, expected: list[str]) -> None:
    assert spans(RecordNumberRecognizer(language), "ID", text) == expected, case


@pytest.mark.parametrize(("case", "language", "text", "expected"), ROOM_CASES, ids=[c[0] for c in ROOM_CASES])
def test_room_and_bed_numbers(case: str, language: str, text: str, expected: list[str]) -> None:
    assert spans(RoomBedRecognizer(language), "ROOM", text) == expected, case


@pytest.mark.parametrize(("case", "language", "text", "expected"), ORG_CASES, ids=[c[0] for c in ORG_CASES])
def test_organisations(case: str, language: str, text: str, expected: list[str]) -> None:
    results = extend_over_towns(text, OrganisationRecognizer(language).analyze(text, ["ORG"], None))
    found = sorted({(r.start, r.end) for r in results})
    outer = [(a, b) for a, b in found if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in found)]
    assert [text[a:b] for a, b in outer] == expected, case


@pytest.mark.parametrize(("case", "language", "text", "expected"), DATE_CASES, ids=[c[0] for c in DATE_CASES])
def test_short_weekday_and_german_dates(case: str, language: str, text: str, expected: list[str]) -> None:
    assert spans(MultilingualDateRecognizer(language), "DATE", text) == expected, case


@pytest.mark.parametrize(
    ("case", "language", "text", "expected"), LETTER_NAME_CASES, ids=[c[0] for c in LETTER_NAME_CASES]
)
def test_names_in_letter_forms(case: str, language: str, text: str, expected: list[str]) -> None:
    assert spans(LetterNameRecognizer(language), "PERSON", text) == expected, case


@pytest.mark.parametrize(
    ("case", "language", "text", "expected"), TITLE_CASES, ids=[c[0] for c in TITLE_CASES]
)
def test_titles_relatives_and_initials(case: str, language: str, text: str, expected: list[str]) -> None:
    assert spans(NameListPersonRecognizer(language), "PERSON", text) == expected, case


@pytest.mark.parametrize("language", ["fr", "nl", "en", "de"])
def test_every_ambiguous_name_is_left_alone_at_a_sentence_start(language: str) -> None:
    from pseudonymisation.clinical_terms import terms

    recognizer = LetterNameRecognizer(language)
    words = sorted(terms("ambiguous_names", language))
    assert len(words) >= 10
    taken = [w for w in words if spans(recognizer, "PERSON", f"Suivi. {w} normal.")]
    assert not taken, f"{len(taken)} ambiguous names of {language} taken alone"


def test_every_gate_is_found_wherever_its_pattern_matches() -> None:
    """A gated pattern is skipped where its gate is absent, so the gate must be a necessary
    condition: on every evaluation note and every case above, a match implies the gate."""
    from pathlib import Path

    from pseudonymisation.engine import LANGUAGES, get_engine
    from pseudonymisation.evaluation import load_notes
    from pseudonymisation.recognizers.gated import GatedPattern

    data = Path(__file__).resolve().parents[1] / "data"
    texts = [note.text for path in sorted(data.glob("deid_*.txt")) for note in load_notes(path)]
    cases = AGE_CASES + ID_CASES + ROOM_CASES + ORG_CASES + DATE_CASES + LETTER_NAME_CASES + TITLE_CASES
    texts += [text for _, _, text, _ in cases]
    analyzer = get_engine().analyzer
    checked = 0
    for language in LANGUAGES:
        for recognizer in analyzer.registry.get_recognizers(language=language, all_fields=True):
            for pattern in getattr(recognizer, "patterns", []):
                if not isinstance(pattern, GatedPattern):
                    continue
                flags = getattr(recognizer, "global_regex_flags", 0)
                compiled = regex.compile(pattern.regex, flags or 0)
                for text in texts:
                    if compiled.search(text):
                        checked += 1
                        assert pattern.gate_open(text, flags), pattern.name
    assert checked > 100


def test_the_town_list_holds_belgian_places_and_no_clinical_term() -> None:
    """Towns after an organisation come from a list: Dutch names from faker, French and
    German ones shipped; none of them is a clinical term that a comma could put there."""
    from pseudonymisation.clinical_terms import protected_spans
    from pseudonymisation.recognizers.generic.organisation_recognizer import TOWNS

    towns = sorted(TOWNS)
    assert len(towns) > 2000
    assert {"Ixelles", "Jambes", "Kelmis", "St. Vith", "Halle", "Lüttich"} <= set(towns)
    assert all(len(t) > 2 for t in towns)
    for language in ("fr", "nl", "en", "de"):
        clinical = [t for t in towns if protected_spans(f"Vu, {t} et suite.", language)]
        assert not clinical, f"{len(clinical)} towns are clinical terms in {language}"
