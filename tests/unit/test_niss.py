"""Table-driven tests of the NISS/BIS validator and its Presidio recogniser.

Every number here is synthetic: built with ``make_niss`` or by hand from the rules.
Failure messages name the case id, never the number.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pseudonymisation.niss import born_after_1999, check_digits_match, contains_niss, is_valid_niss, make_niss
from pseudonymisation.recognizers.be.be_niss_recognizer import BeNissRecognizer

# (case id, text) that must be accepted.
VALID = [
    ("pre-2000 compact", "85073003328"),
    ("pre-2000 printed", "85.07.30-033.28"),
    ("pre-2000 spaces", "85 07 30 033 28"),
    ("pre-2000 dashes", "850730-033-28"),
    ("pre-2000 grouped", "850730 033 28"),
    ("surrounding white space", "  85073003328\n"),
    ("born 2000 or later", "05030101216"),
    ("born 2000 or later printed", "05.03.01-012.16"),
    ("born on 1 January 2000", "00010100105"),
    ("born 2001 second serial", "01010100126"),
    ("post-2000 high serial", "12123199886"),
    ("last day of 1999", "99123199742"),
    ("BIS sex known (month + 40)", "85473003317"),
    ("BIS sex unknown (month + 20), day unknown", "92260004136"),
    ("unknown month and day (00)", "70000000114"),
    ("BIS sex unknown month unknown (20)", make_niss(80, 20, 0, 5)),
    ("BIS sex known month unknown (40)", make_niss(80, 40, 15, 6)),
    ("BIS post-2000", make_niss(10, 52, 31, 333, after_1999=True)),
]

# (case id, text) that must be rejected.
INVALID = [
    ("check digits off by one", "85073003329"),
    ("check digits of neither rule", "85073003300"),
    ("month 13", make_niss(85, 13, 1, 33)),
    ("month 19 (between ranges)", make_niss(85, 19, 1, 33)),
    ("month 33 (BIS +20 overflow)", make_niss(85, 33, 1, 33)),
    ("month 53 (BIS +40 overflow)", make_niss(85, 53, 1, 33)),
    ("day 32", make_niss(85, 7, 32, 33)),
    ("serial 000", make_niss(85, 7, 30, 0)),
    ("ten digits", "8507300332"),
    ("twelve digits", "850730033280"),
    ("letters", "85O73003328"),
    ("slash separators", "85/07/30/033/28"),
    ("two separators in a row", "85..07.30-033.28"),
    ("separator inside a group", "850-730-033-28"),
    ("two numbers", "85073003328 85073003328"),
    ("empty", ""),
    ("spaces only", "   "),
]


@pytest.mark.parametrize(("case", "text"), VALID, ids=[c for c, _ in VALID])
def test_valid_numbers_are_accepted(case: str, text: str) -> None:
    # Results go through a variable so a failure report names the case, not the number.
    accepted = is_valid_niss(text)
    assert accepted, case


@pytest.mark.parametrize(("case", "text"), INVALID, ids=[c for c, _ in INVALID])
def test_invalid_numbers_are_rejected(case: str, text: str) -> None:
    accepted = is_valid_niss(text)
    assert not accepted, case


def test_non_strings_are_rejected() -> None:
    assert not is_valid_niss(None)  # type: ignore[arg-type]
    assert not is_valid_niss(85073003328)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "digits", "after_1999"),
    [
        ("pre-2000", "85073003328", False),
        ("post-2000", "05030101216", True),
        ("no rule", "85073003329", None),
    ],
)
def test_the_matching_rule_tells_the_century(case: str, digits: str, after_1999: bool | None) -> None:
    assert born_after_1999(digits) is after_1999, case
    assert check_digits_match(digits) is (after_1999 is not None), case


def test_at_most_one_rule_matches_for_any_nine_digits() -> None:
    # 2 000 000 000 mod 97 != 0, so the two rules give different check digits.
    for base in range(0, 10**9, 7_654_321):
        pre = 97 - base % 97
        post = 97 - (2_000_000_000 + base) % 97
        assert pre != post


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        ("inside a sentence", "Patient NISS 85.07.30-033.28 vu ce jour.", True),
        ("glued to a label", "RRN:85073003328;", True),
        ("post-2000 in text", "INSZ 05 03 01 012 16", True),
        ("invalid check digits in text", "dossier 85073003329", False),
        ("inside a longer digit run", "ref 1850730033281", False),
        ("phone number", "tel 0470 12 34 56", False),
        ("none", None, False),
        ("empty", "", False),
    ],
)
def test_contains_niss_finds_numbers_inside_text(case: str, text: str | None, expected: bool) -> None:
    found = contains_niss(text)
    assert found is expected, case


@pytest.mark.parametrize(
    ("case", "text", "spans"),
    [
        ("printed", "Numéro national: 85.07.30-033.28.", [(17, 32)]),
        ("compact, post-2000", "INSZ 05030101216 gekend", [(5, 16)]),
        ("two numbers", "85073003328 en 85473003317", [(0, 11), (15, 26)]),
        ("bad checksum", "national number 85073003329", []),
        ("lab value", "Glucose 123 mg/dl, LDL 2,5 mmol/l", []),
    ],
)
def test_recognizer_reports_only_valid_numbers(case: str, text: str, spans: list[tuple[int, int]]) -> None:
    recognizer = BeNissRecognizer("fr")
    results = recognizer.analyze(text, ["NISS"])
    found = sorted((r.start, r.end) for r in results)
    assert found == spans, case
    assert all(r.entity_type == "NISS" and r.score == 1.0 for r in results), case


def test_recognizer_validator_is_the_checksum() -> None:
    recognizer = BeNissRecognizer("nl")
    assert recognizer.validate_result("85.07.30-033.28") is True
    assert recognizer.validate_result("85.07.30-033.29") is False
    assert {"insz", "niss", "national number", "nationalregisternummer"} <= set(recognizer.context)


_fields = st.tuples(
    st.integers(0, 99),
    st.sampled_from([*range(0, 13), *range(20, 33), *range(40, 53)]),
    st.integers(0, 31),
    st.integers(1, 999),
    st.booleans(),
)


@given(fields=_fields, seps=st.lists(st.sampled_from(["", ".", " ", "-"]), min_size=4, max_size=4))
def test_every_usual_format_of_a_valid_number_is_accepted(
    fields: tuple[int, int, int, int, bool], seps: list[str]
) -> None:
    yy, mm, dd, serial, after_1999 = fields
    digits = make_niss(yy, mm, dd, serial, after_1999=after_1999)
    groups = [digits[0:2], digits[2:4], digits[4:6], digits[6:9], digits[9:11]]
    printed = groups[0] + "".join(s + g for s, g in zip(seps, groups[1:], strict=True))
    accepted, rule = is_valid_niss(printed), born_after_1999(digits)
    assert accepted and rule is after_1999


@given(fields=_fields, position=st.integers(0, 10), delta=st.integers(1, 9))
def test_a_single_wrong_digit_never_passes_under_the_same_rule(
    fields: tuple[int, int, int, int, bool], position: int, delta: int
) -> None:
    yy, mm, dd, serial, after_1999 = fields
    digits = make_niss(yy, mm, dd, serial, after_1999=after_1999)
    changed = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1 :]
    # 97 is prime and does not divide d * 10^k, so mod 97 catches every single-digit error;
    # the other century's rule may match by chance, which is why it is a different number.
    rule = born_after_1999(changed)
    assert rule is not after_1999
