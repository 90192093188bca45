"""Presidio recogniser of employers, schools and care homes named in notes.

Safe Harbor counts a person's employer and school as identifying; in a small Belgian town a
school or a care home names a handful of people. Reported:

* an institution word and its name, before or after it: ``école communale de Jambes``,
  ``Athénée Royal d'Uccle``, ``basisschool De Regenboog``, ``Sint-Martinuscollege``,
  ``WZC Ter Linde``, ``résidence Les Lilas``, ``International School of Brussels``,
  ``Gemeindeschule Kettenis``, ``Seniorenheim St. Joseph``, ``KU Leuven``, ``ULB``, ``École
  n°4 de Forest``, ``MR Les Glycines``, ``au home Les Aubépines``;
* a name after a word of work or study and a preposition: ``magasinier chez Colruyt``,
  ``werkt in ploegen bij Volvo Cars Gent``, ``works night shifts at Brussels Airport``,
  ``arbeitet bei Kabelwerk Eupen``;
* a name after former or lost work (``ancien ouvrier aux``, ``retired from``, ``ontslag bij``)
  and after French ``chez`` (``en stage chez Deloitte``), unless a title follows;
* a name after ``employeur``, ``werkgever``, ``employer``, ``Arbeitgeber``;
* a company named with its legal form: ``Logistiek Scheldeport nv``, ``Holzwerke GmbH``,
  ``Brightline Consulting SRL``.

Hospitals are not reported (``clinical_terms`` keeps them: they are where care happened,
not who the patient is). Known limits: an employer or school named with no such word
around it is missed; a capitalised word after a work word and a preposition that is not an
organisation (``works at Christmas``) is replaced.
"""

from __future__ import annotations

import csv
import importlib
from importlib.resources import files
from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult

from pseudonymisation.recognizers.gated import GatedPattern

ENTITY = "ORG"

