"""Query shapes researchers need, answered exactly when every group is large enough."""

from __future__ import annotations

import pytest

from spe.errors import QueryRefused
from spe.session import SandboxSession
from spe.shape import analysed
from tests.spe.factories import persons, write_rows


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("shapes")
    # 40 GP patients (ids p0..p39, two rows of 10 each) and 30 lab patients (p100..p129, 5 each);
    # 12 of the GP patients are flagged.
    claims = write_rows(
        root / "claims",
        persons("GP", 28, rows_each=2)
        + persons("GP", 12, start=28, rows_each=2, flag=True)
        + persons("LAB", 30, start=100, amount=5.0),
    )
    population = write_rows(
        root / "population",
        [(f"p{i}", "F" if i % 2 else "M", 1980) for i in [*range(40), *range(100, 130)]],
        columns=("person_id", "sex", "birth_year"),
    )
    with SandboxSession({"claims": claims, "population": population}) as s:
        yield s


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("SELECT kind AS k, count(*) AS c FROM claims GROUP BY k ORDER BY k", [["GP", 80], ["LAB", 30]]),
        ("SELECT kind, count(*) FROM claims GROUP BY 1 ORDER BY 1", [["GP", 80], ["LAB", 30]]),
        ("SELECT kind, count(*) FROM claims GROUP BY ALL ORDER BY kind", [["GP", 80], ["LAB", 30]]),
        ("FROM claims SELECT kind, sum(amount) GROUP BY kind ORDER BY kind", [["GP", 800.0], ["LAB", 150.0]]),
        (
            "SELECT lower(kind) AS k, count(DISTINCT person_id) FROM claims GROUP BY lower(kind) "
            "ORDER BY k DESC",
            [["lab", 30], ["gp", 40]],
        ),
        (
            "SELECT kind, round(100.0 * count(DISTINCT person_id) FILTER (WHERE flag) "
            "/ count(DISTINCT person_id), 1) AS pct FROM claims WHERE kind = 'GP' GROUP BY kind",
            [["GP", 30.0]],
        ),
        (
            "SELECT p.sex, count(DISTINCT c.person_id) FROM claims c JOIN population p "
            "ON c.person_id = p.person_id GROUP BY p.sex ORDER BY p.sex",
            [["F", 35], ["M", 35]],
        ),
        (
            "SELECT sex, count(*) FROM claims JOIN population USING (person_id) WHERE kind = 'LAB' "
            "GROUP BY sex ORDER BY sex",
            [["F", 15], ["M", 15]],
        ),
        (
            "SELECT count(DISTINCT person_id) FROM population WHERE person_id IN "
            "(SELECT person_id FROM claims WHERE kind = 'GP' GROUP BY person_id HAVING count(*) >= 2)",
            [[40]],
        ),
        (
            "SELECT count(DISTINCT person_id) FROM population WHERE person_id NOT IN "
            "(SELECT person_id FROM claims WHERE flag)",
            [[58]],
        ),
    ],
)
def test_supported_shapes(session: SandboxSession, sql: str, rows: list[list[object]]) -> None:
    result = session.run(sql)
    assert (result.status, result.reason) == ("ok", None)
    assert result.rows == rows


def test_a_statement_asked_again_is_analysed_once_and_answered_the_same(session: SandboxSession) -> None:
    sql = "SELECT kind, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind ORDER BY kind"
    first, again = session.run(sql), session.run(sql)
    assert (first.status, first.rows) == ("ok", [["GP", 40], ["LAB", 30]])
    assert (again.status, again.columns, again.rows) == (first.status, first.columns, first.rows)
    # The same text over the same columns gets the very shape analysed the first time.
    columns = {
        "claims": ("person_id", "kind", "amount", "flag"),
        "population": ("person_id", "sex", "birth_year"),
    }
    assert analysed(sql, columns) is analysed(sql, dict(reversed(columns.items())))
    # A table with other columns is analysed on its own; its shape may read them.
    wider = {**columns, "claims": (*columns["claims"], "extra")}
    assert analysed(sql, wider) is not analysed(sql, columns)
    # A refusal is not remembered as an answer: the statement is refused every time.
    for _ in range(2):
        with pytest.raises(QueryRefused, match="row-level"):
            analysed("SELECT person_id, count(*) FROM claims GROUP BY person_id", columns)
