"""Anonymised datasets in the SPE: no person column, so disclosure control counts records
(``row_id``), and nothing may link rows across tables or to a cohort of persons."""

from __future__ import annotations

from pathlib import Path

import pytest

from spe.session import SandboxSession
from tests.spe.factories import write_rows

COLUMNS = ("row_id", "kind", "amount", "birth_band")


def records(kind: str, n: int, *, start: int, amount: float = 10.0) -> list[tuple[int, str, float, str]]:
    return [(start + i, kind, amount, "1980-1984") for i in range(n)]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("anonymised")
    # 15 GP records, 4 LAB records, and 12 SPEC records of which one holds 95 % of the amount.
    claims = write_rows(
        root / "claims",
        records("GP", 15, start=0)
        + records("LAB", 4, start=100)
        + records("SPEC", 11, start=200, amount=1.0)
        + records("SPEC", 1, start=300, amount=209.0),
        columns=COLUMNS,
    )
    stays = write_rows(root / "stays", records("DAY", 20, start=0), columns=COLUMNS)
    with SandboxSession({"claims": claims, "stays": stays}) as s:
        yield s


def test_cells_are_counted_in_records_and_small_ones_left_out(session: SandboxSession) -> None:
    result = session.run(
        "SELECT kind, count(*) AS n, sum(amount) AS total FROM claims GROUP BY kind ORDER BY kind"
    )
    assert (result.status, result.unit) == ("ok", "records")
    # LAB (4 records) leaves the result; SPEC's total is dominated by one record; SPEC's count
    # goes too, or an overall count would give LAB's by difference.
    assert result.rows == [["GP", 15, 150.0], ["SPEC", None, None]]
    assert result.suppressed == [
        {"row": 1, "column": "n", "rule": "secondary"},
        {"row": 1, "column": "total", "rule": "dominance"},
    ]


def test_an_overall_count_of_too_few_records_is_suppressed(session: SandboxSession) -> None:
    result = session.run("SELECT count(*) AS n FROM claims WHERE kind = 'LAB'")
    assert (result.rows, result.suppressed) == ([[None]], [{"row": 0, "column": "n", "rule": "threshold"}])


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT row_id, count(*) FROM claims GROUP BY row_id", "grouping by row_id gives row-level"),
        (
            "SELECT count(*) FROM claims c JOIN stays s ON c.row_id = s.row_id",
            "joins must link the same person",
        ),
        ("SELECT count(*) FROM claims c JOIN stays s USING (person_id)", "it cannot be joined"),
        (
            "SELECT count(*) FROM claims WHERE row_id IN (SELECT row_id FROM stays)",
            "anonymised datasets have no person column",
        ),
        ("SELECT kind, amount FROM claims", "row-level results are refused"),
    ],
)
def test_rows_cannot_be_linked_or_listed(session: SandboxSession, sql: str, reason: str) -> None:
    result = session.run(sql)
    assert result.status == "refused"
    assert reason in (result.reason or "")


def test_a_join_of_anonymised_tables_on_a_person_column_they_lack_is_refused(tmp_path: Path) -> None:
    claims = write_rows(tmp_path / "claims", records("GP", 12, start=0), columns=COLUMNS)
    population = write_rows(
        tmp_path / "population", [(f"p{i}", "F") for i in range(12)], columns=("person_id", "sex")
    )
    with SandboxSession({"claims": claims, "population": population}) as s:
        result = s.run(
            "SELECT sex, count(*) FROM claims c JOIN population p ON c.person_id = p.person_id GROUP BY sex"
        )
    assert result.status == "refused"
    assert result.reason == (
        "table claims is anonymised (no person_id): its rows link to no person, "
        "so it cannot be joined; query one table at a time"
    )