# A capitalised word, a number, a school's number ("École n°1", "Schule Nr. 3") or a team's
# age group ("U14").
_WORD = (
    r"(?:U\d{1,2}(?!\d)|\p{Lu}(?:[\p{L}'’&-]|\.(?=\p{L}))*|\d{1,4}|"
    r"(?:n°|[Nn]r\.|[Nn]o\.)\s?\d{1,3}(?![\p{L}\d]))"
)
# Words that join a name's parts, one or two in a row ("de la Meuse", "Gillard et Fils",
# "Hof ter Linden", "Haus zum Stern").
_LINK = (
    r"(?:(?:(?:de|du|des|la|le|les|van|von|der|den|het|of|the|and|&|et|en|und|ter|ten|zum|zur|"
    r"St\.|Sint|Saint)\s|[dl]['’])){1,2}"
)
# A name never starts with an hour, a pregnancy's weeks or a measurement ("at 09:10", "à 29
# SA", "the care home measured 38.2").
_NOT_A_TIME = r"(?!\d{1,2}(?:[:hu.]\d{2}|\s?(?:h|u|uur|Uhr|am|pm|SA)\b)|\d{1,4}[.,]\d)"
_NAME = r"[«\"„“]?\s?" + _NOT_A_TIME + _WORD + r"(?:\s(?:" + _LINK + r")?" + _WORD + r"){0,4}(?:\s?[»\"“”])?"
_UNIVERSITIES = r"(?:KU\sLeuven|UCLouvain|UCL|ULB|VUB|ULiège|UGent|UAntwerpen|UHasselt|UNamur|UMons)"
_HEADS = (
    r"(?i:école(?:\scommunale|\sprimaire|\smaternelle|\sfondamentale|\ssupérieure|\ssecondaire|\stechnique)?|"
    r"athénée(?:\sroyal)?|collège|lycée|"
    r"institut|université|haute\sécole|crèche|résidence|maison\sde\srepos|(?-i:MRS)|"
    r"basisschool|vrije\sbasisschool|lagere\sschool|school|atheneum|college|hogeschool|universiteit|"
    r"WZC|woonzorgcentrum|rusthuis|kinderdagverblijf|kinderopvang|"
    r"grundschule|gemeindeschule|schule|sekundarschule|hochschule|universität|seniorenheims?|"
    r"altenheim|pflegeheim|kita|kindergarten|university|nursery|care\shome|lodge|residence|"
    r"seniorenresidenz|residenz|seniorenzentrum|wohnheim|"
    # More schools and care homes: academies, grammar and vocational schools, Belgian
    # "seniorie", service flats, day centres; "MR" and "MR-MRS" only before an article.
    r"académie|academie|akademie|conservatoire|conservatorium|instituut|lyceum|kleuterschool|"
    r"middelbare\sschool|secundaire\sschool|gymnasium|realschule|berufsschule|förderschule|"
    r"gesamtschule|seniorie|résidence-services|serviceflat|assistentiewoning|zorgcentrum|"
    r"dagcentrum|centre\sde\sjour|tagesstätte|altersheim|seniorenwohnheim|"
    # Public welfare centres name their commune; sheltered housing; restaurants and pubs.
    r"(?-i:CPAS|OCMW|ÖSHZ)(?=\s(?:de|van|der)\s|\sd['’])|beschut\swonen|athenäum|pub|restaurant|trattoria|brasserie|carrosserie|"
    r"(?:wohn-\sund\s)?pflegezentrum|reception\scentre|centre\sd['’]accueil|opvangcentrum|"
    r"asielcentrum|aufnahmezentrum|"
    r"hotel|hôtel|"
    r"(?-i:MR(?:-MRS)?(?=\s(?:[Ll]es?|[Ll]a|[Ll]['’]|[Dd]u|[Dd]es|Saint|Sainte)\b))|"
    # Sports clubs by their initials: "RFC Seraing", "KSV Roeselare", "SV Eupen".
    r"(?-i:R?FC|KV|KSV|KFC|KAA|RSC|RCS|KRC|SV|VV|KVC|RAEC|R?BC|BBC|HC|HBC)(?=\s\p{Lu})|"
    # Belgian French "home" is a care home: "au home Les Myosotis".
    r"(?<=\b(?:au|du|le|un)\s)home|"
    # Trades and firms named after their owner: "Bäckerei Kessel", "boulangerie Dumont".
    r"bäckerei|tischlerei|schreinerei|metzgerei|druckerei|gärtnerei|spedition|firma|"
    r"boulangerie|boucherie|menuiserie|imprimerie|bakkerij|slagerij|schrijnwerkerij|drukkerij|"
    r"brouwerij|transportbedrijf|bouwbedrijf|schoonmaakbedrijf)"
)
_SUFFIX_WORD = (
    r"\p{Lu}[\p{L}'’-]*(?i:college|collège|school|hogeschool|schule|institut|universiteit|"
    r"universität|athenaeum|atheneum|residenz|heim|instituut|institute|lyceum)(?![\p{L}])"
)
_WORK = (
    r"(?i:travaille|travaillait|employée?|ouvrier|ouvrière|magasinier|intérimaire|enseignante?|étudiante?|"
    r"élève|stagiaire|aide-soignante?|chauffeur|works?|working|worked|employed|student|pupil|"
    r"driver|worker|bartender|teacher|interpreter|engineer|werkt|werkte|werknemer|werkneemster|"
    r"bediende|arbeider|leraar|lerares|juf|studente|leerlinge?|boekhouder|speelt|voetbal|"
    r"arbeitet|beschäftigt|arbeiter|angestellter?|lehrer|lehrerin|schülerin|schüler|studentin|"
    # Occupational physicians write to or about the employer.
    r"arbeidsgeneesheer|médecin\sdu\stravail|occupational\sphysician|betriebsarzt|arbeitsmediziner|"
    # More trades; Dutch and German glue a trade to what it handles ("heftruckchauffeur").
    r"supervisor|manager|contractor|cleaner|carer|cashier|clerk|labourer|operator|technician|"
    r"mechanic|electrician|plumber|consultant|secretary|receptionist|volunteer|apprentice|"
    r"employee|translator|postdoc|researcher|chercheuse|chercheur|onderzoeker|forscher(?:in)?|"
    r"bäcker(?:in)?|auszubildende[rn]?|lehrling|boulangère|boulanger|bakker|"
    r"vendeuse|vendeur|caissière|caissier|secrétaire|technicienne?|ménagère|bénévole|"
    r"apprentie?|nettoyeuse|poetsvrouw|schoonmaker|schoonmaakster|kassierster|verkoper|"
    r"verkoopster|secretaresse|technieker|vrijwilliger|stagiair|mitarbeiter(?:in)?|"
    r"verkäufer(?:in)?|fahrer(?:in)?|techniker(?:in)?|reinigungskraft|praktikant(?:in)?|"
    # Jobs, contracts and training: "comptable chez", "stage bij", "Ausbildung bei".
    r"comptable|livreur|livreuse|facteur|factrice|policière?|agente?|militaire|pompier|"
    r"gardienne?|concierge|cuisinière?|serveur|serveuse|coiffeur|coiffeuse|maçon|électricien|"
    r"plombier|mécanicien|informaticienne?|développeur|développeuse|ingénieure?|avocate?|juriste|"
    r"contrat|cdi|cdd|job|jobiste|emploi|engagée?|embauchée?|"
    r"poetshulp|kok|kapster|kapper|postbode|politieagent|militair|brandweerman|"
    r"loodgieter|elektricien|mecanicien|informaticus|programmeur|ingenieur|advocaat|jurist|"
    r"contract|werkzaam|tewerkgesteld|in\sdienst|"
    r"tätig|koch|köchin|friseur(?:in)?|polizist(?:in)?|"
    r"erzieher(?:in)?|ingenieur(?:in)?|informatiker(?:in)?|anwalt|anwältin|ausbildung|praktikum|"
    r"cook|chef|hairdresser|firefighter|programmer|developer|lawyer|intern|scientist|analyst|"
    r"runs|jogs|trains|swims|cycles|"
    r"schweißer(?:in)?|zimmermann|maurer|elektriker(?:in)?|schreiner(?:in)?|tischler(?:in)?|"
    r"dachdecker|buchhalter(?:in)?|kellner(?:in)?|"
    r"accountant|job|internship|apprenticeship|placement|"
    # Sport in a club: "joue au RFC Seraing", "plays for KV Mechelen", "spielt beim SV".
    r"joue|jouait|plays|played|playing|speelde|spielt|spielte|"
    # Former work and its end: "ancien mineur aux", "retired from", "ontslag bij".
    r"ancienne?|former|formerly|ehemalige[rn]?|voormalige?|gewezen|retraitée?|pensionnée?|"
    r"retired|gepensioneerd|pensioniert|rentner(?:in)?|werkloos|ontslag|ontslagen|"
    r"licenciée?|licenciement|chômeuse?|arbeitslos|entlassen|kündigung|unemployed|"
    r"mineur|mijnwerker|bergmann|miner|officer|official|fonctionnaire|ambtenaar|beamter|beamtin|"
    r"soldier|soldat|soldaat|posted|stationed|seconded|détachée?|gedetacheerd|intérim|interim|"
    r"\p{Ll}+(?:chauffeur|arbeider|werker|bediende|fahrer|arbeiter|medewerker|medewerkster|"
    r"verkoper|verkoopster|kracht|mitarbeiter(?:in)?|leiter(?:in)?|helfer(?:in)?))"
)
# A company named with its legal form: "Logistiek Scheldeport nv", "Ostbelgische Holzwerke
# GmbH", "Brightline Consulting SRL".
_LEGAL_FORM = (
    r"(?:nv|NV|bv|BV|bvba|BVBA|cv|CV|vzw|VZW|SA|SRL|srl|SPRL|sprl|SC|SCRL|asbl|ASBL|GmbH|AG|KG|"
    r"S\.A\.|N\.V\.|B\.V\.|SARL|Sàrl|SCS|SNC|VOF|CommV|OHG|LLP|mbH|"
    r"VoG|e\.V\.|Ltd\.?|LLC|Inc\.?|plc|PLC)"
)
_PREPOSITION = (
    r"(?:chez|bij|bei\sder|bei|at|for|with|by|from|pour|voor|für|à\sla|à\sl['’]|à|aux|au|auprès\sd[eu]|"
    r"aan\sde|aan\shet|aan|van\sde|"
    r"van\shet|van|an\sder|am)"
)
# German capitalises the nouns that follow "bei" and "für" in a clinical sentence
# ("arbeitet bei Bedarf", "Praktikum bei Verdacht ..."): not a firm.
_NOT_A_GERMAN_NOUN = (
    r"(?!(?:Bedarf|Verdacht|Aufnahme|Entlassung|Belastung|Fieber|Schmerzen?|Nacht|Tag|"
    r"Kälte|Hitze|Regen|Stress|Beschwerden|Bewusstsein|Kontrolle|Zustand|Übelkeit|Schwindel)\b)"
)
_ARTICLE = r"(?:(?:the|de|het|la|le|les|der|die|das)\s|l['’])?"
# A town after the name, which annotators draw inside the organisation ("Delhaize à
# Jambes", "Colruyt Group, Halle", "Kita Sonnenschein in Raeren", "STIB, dépôt de Haren"):
# a capitalised word with lower-case letters (no acronym, no unit, no month or weekday),
# hyphenated parts allowed ("Molenbeek-Saint-Jean", "St. Vith"), followed by punctuation
# or the end, never by another word. German nouns of work ("in Teilzeit") and words with
# the endings of illnesses are not towns.
_TOWN = (
    r"(?!(?:Teilzeit|Vollzeit|Schicht\p{L}*|Nachtschicht|Rente|Frührente|Kurzarbeit|Elternzeit|"
    r"Ausbildung|Behandlung|Therapie|Reha|Quarantäne|Isolation|Urlaub|Pension|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"Januar|Februar|März|Juni|Juli|Oktober|Dezember|Montag|Dienstag|Mittwoch|Donnerstag|"
    r"Freitag|Samstag|Sonntag)(?![\p{L}]))"
    # Nor a capitalised noun of illness ("Spedition Wetzels, Alkoholabhängigkeit.").
    r"(?!\p{L}*(?i:keit|heit|ung|schaft|ion|tät|ismus|itis|ose|osis|ie|oma|ome|ment|isme|iteit|"
    r"ase|ämie|emia|algie|algia|pathie|pathy|sucht|störung|schmerzen|schmerz|syndrom|syndrome|"
    r"insuffizienz|stenose|diabetes|asthma|demenz)(?![\p{L}]))"
    r"(?:(?:St\.|Sankt|La|Le|Les)\s)?\p{Lu}\p{Ll}[\p{L}'’]*(?:-\p{L}[\p{L}'’]*){0,3}"
)


