"""Differencing across a session's outputs: cohorts that differ by a small group."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spe.differencing import Released, ReleaseHistory, can_release_beside, check_release_beside
from spe.disclosure import Rule
from spe.errors import CellDisclosive
from spe.session import SandboxSession
from tests.spe.factories import persons, write_rows


def people(*ranges: range) -> frozenset[int]:
    return frozenset(i for r in ranges for i in r)


@pytest.mark.parametrize(
    ("candidate", "earlier", "allowed"),
    [
        (Released("count", people(range(30))), [Released("count", people(range(29)))], False),
        (Released("count", people(range(30))), [Released("count", people(range(21)))], False),
        (Released("count", people(range(30))), [Released("count", people(range(20)))], True),
        (Released("count", people(range(30))), [Released("count", people(range(30)))], True),
        # One person swapped for another: both sides differ by one.
        (Released("count", people(range(30))), [Released("count", people(range(1, 31)))], False),
        # Overlapping cohorts: what counts is everyone in exactly one of them (5 + 6, 4 + 3).
        (Released("count", people(range(30))), [Released("count", people(range(5, 36)))], True),
        (Released("count", people(range(30))), [Released("count", people(range(4, 33)))], False),
        # Disjoint cohorts reveal nothing by difference.
        (Released("count", people(range(30))), [Released("count", people(range(30, 60)))], True),
        # Different measures are not compared.
        (Released("sum:amount", people(range(30))), [Released("count", people(range(29)))], True),
        (Released("sum:amount", people(range(30))), [Released("sum:amount", people(range(29)))], False),
    ],
)
def test_pairs_of_cohorts(candidate: Released, earlier: list[Released], allowed: bool) -> None:
    assert can_release_beside(candidate, earlier, 10) is allowed
    history = ReleaseHistory(10)
    history.record(earlier)
    assert history.can_release([candidate]) is allowed
    if not allowed:
        with pytest.raises(CellDisclosive) as raised:
            check_release_beside(candidate, earlier, 10)
        assert raised.value.rule is Rule.DIFFERENCING


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return write_rows(tmp_path / "claims", persons("A", 30) + persons("B", 40, start=100, amount=5.0))


TOTAL = "SELECT count(DISTINCT person_id) AS n FROM claims"


def test_two_counts_whose_cohorts_differ_by_one_person(table: Path) -> None:
    with SandboxSession({"claims": table}) as session:
        assert session.run(TOTAL).rows == [[70]]
        second = session.run(f"{TOTAL} WHERE person_id <> 'p3'")
        # Released again, the first count is still shown; the second would give p3 away.
        assert session.run(TOTAL).rows == [[70]]
    assert second.status == "ok"
    assert second.rows == [[None]]
    assert second.suppressed == [{"row": 0, "column": "n", "rule": "differencing"}]


def test_cohorts_differing_by_the_threshold_are_released(table: Path) -> None:
    with SandboxSession({"claims": table}) as session:
        session.run(TOTAL)
        result = session.run(
            f"{TOTAL} WHERE person_id NOT IN ('p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9')"
        )
    assert (result.rows, result.suppressed) == ([[60]], [])


def test_a_group_against_the_total_from_an_earlier_query(table: Path) -> None:
    with SandboxSession({"claims": table}) as session:
        session.run("SELECT count(*) AS c FROM claims WHERE kind = 'A' OR person_id = 'p100'")
        result = session.run("SELECT kind, count(*) AS c FROM claims GROUP BY kind ORDER BY kind")
    # A (30) differs by one person from the first cohort (31): suppressed, and B with it
    # (secondary), since the total would give A back.
    assert result.rows == [["A", None], ["B", None]]
    assert [e["rule"] for e in result.suppressed] == ["differencing", "secondary"]


def test_two_cells_of_one_result(table: Path) -> None:
    with SandboxSession({"claims": table}) as session:
        result = session.run(
            "SELECT count(*) AS c, count(*) FILTER (WHERE person_id <> 'p0') AS d FROM claims"
        )
    assert result.rows == [[70, None]]
    assert result.suppressed == [{"row": 0, "column": "d", "rule": "differencing"}]


def test_sums_of_the_same_value_are_compared(table: Path) -> None:
    with SandboxSession({"claims": table}) as session:
        first = session.run("SELECT sum(amount) AS s FROM claims")
        second = session.run("SELECT sum(amount) AS s FROM claims WHERE person_id <> 'p100'")
    assert first.rows == [[500.0]]
    assert second.suppressed == [{"row": 0, "column": "s", "rule": "differencing"}]


def test_the_memory_is_per_session(table: Path) -> None:
    # Known limit, written down: a new session (each `haven query` call) starts empty.
    with SandboxSession({"claims": table}) as session:
        session.run(TOTAL)
    with SandboxSession({"claims": table}) as fresh:
        assert fresh.run(f"{TOTAL} WHERE person_id <> 'p3'").rows == [[69]]


def test_a_total_added_up_from_released_groups(tmp_path: Path) -> None:
    table = write_rows(
        tmp_path / "claims", persons("A", 3) + persons("B", 20, start=100) + persons("C", 25, start=200)
    )
    with SandboxSession({"claims": table}) as session:
        total = session.run("SELECT count(*) AS c FROM claims")
        # B + C adds up to the total minus A's three persons: one of them must go, and
        # then the other too (secondary), or the total would give it back.
        parts = session.run(
            "SELECT kind, count(*) AS c FROM claims WHERE kind <> 'A' GROUP BY kind ORDER BY kind"
        )
    assert total.rows == [[48]]
    assert parts.rows == [["B", None], ["C", None]]
    assert [e["rule"] for e in parts.suppressed] == ["differencing", "secondary"]


def test_a_total_against_groups_released_before(tmp_path: Path) -> None:
    table = write_rows(
        tmp_path / "claims", persons("A", 3) + persons("B", 20, start=100) + persons("C", 25, start=200)
    )
    with SandboxSession({"claims": table}) as session:
        parts = session.run(
            "SELECT kind, count(*) AS c FROM claims WHERE kind <> 'A' GROUP BY kind ORDER BY kind"
        )
        total = session.run("SELECT count(*) AS c FROM claims")
    assert parts.rows == [["B", 20], ["C", 25]]
    assert total.suppressed == [{"row": 0, "column": "c", "rule": "differencing"}]


def test_two_aggregates_in_one_expression(table: Path) -> None:
    with SandboxSession({"claims": table}) as session:
        result = session.run(
            "SELECT sum(amount) - sum(amount) FILTER (WHERE person_id <> 'p3') AS d FROM claims"
        )
    assert result.rows == [[None]]
    assert result.suppressed == [{"row": 0, "column": "d", "rule": "differencing"}]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (range(30), range(29)),
        (range(30), range(20)),
        (range(30), range(5, 36)),
        (range(30), range(4, 33)),
        (range(30), range(30, 60)),
        (range(0), range(9)),
        (range(0), range(10)),
        (range(10), range(10)),
    ],
)
def test_the_early_exit_comparison_equals_the_symmetric_difference(a: range, b: range) -> None:
    from spe.differencing import Released, can_release_beside

    first, second = Released("persons", frozenset(a)), Released("persons", frozenset(b))
    for n in (1, 9, 10, 11):
        differ = len(set(a) ^ set(b))
        assert can_release_beside(first, [second], n) is (differ == 0 or differ >= n)
        assert can_release_beside(second, [first], n) is (differ == 0 or differ >= n)


def test_large_cohorts_are_compared_as_exactly_as_small_ones() -> None:
    # Past a few thousand persons, the comparison looks at the front of both sorted arrays
    # first; whatever it finds there, the verdict is the symmetric difference's.
    from spe.differencing import _overlaps

    rng = np.random.default_rng(7)
    everyone = rng.choice(2**62, size=30_000, replace=False).astype(np.uint64)
    base = frozenset(everyone[:20_000].tolist())
    swapped = list(everyone[:20_000].tolist())
    for changed in (0, 1, 5, 9, 10, 11, 40, 5_000):
        other = frozenset(swapped[changed:] + everyone[20_000 : 20_000 + changed].tolist())
        differ = len(base ^ other)
        for n in (1, 10, 11, 50):
            allowed = differ == 0 or differ >= n
            assert can_release_beside(Released("persons", base), [Released("persons", other)], n) is allowed
    disjoint = Released("persons", everyone[20_000:])
    assert not _overlaps(Released("persons", base).array, disjoint.array)
    one_shared = Released("persons", np.append(everyone[20_000:], everyone[19_999]))
    assert _overlaps(Released("persons", base).array, one_shared.array)
