"""Person recognisers as tables: the spans each finds in short texts, and what it leaves.

Texts are invented for these tests; assertion messages carry the case id only.
"""

from __future__ import annotations

import pytest

from pseudonymisation.recognizers.generic.first_name_recognizer import FirstNameSurnameRecognizer, first_names
from pseudonymisation.recognizers.generic.person_recognizer import NameListPersonRecognizer

# (case id, language, text, the person names that must be found exactly)
FIRST_NAME_CASES = [
    (
        "belgian dutch first name, particle surname",
        "nl",
        "Verslag. Liesbeth Van de Velde, Gent.",
        ["Liesbeth Van de Velde"],
    ),
    ("hyphenated french first name", "fr", "Rapport. Jean-Marc Dubois, Namur.", ["Jean-Marc Dubois"]),
    ("english first name and surname", "en", "Letter copied to Emily Clarke today.", ["Emily Clarke"]),
    ("two people", "en", "Brian Foster and Megan Walsh attended.", ["Brian Foster", "Megan Walsh"]),
    ("first name alone is not enough", "en", "Guy attended alone.", []),
    ("a month is not a first name", "en", "Seen in June Smithfield clinic.", []),
    ("a stop word is not a first name", "nl", "Ben Peeters", []),
    ("lower-case surname is not a surname", "en", "Emily said nothing.", []),
    (
        "a double first name with one listed part",
        "en",
        "Update on Kwesi-Tom Boateng (MRN",
        ["Kwesi-Tom Boateng"],
    ),
    ("a saint's name is no double first name", "nl", "Naar Sint-Jan Brugge verwezen.", []),
    (
        "lower case after a colon, before a bracket",
        "nl",
        "Intake: pieter goossens (zegt",
        ["pieter goossens"],
    ),
    (
        "lower case surname first in quotes",
        "fr",
        "Étiquette « lambert marie-paule », reçue.",
        ["lambert marie-paule"],
    ),
    ("lower case before an age", "de", "Besuch bei helmut kohnen, 94-jährig.", ["helmut kohnen"]),
    ("lower-case words that are no name", "fr", "Noté : douleur thoracique (depuis hier).", []),
    (
        "an unlisted part before a listed first name",
        "fr",
        "accompagnée de Mbali Fatou Ndlovu, sa fille.",
        ["Mbali Fatou Ndlovu"],
    ),
    (
        "a title before the first name is no part",
        "en",
        "seen with Nurse Emily Clarke today.",
        ["Emily Clarke"],
    ),
    (
        "a department before the first name is no part",
        "en",
        "then Cardiology Emily Clarke called.",
        ["Emily Clarke"],
    ),
    ("no first part at a sentence start", "en", "Done. Later Emily Clarke called.", ["Emily Clarke"]),
    ("no first part in German", "de", "die Tochter Anna Krings kam.", ["Anna Krings"]),
]


@pytest.mark.parametrize(
    ("case", "language", "text", "expected"), FIRST_NAME_CASES, ids=[c[0] for c in FIRST_NAME_CASES]
)
def test_first_name_with_surname(case: str, language: str, text: str, expected: list[str]) -> None:
    results = FirstNameSurnameRecognizer(language).analyze(text, ["PERSON"])
    found = [text[r.start : r.end] for r in sorted(results, key=lambda r: r.start)]
    assert found == expected, case


def test_the_lexicon_is_large_and_filtered() -> None:
    names = first_names()
    assert len(names) > 1500
    assert {"Liesbeth", "Jean-Marc", "Emily", "Mohamed"} <= names
    assert not {"June", "May", "Ben", "An", "Jo"} & names


# (case id, language, text, the person names that must be among the spans found)
CONTEXT_CASES = [
    ("label with colon", "en", "Patient: Xandru Quorvel, born 1950.", ["Xandru Quorvel"]),
    ("label, title, name", "en", "GP: Dr Quorvel.", ["Quorvel"]),
    ("seen by", "en", "She was seen by Xandru Quorvel in clinic.", ["Xandru Quorvel"]),
    ("referred by with title", "en", "Referred by Dr. Quorvel for review.", ["Quorvel"]),
    ("dear", "en", "Dear Xandru, thank you.", ["Xandru"]),
    ("dutch lower-case dr.", "nl", "Opvolging door dr. Xandru Quorvel.", ["Xandru Quorvel"]),
    ("dutch betreft", "nl", "Betreft: Xandru Quorvel, geboren", ["Xandru Quorvel"]),
    ("dutch gezien door", "nl", "Gezien door Quorvel op de spoed.", ["Quorvel"]),
    ("french patient(e)", "fr", "votre patient(e) Xandru Quorvel du", ["Xandru Quorvel"]),
    ("french vu par", "fr", "Vue par Quorvel en consultation.", ["Quorvel"]),
]


@pytest.mark.parametrize(
    ("case", "language", "text", "expected"), CONTEXT_CASES, ids=[c[0] for c in CONTEXT_CASES]
)
def test_names_after_titles_labels_and_acts(case: str, language: str, text: str, expected: list[str]) -> None:
    recognizer = NameListPersonRecognizer(language)
    results = [r for r in recognizer.analyze(text, ["PERSON"]) if r.score >= 0.5]
    found = {text[r.start : r.end] for r in results}
    assert set(expected) <= found, case


# (case id, language, text): nothing here is a person.
NOT_PERSONS = [
    ("title alone after an act", "en", "Seen by Prof. in clinic."),
    ("lower-case word after a label", "en", "Patient: elderly man, stable."),
    ("brand name label is not a name label", "en", "Brand name: Lipitor, 20 mg."),
]


@pytest.mark.parametrize(("case", "language", "text"), NOT_PERSONS, ids=[c[0] for c in NOT_PERSONS])
def test_context_patterns_leave_non_names(case: str, language: str, text: str) -> None:
    results = [r for r in NameListPersonRecognizer(language).analyze(text, ["PERSON"]) if r.score >= 0.5]
    assert results == [], case