def _belgian_towns() -> frozenset[str]:
    """Belgian municipalities and their former communes: the ``faker`` package's Belgian
    Dutch address provider (about 2,700 names, MIT licence) plus ``lexicons/towns.csv``
    (French, German and English names it lacks: ``Ixelles``, ``Lüttich``, ``St. Vith``),
    without names of one or two letters (``As``)."""
    listed = set(importlib.import_module("faker.providers.address.nl_BE").Provider.cities)
    text = (files("pseudonymisation.lexicons") / "towns.csv").read_text(encoding="utf-8")
    listed |= {row["name"] for row in csv.DictReader(text.splitlines())}
    return frozenset(name for name in listed if len(name) > 2)


TOWNS = _belgian_towns()
# After "à" or "te", which name a place, any capitalised word before punctuation (in the
# patterns below); after "in" or a comma only a listed town (``extend_over_towns``): a
# German noun or a diagnosis can follow those.
_PLACE = r"(?:\s(?:à|te)\s" + _TOWN + r"(?=\s?[.;,:)]|\s*$))?"
_IN_OR_COMMA_TOWN = regex.compile(
    r"(?:\sin\s|,\s(?:(?i:dépôt|site|siège|stelplaats|vestiging|depot|campus|standort|werk)\s"
    r"(?:de\s|d['’])?)?)(?P<town>\p{Lu}[\p{L}'’-]*(?:\.?\s\p{Lu}[\p{L}'’-]*)?)"
)
_AFTER_TOWN = regex.compile(r"\s?[.;,:)]|\s*$")


