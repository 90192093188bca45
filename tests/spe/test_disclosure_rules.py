"""The primary disclosure rules of one cell, the thresholds and rounding, as tables."""

from __future__ import annotations

from dataclasses import asdict, replace
from decimal import Decimal

import pytest

from common.settings import Settings
from common.thresholds import default_disclosure
from spe.disclosure import (
    CellStats,
    DisclosureSettings,
    Rule,
    can_release_cell,
    cell_rule,
    check_cell,
    round_count,
)
from spe.errors import CellDisclosive, LooserThanDefault

DEFAULT = DisclosureSettings()


def counts(n: int) -> CellStats:
    return CellStats.of(True, [1.0] * n)


def sums(*values: float) -> CellStats:
    return CellStats.of(False, values)


@pytest.mark.parametrize(
    ("stats", "settings", "rule"),
    [
        (counts(0), DEFAULT, Rule.ZERO),
        (counts(0), DisclosureSettings(zeros_disclosive=False), Rule.THRESHOLD),
        (counts(1), DEFAULT, Rule.THRESHOLD),
        (counts(9), DEFAULT, Rule.THRESHOLD),
        (counts(10), DEFAULT, None),
        (counts(19), DisclosureSettings(min_persons=20), Rule.THRESHOLD),
        (sums(*[100.0] * 10), DEFAULT, None),
        (sums(*[100.0] * 9), DEFAULT, Rule.THRESHOLD),
        # nk: the two largest hold 1010 of 1018 (99 %).
        (sums(1000.0, 10.0, *[1.0] * 8), DEFAULT, Rule.DOMINANCE),
        # nk: 50 + 45 of 103 is 92 %; 88 of 98 would be 89.8 % and pass.
        (sums(50.0, 45.0, *[1.0] * 8), DEFAULT, Rule.DOMINANCE),
        (sums(44.0, 44.0, *[1.25] * 8), DEFAULT, None),
        # Negative values count by their size.
        (sums(-1000.0, 10.0, *[1.0] * 8), DEFAULT, Rule.DOMINANCE),
        # p %: with p = 30 the rest (24) estimates the largest (100) within 30 %;
        # the two largest hold 82 %, so nk alone would pass.
        (sums(100.0, 10.0, *[3.0] * 8), DisclosureSettings(p_percent=30), Rule.P_PERCENT),
        (sums(100.0, 10.0, *[3.0] * 8), DEFAULT, None),
        # A count in disguise (sum of 0/1) is not tested for dominance.
        (CellStats.of(True, (5.0, 5.0, *[1.0] * 8)), DEFAULT, None),
        # Only the largest contributions and the total are needed.
        (CellStats(False, persons=12, largest=(900.0, 50.0), total=1000.0), DEFAULT, Rule.DOMINANCE),
        (CellStats(False, persons=12, largest=(300.0, 200.0), total=1000.0), DEFAULT, None),
        # A mean: its numerator's persons (values not zero) and its denominator's are groups.
        (
            CellStats(False, persons=3, largest=(5.0,) * 3, total=15.0, denominator=40),
            DEFAULT,
            Rule.THRESHOLD,
        ),
        (CellStats(False, persons=0, denominator=40), DEFAULT, Rule.ZERO),
        (CellStats(False, persons=9, largest=(5.0,) * 9, total=45.0, denominator=9), DEFAULT, Rule.THRESHOLD),
        (CellStats(False, persons=12, largest=(5.0,) * 12, total=60.0, denominator=12), DEFAULT, None),
        # A proportion (mean of 0/1): the persons at zero too, and 100 % is a zero.
        (CellStats(True, persons=12, denominator=12), DEFAULT, Rule.ZERO),
        (CellStats(True, persons=12, denominator=12), DisclosureSettings(zeros_disclosive=False), None),
        (CellStats(True, persons=12, denominator=20), DEFAULT, Rule.THRESHOLD),
        (CellStats(True, persons=12, denominator=22), DEFAULT, None),
        (CellStats(True, persons=0, denominator=0), DEFAULT, Rule.ZERO),
    ],
)
def test_cell_rules(stats: CellStats, settings: DisclosureSettings, rule: Rule | None) -> None:
    assert cell_rule(stats, settings) == rule
    assert can_release_cell(stats, settings) is (rule is None)
    if rule is None:
        check_cell(stats, settings)
    else:
        with pytest.raises(CellDisclosive) as raised:
            check_cell(stats, settings)
        assert raised.value.rule == rule


