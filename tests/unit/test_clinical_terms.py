"""The clinical vocabulary lists de-identification keeps: one test per list, each entry
protected in a sentence, and persons trimmed off protected terms."""

from __future__ import annotations

import pytest
from presidio_analyzer import RecognizerResult

from pseudonymisation.clinical_terms import LEXICONS, lexicon, protect, protected_spans, terms
from pseudonymisation.engine import LANGUAGES

LANGUAGE_COLUMN = {"*", *LANGUAGES}


def covered(text: str, phrase: str, language: str) -> bool:
    start = text.index(phrase)
    return any(a <= start and start + len(phrase) <= b for a, b in protected_spans(text, language))


@pytest.mark.parametrize("name", LEXICONS)
def test_every_list_is_well_formed(name: str) -> None:
    rows = lexicon(name)
    assert len(rows) >= 10, name
    assert {r["language"] for r in rows} <= LANGUAGE_COLUMN, name
    values = [tuple(r.values()) for r in rows]
    assert len(values) == len(set(values)), f"{name} has duplicate rows"
    assert all(all(v and v == v.strip() for v in r.values()) for r in rows), name


@pytest.mark.parametrize("name", ["brands", "scores", "departments", "roles", "conditions"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plain_term_is_protected_in_a_sentence(name: str, language: str) -> None:
    missed = [
        t for t in sorted(terms(name, language)) if not covered(f"Vu ce jour, {t} et suite.", t, language)
    ]
    assert not missed, f"{len(missed)} {name} terms of {language} not protected"


def test_brands_hold_drugs_and_devices_and_the_atc_labels_are_added() -> None:
    kinds = {r["kind"] for r in lexicon("brands")}
    assert kinds == {"drug", "device"}
    assert covered("Sous metformine 850 mg.", "metformine", "fr")
    assert covered("Pansement Mepilex Border refait.", "Mepilex Border", "fr")


EPONYM_CASES = [
    ("fr", "Poussée de maladie de Crohn iléale.", "maladie de Crohn"),
    ("fr", "Le score de Glasgow est à 15.", "score de Glasgow"),
    ("nl", "Bekend met ziekte van Parkinson.", "ziekte van Parkinson"),
    ("en", "History of Graves' disease.", "Graves' disease"),
    ("en", "Known Sjögren's syndrome.", "Sjögren's syndrome"),
    ("de", "Seit 2010 Morbus Parkinson.", "Morbus Parkinson"),
    ("de", "Barthel-Index 40.", "Barthel-Index"),
]


@pytest.mark.parametrize(("language", "text", "phrase"), EPONYM_CASES)
def test_eponyms_are_protected_next_to_their_context_words(language: str, text: str, phrase: str) -> None:
    assert covered(text, phrase, language)


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Mum Jessica Turner came."), ("fr", "Vu par M. Wilson.")]
)
def test_an_eponym_alone_is_a_surname_and_not_protected(language: str, text: str) -> None:
    assert protected_spans(text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "phrase"),
    [
        ("nl", "Ontslagbrief AZ Sint-Jan Brugge.", "AZ Sint-Jan Brugge"),
        ("fr", "Admise à l'Hôpital Saint-Joseph hier.", "Hôpital Saint-Joseph"),
        ("de", "Entlassung St. Nikolaus-Hospital Eupen.", "St. Nikolaus-Hospital Eupen"),
        ("en", "Discharged from St. Pierre Hospital today.", "St. Pierre Hospital"),
        ("fr", "Revu au CHR de la Citadelle hier.", "CHR de la Citadelle"),
    ],
)
def test_saints_of_hospitals_are_protected(language: str, text: str, phrase: str) -> None:
    assert covered(text, phrase, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_hospital_name_is_protected_after_a_hospital_word_only(language: str) -> None:
    names = sorted(terms("hospital_names", language))
    missed = [n for n in names if not covered(f"Transfert à l'Hôpital {n} demain.", f"Hôpital {n}", language)]
    assert not missed, f"{len(missed)} hospital names of {language} not protected"
    alone = [n for n in names if protected_spans(f"Vu ce jour, {n} et suite.", language)]
    assert not alone, f"{len(alone)} hospital names of {language} protected alone"
    assert covered("Suivie à l'Institut Jules Bordet.", "Institut Jules Bordet", language)


@pytest.mark.parametrize(
    ("text", "phrase"), [("Lasègue négatif, Schober 14/10.", "Schober"), ("Lasègue 50° à droite.", "Lasègue")]
)
def test_an_eponymous_test_is_protected_before_its_measurement(text: str, phrase: str) -> None:
    assert covered(text, phrase, "fr")


def test_a_surname_that_is_an_eponym_is_no_test_before_a_date() -> None:
    assert protected_spans("Vu par Dr Wilson 12/3.", "en") == []


def test_hospital_words_protect_only_a_saint_after_them() -> None:
    words = terms("hospitals", "fr")
    assert "Clinique" in words
    assert protected_spans("rue Saint-Gilles 87", "fr") == []
    assert covered("Clinique Saint-Luc, service", "Clinique Saint-Luc", "fr")


def test_protect_trims_persons_off_terms_and_leaves_other_entities() -> None:
    text = "Cher Confrère, pansement Mepilex chez Mme Dupont le 12/03/2024."
    person = RecognizerResult("PERSON", 0, 14, 0.6)  # "Cher Confrère": nothing left
    brand = RecognizerResult("PERSON", text.index("pansement"), text.index(" chez"), 0.6)
    name = RecognizerResult("PERSON", text.index("Dupont"), text.index("Dupont") + 6, 0.6)
    date = RecognizerResult("DATE", text.index("12/"), text.index("12/") + 10, 0.6)
    kept = protect(text, [person, brand, name, date], "fr")
    assert [(r.entity_type, text[r.start : r.end]) for r in kept] == [
        ("PERSON", "pansement"),
        ("PERSON", "Dupont"),
        ("DATE", "12/03/2024"),
    ]


def test_an_unknown_list_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown lexicon"):
        lexicon("secrets")


def test_no_condition_is_a_listed_name() -> None:
    """A condition's acronym is protected in every found name, so it must be no name."""
    from pseudonymisation.recognizers.generic.names import FIRST_NAMES, SURNAMES

    names = {n.lower() for n in set(SURNAMES) | set(FIRST_NAMES)}
    clashes = [t for t in terms("conditions", "fr") if t.lower() in names]
    assert not clashes, f"{len(clashes)} conditions are listed names"


def test_a_condition_after_a_work_word_is_kept() -> None:
    from pseudonymisation.text import deidentify

    text = "De leerkracht meldt concentratieproblemen, vermoeden van ADHD, doorverwijzing."
    assert deidentify(text, "nl") == text
