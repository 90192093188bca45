"""Property: a mean, a proportion or any ratio is judged by the persons its value depends on.

Hypothesis draws a cohort of ``n`` persons of whom ``k`` have a flag (and an amount), and
one of many spellings of the same proportion or mean: CASE, FILTER, IF, casts of the
boolean, arithmetic on aggregates, the complement, a CTE. Whatever the spelling:

* for a proportion, when the flagged persons (``k``) or the others (``n - k``) are fewer
  than 10 or none, nothing is released that gives ``k`` back once ``n`` is known: the cell
  is suppressed (one known limit, written down in SECURITY.md: a proportion of 100 % spelled
  as a ratio of two counts is released, as those two counts are);
* for a mean of amounts that only the flagged persons have, when they are fewer than 10
  or none, the cell is suppressed;
* when both groups reach 10, the value is released, and it is the true one (so the rule
  does not pass by suppressing everything).

``n`` itself is released in the same session first, as an attacker would ask for it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spe.session import SandboxSession
from tests.spe.factories import write_rows

MIN = 10
TOTAL = "SELECT count(DISTINCT person_id) AS n FROM claims"
# Each spelling, and the value it takes for k flagged persons out of n (each flagged person
# has one row of amount 7, every other person rows of amount 0 or 3 unflagged).
SPELLINGS = {
    "avg(CASE WHEN flag THEN 1 ELSE 0 END)": lambda k, n: k / n,
    "avg(CAST(flag AS INTEGER))": lambda k, n: k / n,
    "avg(flag::DOUBLE) * 100": lambda k, n: 100 * k / n,
    "avg(if(flag, 1, 0))": lambda k, n: k / n,
    "1 - avg(CASE WHEN NOT flag THEN 1 ELSE 0 END)": lambda k, n: 1 - (n - k) / n,
    "avg(CASE WHEN flag THEN 0 ELSE 1 END)": lambda k, n: (n - k) / n,
    "sum(CASE WHEN flag THEN 1 ELSE 0 END) / count(*)": lambda k, n: k / n,
    "count(*) FILTER (WHERE flag) * 1.0 / count(*)": lambda k, n: k / n,
    "count_if(flag) / count(DISTINCT person_id)": lambda k, n: k / n,
    "avg(CASE WHEN flag THEN amount ELSE 0 END)": lambda k, n: 7 * k / n,
    "sum(amount) FILTER (WHERE flag) / count(*)": lambda k, n: 7 * k / n,
    "avg(amount * CAST(flag AS INTEGER))": lambda k, n: 7 * k / n,
}
# Means of an amount, not proportions: the persons without the flag are not counted by them.
AMOUNTS = {e for e in SPELLINGS if "amount" in e}
RATIOS_OF_COUNTS = {
    "sum(CASE WHEN flag THEN 1 ELSE 0 END) / count(*)",
    "count(*) FILTER (WHERE flag) * 1.0 / count(*)",
    "count_if(flag) / count(DISTINCT person_id)",
}
# Spellings disclosure control does not analyse: refused whatever the data (never a leak).
REFUSED = [
    "WITH c AS (SELECT * FROM claims) SELECT avg(CASE WHEN flag THEN 1 ELSE 0 END) AS v FROM c",
    "SELECT avg(f) AS v FROM (SELECT person_id, CAST(flag AS INTEGER) AS f FROM claims) AS t",
]


def cohort(k: int, n: int) -> list[tuple[str, str, float, bool]]:
    """``k`` flagged persons with amount 7, then ``n - k`` others with amount 0 (even) or 3."""
    flagged = [(f"p{i}", "A", 7.0, True) for i in range(k)]
    others = [(f"p{i}", "A", 0.0 if i % 2 else 3.0, False) for i in range(k, n)]
    return flagged + others


def released(k: int, n: int, expression: str) -> tuple[str, float | None]:
    """The total, then the spelling, in one session: its status and released value."""
    with tempfile.TemporaryDirectory() as folder:
        table = write_rows(Path(folder) / "claims", cohort(k, n))
        with SandboxSession({"claims": table}) as session:
            total = session.run(TOTAL)
            assert total.status == "ok" and total.rows == [[n]]
            result = session.run(f"SELECT {expression} AS v FROM claims")
    return result.status, (result.rows[0][0] if result.status == "ok" else None)


small_or_none = st.one_of(st.just(0), st.integers(1, MIN - 1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(SPELLINGS)),
    st.integers(MIN, 40),
    small_or_none,
    st.booleans(),
)
def test_a_proportion_or_mean_that_stands_for_a_small_group_is_never_released(
    expression: str, n: int, few: int, flagged_are_few: bool
) -> None:
    flagged_are_few = flagged_are_few or expression in AMOUNTS
    if not flagged_are_few and few == 0 and expression in RATIOS_OF_COUNTS:
        few = 1  # the known limit: 100 % as count / count
    k = few if flagged_are_few else n - few
    status, value = released(k, n, expression)
    assert status == "ok"  # answered, not refused: the spelling is analysed
    assert value is None, (expression, "released for a group of", few)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SPELLINGS)), st.integers(MIN, 30), st.integers(MIN, 30))
def test_a_proportion_of_two_groups_that_both_reach_the_threshold_is_released_exactly(
    expression: str, k: int, others: int
) -> None:
    n = k + others
    status, value = released(k, n, expression)
    assert status == "ok" and value == pytest.approx(SPELLINGS[expression](k, n))


@pytest.mark.parametrize("sql", REFUSED)
def test_spellings_that_hide_the_aggregate_in_a_subquery_are_refused(tmp_path: Path, sql: str) -> None:
    table = write_rows(tmp_path / "claims", cohort(3, 30))
    with SandboxSession({"claims": table}) as session:
        result = session.run(sql)
    assert result.status == "refused" and result.rows == []
