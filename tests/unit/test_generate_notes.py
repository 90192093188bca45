"""Clinical notes carry realistic personal data, and the ground truth finds all of it.

De-identification tests will score against ``truth/clinical_notes_pii.csv``; these tests
check that every span holds what its type says, that national register and IBAN numbers
have valid check digits and agree with the population, and that once the spans are
removed no identifier is left in the text.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import defaultdict
from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic.generate import generate
from synthetic.notes import ibans, niss_numbers
from synthetic.reference import load

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ]
    )
}
MONTHS |= {
    m: i + 1
    for i, m in enumerate(
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ]
    )
}
MONTHS |= {
    m: i + 1
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    )
}
PATTERNS = {
    "NISS": re.compile(r"^\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}$|^\d{11}$"),
    "EMAIL": re.compile(r"^[a-z0-9.]+@[a-z]+\.(com|be)$"),
    "PHONE": re.compile(
        r"^(04\d{2} \d{2} \d{2} \d{2}|04\d{2}/\d{2}\.\d{2}\.\d{2}"
        r"|\+32 4\d{2} \d{2} \d{2} \d{2})$"
    ),
    "IBAN": re.compile(r"^BE\d{2}( \d{4}){3}$"),
    "PERSON": re.compile(r"^[A-ZÉ][\w-]+( [\w'-]+)*( [A-Z][\w'-]*)$"),
    "ADDRESS": re.compile(r"^.+ \d{1,3}, \d{4} .+$"),
    "DATE": re.compile(r"^\d{2}[-/]\d{2}[-/]\d{4}$|^\d{1,2} \w+ \d{4}$"),
}


def niss_check(digits: str) -> bool:
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


def iban_check(text: str) -> bool:
    compact = text.replace(" ", "")
    rearranged = compact[4:] + "1114" + compact[2:4]  # B = 11, E = 14
    account = int(compact[4:14])
    return int(rearranged) % 97 == 1 and (account % 97 or 97) == int(compact[14:16])


def parse_date(text: str) -> date:
    if m := re.fullmatch(r"(\d{2})[-/](\d{2})[-/](\d{4})", text):
        return date(int(m[3]), int(m[2]), int(m[1]))
    day, month, year = text.split(" ")
    return date(int(year), MONTHS[month], int(day))


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("notes")
    generate(out, 3000, 77)
    with (out / "clinical_notes.csv").open(encoding="utf-8", newline="") as handle:
        by_id = {n["note_id"]: n for n in csv.DictReader(handle)}
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    with (out / "truth" / "clinical_notes_pii.csv").open(encoding="utf-8", newline="") as handle:
        for s in csv.DictReader(handle):
            spans[s["note_id"]].append((int(s["start"]), int(s["end"]), s["type"]))
    with (out / "population.csv").open(encoding="utf-8", newline="") as handle:
        people = {p["pid"]: p for p in csv.DictReader(handle)}
    return by_id, spans, people


def test_every_span_holds_what_its_type_says(notes) -> None:  # type: ignore[no-untyped-def]
    by_id, spans, _ = notes
    assert set(spans) == set(by_id) and len(by_id) > 200
    kinds = defaultdict(int)
    for note_id, found in spans.items():
        text = by_id[note_id]["text"]
        for start, end, kind in found:
            value = text[start:end]
            kinds[kind] += 1
            assert PATTERNS[kind].match(value), (kind, value)
            if kind == "NISS":
                assert niss_check(re.sub(r"\D", "", value))
            elif kind == "IBAN":
                assert iban_check(value)
            elif kind == "DATE":
                assert date(1915, 1, 1) <= parse_date(value) <= date(2026, 12, 31)
    assert set(kinds) == {"PERSON", "DATE", "NISS", "ADDRESS", "PHONE", "EMAIL", "IBAN"}


def test_spans_are_sorted_and_do_not_overlap(notes) -> None:  # type: ignore[no-untyped-def]
    _, spans, _ = notes
    for found in spans.values():
        assert found == sorted(found)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(found))


def test_national_numbers_agree_with_the_person(notes) -> None:  # type: ignore[no-untyped-def]
    by_id, spans, people = notes
    seen: dict[str, set[str]] = defaultdict(set)
    for note_id, found in spans.items():
        person = people[by_id[note_id]["pid"]]
        for start, end, kind in found:
            if kind != "NISS":
                continue
            digits = re.sub(r"\D", "", by_id[note_id]["text"][start:end])
            assert int(digits[:2]) == int(person["birth_year"]) % 100
            assert int(digits[2:4]) == int(person["birth_month"])
            assert int(digits[6:9]) % 2 == (1 if person["sex"] == "M" else 0)
            born_2000 = int(person["birth_year"]) >= 2000
            assert int(digits[9:]) == 97 - (int(digits[:9]) + (2_000_000_000 if born_2000 else 0)) % 97
            seen[person["pid"]].add(digits)
    assert all(len(numbers) == 1 for numbers in seen.values())  # one number per person


def test_removing_the_spans_leaves_no_identifier(notes) -> None:  # type: ignore[no-untyped-def]
    by_id, spans, _ = notes
    first_names = set(load("names")["value"][load("names")["kind"] != "last"].tolist())
    for note_id, note in by_id.items():
        text = note["text"]
        for start, end, _ in sorted(spans[note_id], reverse=True):
            text = text[:start] + "#" + text[end:]
        assert not re.search(r"\d{2}[./-]?\d{2}[./-]?\d{2}|@|BE\d{2}|\+32", text), text
        words = set(re.findall(r"[A-Z][a-zéèëï]+", text))
        assert not words & (first_names - {"Marie", "Louis", "Jan"}), text  # also common words


def test_languages_and_stays_of_notes(notes) -> None:  # type: ignore[no-untyped-def]
    by_id, _, people = notes
    french_words = sum(
        " du " in n["text"] or "Concerne" in n["text"] or "Rapport" in n["text"]
        for n in by_id.values()
        if n["language"] == "fr"
    )
    assert french_words == sum(n["language"] == "fr" for n in by_id.values())
    walloon = ("20002", "50000", "60000", "80000", "90000")
    wallonia = {p["pid"] for p in people.values() if p["province"] in walloon}
    assert all(n["language"] in ("fr", "en") for n in by_id.values() if n["pid"] in wallonia)


@pytest.mark.parametrize(
    ("born", "male", "draw", "raw", "printed"),
    [
        ("1985-07-30", True, 16, "85073003328", "85.07.30-033.28"),
        ("2003-04-05", False, 0, "03040500265", "03.04.05-002.65"),
        ("1999-12-31", True, 498, "99123199742", "99.12.31-997.42"),
        ("2000-01-01", False, 0, "00010100204", "00.01.01-002.04"),
    ],
)
def test_niss_numbers_table(born: str, male: bool, draw: int, raw: str, printed: str) -> None:
    got_raw, got_printed = niss_numbers(
        np.array([born], dtype="datetime64[D]"), np.array([male]), np.array([draw])
    )
    assert (got_raw[0].as_py(), got_printed[0].as_py()) == (raw, printed)
    assert niss_check(raw)


def test_ibans_have_valid_check_digits() -> None:
    values = ibans(np.random.default_rng(3), 500).to_pylist()
    assert len(set(values)) > 490
    assert all(iban_check(v) for v in values)
    assert iban_check("BE68 5390 0754 7034")  # the published example
    assert not iban_check("BE68 5390 0754 7035")


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.booleans(), st.integers(0, 498))
def test_niss_numbers_property(born: date, male: bool, draw: int) -> None:
    raw, printed = niss_numbers(
        np.array([born.isoformat()], dtype="datetime64[D]"), np.array([male]), np.array([draw])
    )
    digits = raw[0].as_py()
    assert printed[0].as_py().replace(".", "").replace("-", "") == digits
    assert digits[:6] == born.strftime("%y%m%d") and int(digits[6:9]) % 2 == int(male)
    base, check = int(digits[:9]), int(digits[9:])
    # Exactly one of the two rules matches, and it tells the century.
    before_2000, from_2000 = check == 97 - base % 97, check == 97 - (2_000_000_000 + base) % 97
    assert before_2000 != from_2000 and from_2000 == (born.year >= 2000)
