"""Disclosure control of whole query results, on real Delta tables and a real sandbox.

Each case states the data (persons per group), the query, and exactly what may be shown
and what is suppressed under which rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spe.disclosure import DisclosureSettings
from spe.session import QueryResult, SandboxSession
from tests.spe.factories import persons, write_rows


def run(
    tmp_path: Path,
    rows: list[tuple[str, str, float, bool]],
    sql: str,
    settings: DisclosureSettings | None = None,
) -> QueryResult:
    table = write_rows(tmp_path / "claims", rows)
    with SandboxSession({"claims": table}, settings=settings) as session:
        return session.run(sql)


def s(row: int, column: str, rule: str) -> dict[str, Any]:
    return {"row": row, "column": column, "rule": rule}


BY_KIND_COUNT = "SELECT kind, count(*) AS c FROM claims GROUP BY kind ORDER BY kind"
BY_KIND_FLAGGED = (
    "SELECT kind, count(*) FILTER (WHERE flag) AS f, count(DISTINCT person_id) AS n "
    "FROM claims GROUP BY kind ORDER BY kind"
)
BY_KIND_SUM = "SELECT kind, sum(amount) AS s FROM claims GROUP BY kind ORDER BY kind"

CASES = [
    pytest.param(
        # 5 persons with 4 rows each: 20 rows, but 5 persons -> left out; the smallest
        # other group is suppressed too so that the total does not give it back.
        persons("A", 5, rows_each=4) + persons("B", 12, start=100) + persons("C", 15, start=200),
        BY_KIND_COUNT,
        None,
        [["B", None], ["C", 15]],
        [s(0, "c", "secondary")],
        id="threshold counts distinct persons, not rows",
    ),
    pytest.param(
        persons("A", 10, rows_each=3) + persons("B", 10, start=100),
        BY_KIND_COUNT,
        None,
        [["A", 30], ["B", 10]],
        [],
        id="exactly the threshold is released",
    ),
    pytest.param(
        # A has 12 persons, 3 of them flagged: the filtered count stands for 3 persons.
        persons("A", 9, rows_each=2)
        + persons("A", 3, start=50, flag=True)
        + persons("B", 15, start=100, flag=True)
        + persons("C", 20, start=200, flag=True),
        BY_KIND_FLAGGED,
        None,
        [["A", None, 12], ["B", None, 15], ["C", 20, 20]],
        [s(0, "f", "threshold"), s(1, "f", "secondary")],
        id="a filtered count needs its own persons",
    ),
    pytest.param(
        persons("A", 12) + persons("B", 15, start=100, flag=True) + persons("C", 20, start=200, flag=True),
        BY_KIND_FLAGGED,
        None,
        [["A", None, 12], ["B", None, 15], ["C", 20, 20]],
        # Reported as below the threshold: a rule named "zero" would disclose the zero.
        [s(0, "f", "threshold"), s(1, "f", "secondary")],
        id="zeros are disclosive",
    ),
    pytest.param(
        persons("A", 11, amount=10.0)
        + persons("A", 1, start=50, amount=10_000.0)
        + persons("B", 12, start=100, amount=10.0)
        + persons("C", 12, start=200, amount=20.0),
        BY_KIND_SUM,
        None,
        [["A", None], ["B", None], ["C", 240.0]],
        [s(0, "s", "dominance"), s(1, "s", "secondary")],
        id="nk dominance on sums",
    ),
    pytest.param(
        persons("A", 11, amount=10.0)
        + persons("A", 1, start=50, amount=10_000.0)
        + persons("B", 12, start=100, amount=10.0)
        + persons("C", 12, start=200, amount=20.0),
        "SELECT kind, avg(amount) AS m FROM claims GROUP BY kind ORDER BY kind",
        None,
        [["A", None], ["B", None], ["C", 20.0]],
        [s(0, "m", "dominance"), s(1, "m", "secondary")],
        id="nk dominance on means",
    ),
    pytest.param(
        # In A one person has 10 rows of 10 (100 in all), one has 10, nine have 3: the rest
        # (27) estimates the largest within 30 %; per row, nobody would dominate.
        persons("A", 9, amount=3.0)
        + persons("A", 1, start=50, amount=10.0, rows_each=10)
        + persons("A", 1, start=60, amount=10.0)
        + persons("B", 12, start=100, amount=1.0)
        + persons("C", 12, start=200, amount=1.0),
        BY_KIND_SUM,
        DisclosureSettings(p_percent=30.0),
        [["A", None], ["B", None], ["C", 12.0]],
        [s(0, "s", "p-percent"), s(1, "s", "secondary")],
        id="p percent rule on per-person totals, not rows",
    ),
    pytest.param(
        # sum(CASE ...) of 3 flagged persons is a count of 3, whatever the group size.
        persons("A", 9)
        + persons("A", 3, start=50, flag=True)
        + persons("B", 30, start=100, flag=True)
        + persons("C", 30, start=200, flag=True),
        "SELECT kind, sum(CASE WHEN flag THEN 1 ELSE 0 END) AS k FROM claims GROUP BY kind ORDER BY kind",
        None,
        [["A", None], ["B", None], ["C", 30]],
        [s(0, "k", "threshold"), s(1, "k", "secondary")],
        id="a sum of indicators is a count",
    ),
    pytest.param(
        persons("A", 12) + persons("B", 13, start=100) + persons("C", 17, start=200),
        BY_KIND_COUNT,
        DisclosureSettings(rounding_base=5),
        [["A", 10], ["B", 15], ["C", 15]],
        [],
        id="rounding to base 5",
    ),
    pytest.param(
        persons("A", 12) + persons("B", 25, start=100) + persons("C", 30, start=200),
        BY_KIND_COUNT,
        DisclosureSettings().stricter({"min_persons": 20}),
        [["B", None], ["C", 30]],
        [s(0, "c", "secondary")],
        id="a permit's stricter threshold",
    ),
    pytest.param(
        persons("A", 7),
        "SELECT count(DISTINCT person_id) AS n, sum(amount) AS s FROM claims",
        None,
        [[None, None]],
        [s(0, "n", "threshold"), s(0, "s", "threshold")],
        id="an overall aggregate of a small cohort",
    ),
    pytest.param(
        persons("A", 7),
        "SELECT count(DISTINCT person_id) AS n, sum(amount) AS s FROM claims WHERE kind = 'none'",
        None,
        [[None, None]],
        [s(0, "n", "threshold"), s(0, "s", "threshold")],
        id="an overall aggregate of an empty cohort looks the same",
    ),
    pytest.param(
        persons("A", 7) + persons("B", 3, start=100),
        "SELECT kind, count(*) AS c FROM claims GROUP BY kind",
        None,
        [],
        [],
        id="small groups leave no trace",
    ),
]


@pytest.mark.parametrize(("rows", "sql", "settings", "shown", "suppressed"), CASES)
def test_disclosure_control(
    tmp_path: Path,
    rows: list[tuple[str, str, float, bool]],
    sql: str,
    settings: DisclosureSettings | None,
    shown: list[list[Any]],
    suppressed: list[dict[str, Any]],
) -> None:
    result = run(tmp_path, rows, sql, settings)
    assert result.status == "ok", result.reason
    assert result.rows == shown
    assert result.suppressed == suppressed


def test_suppression_reports_name_cells_and_rules_never_values(tmp_path: Path) -> None:
    rows = (
        persons("A", 11, amount=10.0)
        + persons("A", 1, start=50, amount=12_345.0)
        + persons("B", 3, start=100, amount=777.0)
        + persons("C", 12, start=200)
    )
    result = run(
        tmp_path, rows, "SELECT kind, sum(amount) AS s, count(*) AS c FROM claims GROUP BY kind ORDER BY kind"
    )
    assert result.status == "ok"
    text = repr(result.suppressed) + (result.reason or "")
    for secret in ("12345", "777", "p50", "p100"):
        assert secret not in text
    assert all(set(entry) == {"row", "column", "rule"} for entry in result.suppressed)


def test_two_way_tables_never_leave_one_suppressed_cell_in_a_line(tmp_path: Path) -> None:
    rows = (
        persons("A", 30)
        + persons("A", 4, start=100, flag=True)
        + persons("B", 25, start=200)
        + persons("B", 22, start=300, flag=True)
        + persons("C", 40, start=400)
        + persons("C", 35, start=500, flag=True)
    )
    result = run(
        tmp_path, rows, "SELECT kind, flag, count(*) AS c FROM claims GROUP BY kind, flag ORDER BY kind, flag"
    )
    # A/true (4 persons) is left out; A/false, and one cell of the flag = true column, and
    # so the other cell of that row, go with it.
    assert result.rows == [
        ["A", False, None],
        ["B", False, None],
        ["B", True, None],
        ["C", False, 40],
        ["C", True, 35],
    ]
    assert result.suppressed == [s(0, "c", "secondary"), s(1, "c", "secondary"), s(2, "c", "secondary")]
