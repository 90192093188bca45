"""The pair rule over every count-like cell, whatever it counts (the pair-only measure).

Measures keep the linked rule from combining a row count with a person count, and a count
of rows under one condition with one under another. The pair rule still compares every
count-like cell with every other, as it did before measures: two counts of rows chosen by
``age < 30`` and ``age < 31`` on a table of several rows per person differ by the rows of a
few persons, which their difference tells.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from catalog.demo import DEMO_PERMIT_ID, RESEARCHER
from common.layout import LakeLayout
from common.settings import get_settings
from spe.differencing import PAIR_MEASURE
from spe.differencing_history import history_path
from spe.disclosure import Rule
from spe.session import SandboxSession
from tests.catalog.fixtures import catalog_url  # noqa: F401 (a fixture)
from tests.catalog.test_cli_catalog import haven
from tests.spe.factories import persons, write_rows

FIRST = "SELECT count(*) AS n FROM visits WHERE age < 30"


def visits_of(n: int) -> list[tuple[str, str, float, bool]]:
    """Persons p0..p<n-1>, 2 to 4 visits each, ``age`` i on all of person i's visits."""
    return [(f"p{i}", "x", float(i), False) for i in range(n) for _ in range(2 + i % 3)]


@pytest.fixture
def visits(tmp_path: Path) -> Path:
    return write_rows(tmp_path / "visits", visits_of(80), columns=("person_id", "kind", "age", "flag"))


def suppressed_by(rule: Rule) -> list[dict[str, object]]:
    return [{"row": 0, "column": "n", "rule": rule.value}]


@pytest.mark.parametrize(
    ("second", "suppressed"),
    [
        ("count(*) AS n FROM visits WHERE age < 31", True),  # p30's visits
        ("count(*) AS n FROM visits WHERE age < 39", True),  # nine persons' visits
        ("count(*) AS n FROM visits WHERE age < 40", False),  # ten persons
        ("count(*) AS n FROM visits WHERE age <= 29.5", False),  # the same persons: nothing new
        ("count(DISTINCT person_id) AS n FROM visits WHERE age < 31", True),  # persons, not rows
        ("count_if(age < 31) AS n FROM visits", True),  # the same rows, spelled otherwise
        ("sum(CASE WHEN age < 33 THEN 1 ELSE 0 END) AS n FROM visits WHERE age < 33", True),
    ],
)
def test_counts_of_rows_under_other_conditions_are_compared_in_pairs(
    visits: Path, second: str, suppressed: bool
) -> None:
    with SandboxSession({"visits": visits}) as session:
        first = session.run(FIRST)
        then = session.run(f"SELECT {second}")
    assert (first.rows, first.suppressed) == ([[sum(2 + i % 3 for i in range(30))]], [])
    if suppressed:
        assert (then.rows, then.suppressed) == ([[None]], suppressed_by(Rule.DIFFERENCING))
    else:
        assert then.suppressed == []


def test_a_line_total_of_rows_is_compared_in_pairs(tmp_path: Path) -> None:
    # GP visits of p0..p39, SPEC visits of p20..p59: the kinds' rows add up to the visits of
    # all 60, a count-like total; the visits of p0..p56 (a condition on rows) differ from it
    # by three persons' visits, and from each kind by more.
    rows = [(f"p{i}", "GP", float(i), False) for i in range(40) for _ in range(2)]
    rows += [(f"p{i}", "SPEC", float(i), False) for i in range(20, 60)]
    visits = write_rows(tmp_path / "visits", rows, columns=("person_id", "kind", "age", "flag"))
    with SandboxSession({"visits": visits}) as session:
        by_kind = session.run("SELECT kind, count(*) AS n FROM visits GROUP BY kind ORDER BY kind")
        fewer = session.run("SELECT count(*) AS n FROM visits WHERE age < 57")
    assert (by_kind.rows, by_kind.suppressed) == ([["GP", 80], ["SPEC", 40]], [])
    assert (fewer.rows, fewer.suppressed) == ([[None]], suppressed_by(Rule.DIFFERENCING))


def test_a_line_total_of_persons_in_two_groups_is_no_count_of_them(tmp_path: Path) -> None:
    # GP p0..p29, SPEC p20..p49: the kinds' persons add up to 60, which counts p20..p29
    # twice and is no count of the 50: not compared with the 53 persons asked next (no sum
    # and difference of the three counts stands for fewer than 10 persons).
    claims = write_rows(tmp_path / "claims", persons("GP", 30) + persons("SPEC", 30, start=20))
    more = write_rows(tmp_path / "more", persons("GP", 53))
    with SandboxSession({"claims": claims, "more": more}) as session:
        by_kind = session.run(
            "SELECT kind, count(DISTINCT person_id) AS n FROM claims GROUP BY kind ORDER BY kind"
        )
        asked = session.run("SELECT count(DISTINCT person_id) AS n FROM more")
    assert (by_kind.rows, by_kind.suppressed) == ([["GP", 30], ["SPEC", 30]], [])
    assert (asked.rows, asked.suppressed) == ([[53]], [])


# Through the `haven query` command: each call a process, a session of its own, over the
# permit's release history on disk.

SECOND = "SELECT count(*) AS n FROM visits WHERE age < 31"


def _publish() -> None:
    # The demo permit's claims table, with an age on every row (its columns are free here).
    table = LakeLayout(get_settings().lake).permit_table(DEMO_PERMIT_ID, "claims")
    write_rows(table, visits_of(80), columns=("person_id", "kind", "age", "flag"))


def _query(sql: str) -> dict[str, object]:
    done = haven(
        "query", "--permit", DEMO_PERMIT_ID, "--as", RESEARCHER, "--json", sql.replace("visits", "claims")
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("catalog_url", "demo")
def test_the_row_filter_attack_across_two_calls_of_haven_query() -> None:
    _publish()
    first, second = _query(FIRST), _query(SECOND)
    assert (first["rows"], first["suppressed"]) == ([[sum(2 + i % 3 for i in range(30))]], [])
    assert (second["rows"], second["suppressed"]) == ([[None]], suppressed_by(Rule.DIFFERENCING))


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("catalog_url", "demo")
def test_a_history_written_before_measures_is_read_as_the_pair_only_measure() -> None:
    _publish()
    assert _query(FIRST)["suppressed"] == []
    # Take the file back to the form the SPE wrote before measures: the released table
    # alone, its count-like releases under "count" (which it used for every count).
    path = history_path(get_settings(), DEMO_PERMIT_ID)
    con = sqlite3.connect(path)
    pair = hashlib.sha256(PAIR_MEASURE.encode()).hexdigest()
    kept = con.execute("SELECT digest, measure, persons FROM released WHERE measure = ?", (pair,)).fetchall()
    assert len(kept) == 1
    for table in ("released", "members", "measures"):
        con.execute(f"DROP TABLE {table}")
    con.execute(
        "CREATE TABLE released (digest TEXT PRIMARY KEY, measure TEXT NOT NULL, persons BLOB NOT NULL)"
    )
    con.executemany("INSERT INTO released VALUES (?, ?, ?)", kept)
    con.commit()
    con.close()
    second = _query(SECOND)
    assert (second["rows"], second["suppressed"]) == ([[None]], suppressed_by(Rule.DIFFERENCING))
    assert _query("SELECT count(*) AS n FROM visits WHERE age < 40")["suppressed"] == []