def extend_over_towns(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """``results`` with each organisation extended over a listed town right after it, after
    "in" or a comma, and before punctuation or the end ("Colruyt Group, Halle.", "Kita
    Sonnenschein in Raeren.", "STIB, dépôt de Haren"): annotators draw the town inside the
    employer, and a lookup in a set costs less than the list in every pattern."""
    extended = []
    for result in results:
        match = _IN_OR_COMMA_TOWN.match(text, result.end) if result.entity_type == ENTITY else None
        if match:
            town = match.group("town")
            for candidate in (town, town.split()[0].rstrip(".")):
                end = match.start("town") + len(candidate)
                if candidate in TOWNS and _AFTER_TOWN.match(text, end):
                    result = RecognizerResult(result.entity_type, result.start, end, result.score)
                    break
        extended.append(result)
    return extended


class OrganisationRecognizer(PatternRecognizer):
    """Schools, universities, care homes and employers, from the words around them."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("university", r"(?<![\p{L}])" + _UNIVERSITIES + r"(?![\p{L}])" + _PLACE, 0.6),
        Pattern(
            "institution word + name",
            # Up to two lower-case words may come between: "école supérieure des métiers du Canal".
            r"\b"
            + _HEADS
            + r"(?:\s(?:"
            + _LINK
            + r")?\p{Ll}{3,}){0,2}\s(?:"
            + _LINK
            + r"\s?)?"
            + _NAME
            + _PLACE,
            0.6,
        ),
        GatedPattern(
            "school network + school",
            # Flemish community schools: "GO! Basisschool De Bolster", "GO! atheneum Mol".
            r"\bGO!\s" + _HEADS + r"\s(?:" + _LINK + r"\s?)?" + _NAME + _PLACE,
            0.6,
            gate=r"\bGO!\s",
        ),
        Pattern(
            "name + institution word",
            r"\b(?:St\.\s)?(?:"
            + _WORD
            + r"\s){1,3}"
            + _HEADS
            + r"(?:\s"
            + _LINK
            + r"?"
            + _NAME
            + r")?\b"
            + _PLACE,
            0.6,
        ),
        Pattern("compound institution", r"\b" + _SUFFIX_WORD + r"(?:\s" + _NAME + r")?" + _PLACE, 0.6),
        Pattern(
            "work word + preposition + name",
            r"(?=[\p{Lu}«\"„“\d])(?<=[\s'’])(?<=\b"
            + _WORK
            + r"\b[^.;:\n]{0,40}?\s"
            + _PREPOSITION
            + r"\s"
            + _ARTICLE
            + r")"
            + _NOT_A_GERMAN_NOUN
            + _NAME
            + _PLACE,
            0.6,
        ),
        GatedPattern(
            "name + legal form",
            r"(?<![\p{L}\d'’-])(?!\d)(?:"
            + _WORD
            + r"\s(?:"
            + _LINK
            + r")?){1,4}"
            + _LEGAL_FORM
            + r"(?![\p{L}\d])"
            + _PLACE,
            0.6,
            gate=r"\s" + _LEGAL_FORM + r"(?![\p{L}\d])",
        ),
        GatedPattern(
            "chez + name",
            # French "chez" before a capitalised name is a firm or a person's home, never a
            # clinical word: "en stage chez Deloitte", "CDD chez Proximus". Titles are left
            # to the person recogniser.
            r"(?=[\p{Lu}«\"„“])(?<=\bchez\s(?:" + _ARTICLE + r"))"
            r"(?!(?:Mme|Mmes|M|MM|Mlle|Mr|Dr|Dre|Pr|Me|Madame|Monsieur|Mademoiselle|Docteur|Maître)\b)"
            + _NAME
            + _PLACE,
            0.6,
            gate=r"\bchez\s",
        ),
        Pattern(
            "employer label + name",
            r"(?=[\p{Lu}«\"„“\d])(?<=\b(?i:werkgever|employeur|employer|arbeitgeber)\s?[:(,]?\s?"
            r"(?:(?i:la|le|les|l['’]|de|het|the|die|der|das)\s?)?)" + _NAME + _PLACE,
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
