"""Property: no suppressed cell can be recomputed from the released margins.

Hypothesis draws two-way tables of person counts (one row per person, so counts add up).
The SPE releases the table (a, b) and, in fresh sessions, its margins: the count per a,
per b and overall. Whatever the SPE released becomes the attacker's knowledge: a system of
linear equations over the cells that were not released. Solved exactly here (fractions,
independent of the SPE's own audit), no cell that stands for fewer than 10 persons may be
determined by it, and every released cell stands for at least 10 persons.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spe.session import SandboxSession
from tests.spe.factories import write_rows

MIN = 10
Cell = tuple[str, str]

tables = st.integers(2, 4).flatmap(
    lambda n_a: st.integers(2, 3).flatmap(
        lambda n_b: st.lists(
            st.one_of(st.integers(0, 12), st.integers(10, 40)), min_size=n_a * n_b, max_size=n_a * n_b
        ).map(
            lambda counts: {(f"a{i}", f"b{j}"): counts[i * n_b + j] for i in range(n_a) for j in range(n_b)}
        )
    )
)


def released(table: Path, sql: str) -> dict[tuple[str, ...], int]:
    with SandboxSession({"claims": table}) as session:
        result = session.run(sql)
    assert result.status == "ok", result.reason
    return {tuple(r[:-1]): r[-1] for r in result.rows if r[-1] is not None}


def determined(unknowns: list[Cell], equations: list[tuple[set[Cell], Fraction]]) -> set[Cell]:
    """Unknowns whose value follows from the equations (reduced row echelon form, exact)."""
    index = {c: i for i, c in enumerate(unknowns)}
    rows = [[Fraction(1 if c in cells else 0) for c in unknowns] + [total] for cells, total in equations]
    pivot_row, pivots = 0, []
    for col in range(len(unknowns)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [v / lead for v in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivots.append(col)
        pivot_row += 1
    known = set()
    for r, col in enumerate(pivots):
        if all(rows[r][c] == 0 for c in range(len(unknowns)) if c != col):
            known.add(unknowns[col])
    assert set(index) >= known
    return known


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_no_small_cell_follows_from_released_margins(counts: dict[Cell, int]) -> None:
    data, n = [], 0
    for (a, b), count in counts.items():
        for _ in range(count):
            data.append((f"p{n}", a, b))
            n += 1
    if not data:
        return
    with tempfile.TemporaryDirectory() as folder:
        table = write_rows(Path(folder) / "claims", data, columns=("person_id", "a", "b"))
        cells = released(table, "SELECT a, b, count(DISTINCT person_id) FROM claims GROUP BY a, b")
        by_a = released(table, "SELECT a, count(DISTINCT person_id) FROM claims GROUP BY a")
        by_b = released(table, "SELECT b, count(DISTINCT person_id) FROM claims GROUP BY b")
        total = released(table, "SELECT count(DISTINCT person_id) FROM claims")

    for (a, b), value in cells.items():
        assert value == counts[a, b] and value >= MIN
    for margin in (by_a, by_b, total):
        assert all(v >= MIN for v in margin.values())

    # What the attacker does not know: every cell not released (absent cells included,
    # since an absent row may be a zero or a left-out small group).
    unknowns = sorted(c for c in counts if c not in {(a, b) for a, b in cells})
    equations: list[tuple[set[Cell], Fraction]] = []
    for (a,), value in by_a.items():
        line = {c for c in counts if c[0] == a}
        equations.append(
            ({c for c in line if c in unknowns}, Fraction(value - sum(cells.get(c, 0) for c in line)))
        )
    for (b,), value in by_b.items():
        line = {c for c in counts if c[1] == b}
        equations.append(
            ({c for c in line if c in unknowns}, Fraction(value - sum(cells.get(c, 0) for c in line)))
        )
    for value in total.values():
        equations.append((set(unknowns), Fraction(value - sum(cells.values()))))
    exposed = {c for c in determined(unknowns, equations) if 0 < counts[c] < MIN}
    assert not exposed, f"small cells recomputable from released margins: {sorted(exposed)}"


cohorts = st.lists(st.sets(st.integers(0, 39), min_size=0, max_size=40), min_size=2, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts)
def test_no_two_released_counts_differ_by_a_small_group(queries: list[set[int]]) -> None:
    """Whatever cohorts a researcher asks for in one session, two released counts are of the
    same cohort or of cohorts that differ by at least 10 persons."""
    data = [(f"p{i}", "A", 1.0, False) for i in range(40)]
    with tempfile.TemporaryDirectory() as folder:
        table = write_rows(Path(folder) / "claims", data)
        released_cohorts = []
        with SandboxSession({"claims": table}) as session:
            for cohort in queries:
                ids = ", ".join(f"'p{i}'" for i in sorted(cohort)) or "''"
                result = session.run(
                    f"SELECT count(DISTINCT person_id) AS n FROM claims WHERE person_id IN ({ids})"
                )
                assert result.status == "ok"
                if result.rows[0][0] is not None:
                    assert result.rows[0][0] == len(cohort) >= MIN
                    released_cohorts.append(frozenset(cohort))
    for i, first in enumerate(released_cohorts):
        for second in released_cohorts[i + 1 :]:
            assert first == second or len(first ^ second) >= MIN
