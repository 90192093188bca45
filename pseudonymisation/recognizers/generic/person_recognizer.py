"""Presidio recogniser of person names from titles, name lists and initials.

Used for every language, next to spaCy's statistical NER where a model exists (French):
for Dutch and English no official spaCy model installs from the package registry, so
this recogniser carries person recall there. It reports:

* a capitalised name after a title or role word (``Dr. Peeters``, ``dr. Claes``,
  ``Mme Dubois``, ``Dhr. Van Damme``, ``Mrs Jones``, ``patiënt Janssens``, ``Dear Emily``);
* a capitalised name after a label and a colon (``Patient: Griet Aerts``, ``Betreft:``,
  ``Concerne :``, ``GP:``) or after an act by someone (``seen by``, ``referred by``,
  ``gezien door``, ``vu par``), with an optional title in between;
* a signature after a letter's closing (``Best wishes, Fiona McLeod``, ``Met collegiale
  groeten, dr. Vanhaute``, ``Mit freundlichen Grüßen``);
* a header's name in any case right before the age (``Physio: james o'neill, 44,``), unless
  it is a word that says who without naming (``male``, ``patient``, ``femme``);
* a listed first name followed by capitalised words (``Marie Lambert``);
* a listed surname on its own (``Peeters``) and an initial with a surname (``J. Peeters``);

Listed first names with a surname come from a larger lexicon in
``first_name_recognizer.py``. Known limits: names outside the lists with no title, label
or act before them are missed; a label followed by a capitalised non-name (``Patient:
Unknown``) is a false positive; a listed
name that is also a common word in capitals (``Mai``, ``Henry`` as a brand) is a false
positive; names written in all lower case are missed unless a title or a header's age
frames them.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from pseudonymisation.recognizers.gated import GatedPattern
from pseudonymisation.recognizers.generic.names import FIRST_NAMES, SURNAMES

ENTITY = "PERSON"

_PARTICLE = (
    r"(?:[Vv]an\s(?:[Dd]e[nr]?\s)?|[Dd]e\s|[Dd]e[nr]\s|[Ll]e\s|[Ll]a\s|[Dd]u\s|"
    r"[Dd]['’]|[Vv]ander|[Vv]on\s|VAN\s(?:DE[NR]?\s)?|DE[NR]?\s|LE\s|LA\s|DU\s|VON\s|"
    # Portuguese, Spanish and Italian particles: "Maria da Conceição", "Di Stefano".
    r"da\s|dos\s|das\s|[Dd]i\s|[Dd]el\s|[Dd]ella\s)"
)
# A capitalised word (``Dupont``, ``O'Brien``, ``McLeod``, ``Dubois-Clarke``) or one in
# capitals (``GOFFIN``, ``O'CONNOR``).
_WORD = (
    r"(?:(?:\p{Lu}['’])?\p{Lu}{2,}(?:['’-]\p{Lu}{2,})*(?![\p{Ll}])"
    r"|\p{Lu}(?:['’]\p{Lu})?(?:\p{Ll}{1,2}\p{Lu})?[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?)"
)
# A nickname in quotes between the names: 'Robert "Bob" Harrington', 'Josef „Jupp“ Lentz'.
_NICKNAME = r"(?:\s[\"„“«‘]\s?\p{Lu}[\p{L}'’-]*\s?[\"“”»’])?"
# The words of a name are on one line.
_NAME = (
    r"(?:" + _PARTICLE + r")?" + _WORD + _NICKNAME + r"(?:[^\S\n](?:" + _PARTICLE + r")?" + _WORD + r"){0,3}"
)
_TITLES = (
    r"Dr\.?|Dre|Prof\.?|Pr\.?|M\.|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Miss|Dhr\.?|Mevr\.?|Mw\.?|"
    r"[Mm]onsieur|[Mm]adame|[Mm]ademoiselle|[Dd]octeur|[Dd]okter|[Pp]rofesseur|[Pp]rofessor|"
    r"[Mm]evrouw|[Mm]eneer|[Dd]e heer|[Pp]atiënte?|[Pp]atiente?|[Pp]atient|[Cc]onfrère|[Cc]ollega|"
    r"[Ee]poux|[Éé]pouse|[Ee]chtgeno(?:ot|te)|[Hh]usband|[Ww]ife|[Dd]aughter|[Ss]on|[Ff]ille|[Ff]ils|"
    r"[Dd]ochter|[Zz]oon|[Ii]nfirmière|[Ii]nfirmier|[Vv]erpleegkundige|[Nn]urse|GP|[Hh]uisarts|"
    # Lower-case titles (Dutch writes "dr."), salutations, French "patient(e)".
    r"dr\.?|prof\.?|dhr\.?|mevr\.?|[Hh]eer|[Dd]ear|[Gg]eachte|[Bb]este|[Cc]her|[Cc]hère|"
    r"[Pp]atient\(e\)|"
    # Family, friends and carers, in French, Dutch, English and German; an optional comma
    # may follow ("sa nièce, Grâce").
    r"[Ff]rère|[Ss]œur|[Ss]oeur|[Mm]ère|[Pp]ère|[Mm]aman|[Pp]apa|[Cc]ompagne|[Cc]ompagnon|[Mm]ari|"
    r"[Nn]ièce|[Nn]eveu|[Pp]etite-fille|[Pp]etit-fils|ex|[Aa]mie?|[Vv]oisine?|[Ss]age-femme|"
    r"[Bb]roer|[Zz]us|[Mm]oeder|[Mm]ama|[Vv]ader|[Mm]an|[Vv]rouw|[Vv]riendin|[Vv]riend|[Pp]artner|"
    r"[Kk]leindochter|[Kk]leinzoon|[Bb]uurvrouw|[Bb]uurman|[Ee]chtgenote|[Vv]roedvrouw|"
    r"[Mm]um|[Mm]om|[Dd]ad|[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Gg]irlfriend|[Bb]oyfriend|"
    r"[Gg]randson|[Gg]randdaughter|[Dd]aughter-in-law|[Ss]on-in-law|[Nn]iece|[Nn]ephew|"
    r"[Nn]eighbour|[Ff]riend|[Cc]arer|Hi|Hello|Thanks|Merci|Bedankt|Danke|"
    # Greetings between colleagues, and the roles of the people around a patient.
    r"Salut|Coucou|Bonjour|Bonsoir|Hoi|Hallo|Hey|Dag|Servus|Moin|"
    r"[Aa]ssistante?\ssociale?|[Ss]ociaal\sassistente?|[Mm]aatschappelijk\swerker|[Ss]ocial\sworker|"
    r"[Ss]ozialarbeiter(?:in)?|[Kk]iné|[Kk]inésithérapeute|[Kk]inesitherapeut|[Pp]hysio(?:therapist)?|"
    r"[Ee]rgothérapeute|[Ee]rgotherapeut|[Dd]iététicienne?|[Dd]iëtiste?|[Dd]ietitian|[Ll]ogopède|"
    r"[Ll]ogopedist|[Pp]sychologue|[Pp]sycholoog|[Pp]sychologist|[Pp]sychologin|[Pp]harmacienne?|"
    r"[Aa]potheker(?:in)?|[Pp]harmacist|[Cc]oordinatrice|[Cc]oordinateur|[Cc]oördinator|"
    r"[Hh]oofdverpleegkundige|[Cc]olleague|[Cc]onsœur|[Kk]ollegin|[Kk]ollege|[Rr]egistrar|"
    r"[Bb]uurvrouw|[Bb]uurman|[Cc]ousin(?:e)?|[Nn]eef|[Nn]icht|[Tt]ante|[Oo]om|[Oo]nkel|[Uu]ncle|[Aa]unt|"
    r"[Oo]ncle|[Gg]rand-mère|[Gg]rand-père|[Bb]eau-frère|[Bb]elle-sœur|[Bb]elle-soeur|[Bb]elle-mère|"
    r"[Bb]eau-père|[Pp]arrain|[Mm]arraine|[Oo]ma|[Oo]pa|[Gg]rootmoeder|[Gg]rootvader|[Ss]choonmoeder|"
    r"[Ss]choonvader|[Ss]choonzus|[Ss]choonbroer|[Pp]leegmoeder|[Pp]leegvader|[Gg]randmother|"
    r"[Gg]randfather|[Gg]randma|[Gg]randpa|[Ss]tepmother|[Ss]tepfather|[Ss]tepson|[Ss]tepdaughter|"
    r"[Gg]odmother|[Gg]odfather|Großmutter|Großvater|Schwiegermutter|Schwiegervater|Schwägerin|"
    r"Schwager|Cousine|Pflegemutter|Pflegevater|Stiefmutter|Stiefvater|Patin|"
    r"[Ff]latmate|[Rr]oommate|[Hh]ousemate|[Cc]olocataire|[Kk]otgenoot|[Hh]uisgenoot|[Mm]itbewohner(?:in)?|"
    r"[Ss]chwiegertochter|[Ss]chwiegersohn|[Bb]elle-fille|[Bb]eau-fils|[Ss]choondochter|[Ss]choonzoon|"
    r"Herrn?|Frau|Fräulein|Sohn|Tochter|Mutter|Vater|Ehefrau|Ehemann|Schwester|Bruder|Enkelin|"
    r"Enkel|Neffe|Nichte|Nachbarin|Nachbar|Freundin|Freund|Partnerin|Ex-Frau|Ex-Mann|Pfleger|"
    r"Hebamme|Liebe|Lieber|Sehr geehrter?|"
    # Residents and clients, lawyers and religious ("bewoner Jozef Maes", "Me Lambert").
    r"[Bb]ewoner|[Bb]ewoonster|[Bb]ewohner(?:in)?|[Rr]ésidente?|[Rr]esident|[Cc]liënte?|[Kk]lient(?:in)?|"
    r"[Cc]liente?|Me|Maître|[Aa]vocate?|[Aa]dvocaat|[Rr]echtsanwalt|[Rr]echtsanwältin|[Nn]otaire|[Nn]otaris|"
    r"Sr\.?|Zr\.?|[Zz]uster|[Pp]ater|[Aa]bbé|[Pp]astoor|[Pp]farrer|[Ss]tagiaire|[Ss]tagiair|"
    # Newborns are named by the family name: "baby Ilunga", "bébé Martin".
    r"[Bb]aby|[Bb]ébé|[Nn]ouveau-né|[Pp]asgeborene|[Nn]eugeborene[rs]?|[Ss]äugling"
)
# Doctors a letter names by specialty ("vu par le cardiologue Dumont", "de neuroloog Van
# Hoof"), French, Dutch and English only (German capitalises the noun after them too), and
# with a space only: after a colon comes a finding ("cardioloog: Echo normaal").
_SPECIALISTS = (
    r"[Cc]ardiologue|[Cc]ardioloog|[Cc]ardiologist|[Pp]édiatre|[Kk]inderarts|[Pp]aediatrician|"
    r"[Pp]ediatrician|[Gg]ynécologue|[Gg]ynaecoloog|[Gg]ynaecologist|[Cc]hirurgien(?:ne)?|"
    r"[Aa]nesthésiste|[Aa]nesthesist|[Aa]naesthetist|[Pp]sychiatre|[Pp]sychiater|[Pp]sychiatrist|"
    r"[Nn]eurologue|[Nn]euroloog|[Nn]eurologist|[Oo]ncologue|[Oo]ncoloog|[Oo]ncologist|[Rr]adiologue|"
    r"[Rr]adioloog|[Rr]adiologist|[Uu]rologue|[Uu]roloog|[Uu]rologist|[Gg]ériatre|[Gg]eriater|"
    r"[Gg]eriatrician|[Gg]énéraliste|[Aa]rts"
)
_LABELS = (
    r"[Pp]atient|[Pp]atiënte?|[Pp]atiente?|[Pp]atientin|Pt\.?|Name|Naam|Nom|[Bb]etreft|[Cc]oncerne|Betreff|"
    r"[Ss]age-femme|[Vv]roedvrouw|[Mm]idwife|[Hh]ebamme|[Ii]nfirmière|[Nn]urse|[Zz]uweiser|"
    r"[Oo]pérateur|[Oo]perateur|[Aa]ssistenz|[Aa]ide|[Ss]urgeon|[Aa]ssistant|[Cc]hirurg|[Aa]ssistent|"
    r"[Dd]emandeur|[Aa]anvrager|[Hh]ausarzt|"
    r"GP|[Hh]uisarts|[Mm]édecin traitant|[Rr]eferring (?:physician|doctor)|[Pp]hysician|"
    r"[Dd]octor|[Dd]okter|[Mm]édecin|"
    # Signatures, contacts and legal representatives.
    r"[Ss]igné|[Gg]etekend|[Uu]nterschrift|[Aa]uteur|[Aa]uthor|[Vv]erfasser(?:in)?|"
    r"[Cc]ontact|[Cc]ontactpersoon|[Cc]ontact person|[Aa]nsprechpartner(?:in)?|[Pp]ersonne de contact|"
    r"[Pp]ersonne de confiance|[Vv]ertrouwenspersoon|[Vv]ertrauensperson|[Nn]ext of kin|"
    r"[Tt]uteur|[Tt]utrice|[Vv]oogd|[Bb]ewindvoerder|[Bb]etreuer(?:in)?|[Aa]dministrateur de biens|"
    r"[Rr]éférente?|[Mm]andataire"
)
_ACTS = (
    r"(?:[Ss]een|[Ee]xamined|[Rr]eferred|[Rr]eviewed|[Tt]reated|[Aa]ssessed|[Ss]igned|"
    r"[Dd]ictated|[Oo]perated|[Ff]ollowed up)\s(?:by|with)|[Dd]iscussed with|"
    r"(?:[Gg]ezien|[Vv]erwezen|[Bb]ehandeld|[Oo]nderzocht|[Oo]pgevolgd|[Gg]eopereerd)\sdoor|"
    r"(?:[Vv]ue?|[Aa]dressée?|[Ee]xaminée?|[Ss]uivie?|[Oo]pérée?|[Tt]raitée?)\spar|"
    r"(?:[Gg]esehen|[Üü]berwiesen|[Bb]ehandelt|[Uu]ntersucht|[Oo]periert)\svon|"
    r"(?:[Tt]hanks?|[Tt]hank\syou)\sfor\s(?:seeing|reviewing|taking\son|looking\safter)|"
    r"[Mm]erci\sde\s(?:voir|revoir|recevoir)|[Dd]anke,?\sdass\sSie"
)
# Closings of a letter, before the signature: "Best wishes, Fiona McLeod".
_CLOSINGS = (
    r"(?i:best wishes|kind regards|warm regards|regards|yours sincerely|yours faithfully|"
    r"sincerely|many thanks|with thanks|bien à vous|bien cordialement|cordialement|"
    r"bien confraternellement|confraternellement|salutations confraternelles|"
    r"meilleures salutations|met vriendelijke groeten|met collegiale groeten|"
    r"vriendelijke groeten|collegiale groeten|groeten|mvg|mit freundlichen grüßen|"
    r"mit kollegialen grüßen|freundliche grüße|kollegiale grüße|viele grüße|beste grüße|"
    r"herzliche grüße|liebe grüße|"
    # Thanks and wishes that close a message between colleagues.
    r"merci d['’]avance|merci beaucoup|merci pour tout|bien à toi|à bientôt|bonne journée|amitiés|"
    r"alvast bedankt|alvast dank|prettige dag|fijne dag|tot later|tot straks|thanks in advance|"
    r"thank you in advance|many thanks in advance|take care|speak soon|vielen dank|danke im voraus|"
    r"besten dank|schönen tag|bis bald|"
    r"merci|thanks|thank you|cheers|bedankt|dank je|danke|groetjes|bises|best)"
)
# A header's person in any case, then the age: "Physio: james o'neill, 44, warehouse
# worker", "Psych liaison: Matt, 27,". Not a word that says who without naming.
_ANY_CASE_WORD = r"\p{L}[\p{L}'’-]*"
_NOT_A_NAME_WORD = (
    r"(?!(?i:male|female|man|woman|homme|femme|vrouw|mann|frau|patient|patiente|patiënte?|"
    r"patientin|boy|girl|garçon|fille|jongen|meisje|junge|mädchen|child|enfant|kind|baby|bébé|"
    r"mr|mrs|ms|m|mme|dhr|mevr|herr|dr|none|aucun|geen|kein)\b)"
)
_HEADER_NAME = _NOT_A_NAME_WORD + _ANY_CASE_WORD + r"(?:\s" + _NOT_A_NAME_WORD + _ANY_CASE_WORD + r"){0,2}"
_AGE_AFTER = r"(?=,\s?\d{1,3}\s?(?:,|\)|\(|(?i:y|yo|yrs?|years?|ans|jaar|jr|j|jahre)\b|J\.))"
# A surname in capitals (three letters at least, particles and hyphens allowed) and a
# capitalised first name, for the two forms below; the words for a birth date after them.
_CAPS_SURNAME = r"(?:(?:VAN|DE|DI|DA|LE|LA|EL)\s)?\p{Lu}{3,}(?:[-\s]\p{Lu}{3,})?(?![\p{L}])"
_CAPITALISED = r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
_BIRTH_AFTER = (
    r"(?=,?\s\(?(?:DOB|D\.O\.B\.|[Bb]orn|née?|°|geb\.|[Gg]eboren|[Gg]eboortedatum|"
    r"[Dd]ate\sde\snaissance|[Gg]eburtsdatum)\b)"
)
# Initials of a first name before a surname ("J. Peeters", "J.-P. Marchal", "Th. Vandevoorde")
# or after one in capitals ("BAUDUIN J.-P.").
_INITIALS = r"(?:(?:\p{Lu}|Th|Ch|Chr|Ph|Fr|Cl|Jos|Gh)\.(?:[-\s]?\p{Lu}\.)?\s?)"
_TRAILING_INITIALS = r"(?:\s\p{Lu}\.(?:-?\p{Lu}\.)?(?![\p{L}])|\b)"
_OPTIONAL_TITLE = r"(?:(?:Dr|Prof|Pr|Mr|Mrs|Ms|dr|prof|Dhr|Mevr|Mme|M|Herr|Frau)\.?\s)?"
# After a label or an act the title is optional, so the name must not be the title itself.
_NOT_A_TITLE = r"(?!(?:Dr|Prof|Pr|Mr|Mrs|Ms|Miss|Dhr|Mevr|Mme|Mlle|Herr|Frau)\b)"
# The titles and the specialists, for other recognisers (a word that is never a name's part).
TITLES = _TITLES + "|" + _SPECIALISTS
_FIRST = r"(?:" + "|".join(sorted(FIRST_NAMES, key=len, reverse=True)) + r")"
_LAST = r"(?:" + "|".join(sorted(SURNAMES, key=len, reverse=True)) + r")"


class NameListPersonRecognizer(PatternRecognizer):
    """Names after titles, listed first names with a surname, listed surnames, initials."""

    PATTERNS: ClassVar[list[Pattern]] = [
        # Cheap checks first (a capital here, a space before): the lookbehinds on the long
        # lists of titles, labels and acts run only where a name may start.
        Pattern(
            "title + name",
            r"(?=\p{Lu}|(?:(?:van|von|de|der|den|du|le|la|da|di|dos)\s){1,2}\p{Lu})(?<=[\s(])(?<=\b(?:"
            + _TITLES
            + r")(?:[,:]?\s|\s\()|\b(?:"
            + _SPECIALISTS
            + r")\s)"
            + _NOT_A_TITLE
            + _INITIALS
            + r"?"
            + _NAME
            + _TRAILING_INITIALS,
            0.65,
        ),
        GatedPattern(
            "doctors named together",
            r"(?=\p{Lu})(?<=\b(?:Drs|Dres|drs|Profs|Prs)\.?\s(?:"
            + _NAME
            + r"(?:,\s|\s(?:et|en|and|und|&)\s))*)"
            + _NAME
            + r"\b",
            0.65,
            gate=r"\b(?:Drs|Dres|drs|Profs|Prs)\b",
        ),
        GatedPattern(
            "dictation reference",
            # A letter's reference is the author's name or initials and the typist's:
            # "Réf. : VERMEULEN/jd", "Ons kenmerk: DW/ab", "Unser Zeichen: KR/ms".
            r"(?=\p{Lu})(?<=\b(?i:réf\.?|ref\.?|référence|n/réf\.?|kenmerk|ons\skenmerk|our\sref\.?|"
            r"zeichen|unser\szeichen|dictée?\spar|dicté\spar|gedicteerd\sdoor|dictated\sby)\s?:?\s?)"
            r"\p{Lu}{2,}(?:[/-]\p{Lu}{2,})?/\p{Ll}{2,3}(?![\p{L}\d])",
            0.6,
            gate=r"\p{Lu}{2}/\p{Ll}{2}",
        ),
        GatedPattern(
            "initials signing at the end",
            r"(?=\p{Lu})(?<=[.!?]\s[–—-]\s?)\p{Lu}{2,4}(?=\.?\s*$)",
            0.55,
            gate=r"[–—-]\s?\p{Lu}{2,4}\.?\s*$",
        ),
        GatedPattern(
            "dotted initials signing at the end",
            r"(?=\p{Lu})(?<=[.!?]\s)(?:\p{Lu}\.){2,3}(?=\s*$)",
            0.55,
            gate=r"(?:\p{Lu}\.){2,3}\s*$",
        ),
        Pattern(
            "label: name",
            r"(?=\p{Lu})(?<=\b(?:"
            + _LABELS
            + r")\s?:\s*"
            + _OPTIONAL_TITLE
            + r")"
            + _NOT_A_TITLE
            + _NAME
            + r"\b",
            0.65,
        ),
        Pattern(
            "seen by + name",
            r"(?=\p{Lu})(?<=\s)(?<=\b(?:"
            + _ACTS
            + r")\s"
            + _OPTIONAL_TITLE
            + r")"
            + _NOT_A_TITLE
            + _NAME
            + r"\b",
            0.65,
        ),
        GatedPattern(
            "closing + name",
            r"(?=\p{Lu})(?<=\b"
            + _CLOSINGS
            + r"\s?[,!]?\s{1,3}"
            + _OPTIONAL_TITLE
            + r")"
            + _NOT_A_TITLE
            + _NAME
            + r"\b",
            0.6,
            gate=_CLOSINGS,
        ),
        GatedPattern(
            "child named before its parents",
            # A newborn's or a child's first name before "son of", after a colon, an elision
            # or "of": "naissance d'Élise, fille de Mme X", "couveuse 2: Mil, zoon van".
            r"(?=\p{Lu})(?<=(?::\s|\b[dD]['’]|\b(?:de|van|von|of)\s))\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?"
            r"(?=,\s(?:zoon|dochter|fils|fille|son|daughter|Sohn|Tochter)\s(?:van|de|of|von|d['’]|des|du|der)\b)",
            0.6,
            gate=r",\s(?:zoon|dochter|fils|fille|son|daughter|Sohn|Tochter)\s",
        ),
        GatedPattern(
            "label: name, age",
            r"(?=\p{L})(?<=:\s{0,2})(?<![\p{L}'’-])" + _HEADER_NAME + _AGE_AFTER,
            0.6,
            gate=_AGE_AFTER[3:-1],
        ),
        GatedPattern(
            "name in capitals before a birth date",
            # "(NDIAYE Cheikh, DOB 11/03/1994", "Robby VERCAMMEN, né le": one word in
            # capitals, one capitalised, before a word for the birth date. (A first name and
            # a surname in capitals after a header's colon alone replaced "Insuffisance
            # RENALE" and "Troponin HIGH" when probed, so it is not a rule.)
            r"(?<![\p{L}'’-])(?:"
            + _CAPS_SURNAME
            + r"\s"
            + _CAPITALISED
            + r"|"
            + _CAPITALISED
            + r"\s"
            + _CAPS_SURNAME
            + r")"
            + _BIRTH_AFTER,
            0.6,
            gate=_BIRTH_AFTER[3:-1],
        ),
        Pattern(
            "first name + name",
            # Or a first name and the surname's initial: "Jeanne B. au Dr", "Nathalie V.".
            r"\b" + _FIRST + _NICKNAME + r"(?:\s\p{Lu}\.(?![\p{L}\d])|(?:\s" + _NAME + r")?\b)",
            0.6,
        ),
        Pattern("listed surname", r"\b(?:" + _PARTICLE + r")?" + _LAST + r"\b", 0.55),
        Pattern(
            "initial + name",
            r"(?<![\p{L}\d.°])(?<!\b(?i:type|stade|stage|grade|classe|klasse|Typ|Grad)\s)"
            r"(?!St\.|Sr\.)" + _INITIALS + _NAME + r"\b",
            0.55,
        ),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "patient",
        "patiënt",
        "docteur",
        "dokter",
        "doctor",
        "né",
        "geboren",
        "born",
    ]

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=ENTITY,
            name=f"NameListPersonRecognizer_{supported_language}",
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            context=list(self.CONTEXT),
            global_regex_flags=regex.DOTALL | regex.MULTILINE,
        )
