"""Free-text de-identification for clinical notes in French, Dutch, English and German.

``deidentify(text, language)`` replaces persons, dates, phone numbers, e-mail addresses,
postal addresses, IBANs, national register numbers, ages over 89, record numbers, room and
bed numbers, and employers and schools with typed placeholders (``<PERSON>``, ``<DATE>``,
``<PHONE>``, ``<EMAIL>``, ``<ADDRESS>``, ``<IBAN>``, ``<NISS>``, ``<AGE>``, ``<ID>``,
``<ROOM>``, ``<ORG>``) and leaves clinical content alone (``clinical_terms``). Measured
recall and precision per language are in ``pseudonymisation/README.md``. For many texts
use ``deidentify_many`` or the Spark integration in ``pseudonymisation.spark_text``, which
build the engine once and batch.
"""

from __future__ import annotations

from collections.abc import Iterable

from pseudonymisation.languages import LANGUAGES

# The version of what de-identification replaces: raise it whenever a recogniser, a name
# list or a clinical vocabulary list changes the output, so that silver tables written
# with an older version can be told apart (``version_metadata``) and re-derived.
# 1: persons, dates, phones, e-mails, addresses, IBANs, NISS in FR/NL/EN.
# 2: German; ages over 89, record, room and bed numbers, employers and schools; names as
#    letters write them; clinical terms kept by data lists.
# 3: the clinical vocabulary is searched once over overlapping windows around persons and
#    organisations, so a term that straddled two windows is now kept (the same output on
#    every evaluation note, but not provably on every text).
# 4: from the misses of two sets of unseen notes: signatures after a closing, greetings,
#    roles and doctors named together, a header's name before the age, abbreviated first
#    names and initials, surnames with a capital inside (McLeod); short dates after a
#    doctor's name or between commas, month-first dates without a year, a weekday and a day,
#    a range's first day; ages in words; companies by legal form, more trades; record
#    numbers with dots; rooms with a wing or a bed; a street without a type before a
#    postcode; more brand names and eponyms; hospital words in every language.
# 5: from a third set's misses: lower-case surname-first names, "Surname, First", quoted
#    nicknames, spaced and dotted initials, ordinal dates with "of", short dates before a
#    colon, rooms with a slash, spaced record numbers, trades named after their owner.
# 6: from a fourth set's misses: organisation names joined by "de la", "et", "ter";
#    former and lost work ("ancien mineur aux", "retired from", "ontslag bij"); a school's
#    number; requests, biopsies, invoices, case files, INAMI/RIZIV and barcode numbers;
#    beds named by a letter; names in lower case framed as names, nicknames in quotes,
#    Portuguese and Italian particles, a title before "van der", newborns by family name,
#    double first names with one listed part; hospitals named after a person
#    (hospital_names.csv) and eponymous tests with their measurement kept; more cues for
#    employers, record numbers, rooms and persons in every language; spaCy's French NER
#    off by default (engine.py: it found nothing the recognisers missed, and replaced
#    clinical words).
# 7: from a fifth set's misses: a room's word and the bed or side after it are part of the
#    room ("ch. 312 lit B", "Zimmer 12, Bett 1"), not before a count ("lit 2 fois"); a town
#    after an organisation is part of it ("Delhaize à Jambes"; after "in" or a comma only a
#    listed Belgian town, lexicons/towns.csv and faker's); welfare centres, sheltered
#    housing, reception centres, restaurants, more clubs and trades; a weekday with "den"
#    or "next", a range's first day before a numeric date, a short date before a time,
#    "maart '24", "on the 29th", a month alone after a preposition; "90 years", "93 Jahre
#    alt"; "matricule", "dossier social", numbers with a short capital prefix; a first name
#    and an initial, "O'CONNOR", a child before "son of", a name in capitals before a birth
#    date; a box after a slash ("112/3") and a number on both sides of a street; acronyms
#    of diagnoses kept (lexicons/conditions.csv).
DEID_VERSION = "7"
_METADATA_KEY = "haven.deid_version="


def version_metadata() -> str:
    """The commit metadata a table written with this de-identification records."""
    return f"{_METADATA_KEY}{DEID_VERSION}"


def recorded_version(user_metadata: str | None) -> str | None:
    """The de-identification version in a table commit's metadata, ``None`` if not recorded
    (tables written before versions were recorded: treat them as out of date)."""
    for part in (user_metadata or "").split(";"):
        if part.strip().startswith(_METADATA_KEY):
            return part.strip()[len(_METADATA_KEY) :]
    return None


def is_current(user_metadata: str | None) -> bool:
    """Whether a table commit was written by this version of de-identification."""
    return recorded_version(user_metadata) == DEID_VERSION


def deidentify(text: str, language: str) -> str:
    """``text`` with identifying information replaced by typed placeholders
    (``language``: ``fr``, ``nl``, ``en`` or ``de``)."""
    from pseudonymisation.engine import get_engine  # Presidio and spaCy, on first use

    result = get_engine().deidentify_batch([text], language)[0]
    return result if result is not None else text


def deidentify_many(texts: Iterable[str | None], language: str) -> list[str | None]:
    """``deidentify`` over many texts at once (one batch); ``None`` stays ``None``."""
    from pseudonymisation.engine import get_engine  # Presidio and spaCy, on first use

    return get_engine().deidentify_batch(texts, language)


__all__ = [
    "DEID_VERSION",
    "LANGUAGES",
    "deidentify",
    "deidentify_many",
    "is_current",
    "recorded_version",
    "version_metadata",
]