@pytest.mark.parametrize(
    ("overrides", "allowed"),
    [
        ({"min_persons": 20}, True),
        ({"min_persons": 5}, False),
        ({"zeros_disclosive": False}, False),
        ({"p_percent": 15.0}, True),
        ({"p_percent": 5.0}, False),
        ({"nk_n": 3}, True),
        ({"nk_n": 1}, False),
        ({"nk_k_percent": 80.0}, True),
        ({"nk_k_percent": 95.0}, False),
        ({"rounding_base": 5}, True),
        ({"min_persons": 20, "p_percent": 5.0}, False),
        ({"no_such_rule": 1}, False),
    ],
)
def test_permits_may_only_make_thresholds_stricter(overrides: dict[str, object], allowed: bool) -> None:
    if allowed:
        stricter = DEFAULT.stricter(overrides)
        assert {k: getattr(stricter, k) for k in overrides} == overrides
    else:
        with pytest.raises(LooserThanDefault):
            DEFAULT.stricter(overrides)


def test_the_defaults_are_the_domain_defaults() -> None:
    assert asdict(DEFAULT) == {
        "min_persons": 10,
        "zeros_disclosive": True,
        "p_percent": 10.0,
        "nk_n": 2,
        "nk_k_percent": 90.0,
        "rounding_base": 0,
    }
    # The platform's settings and the catalogue's application check start from the same rules.
    assert DisclosureSettings.for_permit(Settings().disclosure, {}) == DEFAULT
    assert {k: v for k, v in asdict(DEFAULT).items() if k != "zeros_disclosive"} == default_disclosure()


PLATFORM = {"min_persons": 15, "p_percent": 10.0, "nk_n": 2, "nk_k_percent": 90.0, "rounding_base": 5}


@pytest.mark.parametrize(
    ("permit", "expected"),
    [
        ({}, {"min_persons": 15, "rounding_base": 5}),
        (
            {"min_persons": 20, "nk_k_percent": 80},
            {"min_persons": 20, "rounding_base": 5, "nk_k_percent": 80.0},
        ),
        # Looser than the platform (which raised its threshold after the grant): the platform's.
        ({"min_persons": 12, "rounding_base": 0}, {"min_persons": 15, "rounding_base": 5}),
        ({"min_persons": 12, "p_percent": 20}, {"min_persons": 15, "rounding_base": 5, "p_percent": 20.0}),
    ],
)
def test_a_permit_gets_the_stricter_of_its_terms_and_the_platforms(
    permit: dict[str, float], expected: dict[str, float]
) -> None:
    got = DisclosureSettings.for_permit(PLATFORM, permit)
    assert got == replace(DEFAULT, **expected)


def test_platform_settings_looser_than_the_common_rules_are_refused() -> None:
    with pytest.raises(LooserThanDefault, match="min_persons"):
        DisclosureSettings.for_permit({**PLATFORM, "min_persons": 5}, {})


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (0, 0),
        (2, 0),
        (3, 5),
        (7, 5),
        (8, 10),
        (12, 10),
        (13, 15),
        (-3, -5),
        (Decimal(13), Decimal(15)),
        (Decimal("12.5"), Decimal("12.5")),
        (12.5, 12.5),
        (True, True),
        (None, None),
    ],
)
def test_rounding_to_base_5(value: object, rounded: object) -> None:
    assert round_count(value, 5) == rounded
