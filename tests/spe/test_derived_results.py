"""A result computed from the query's per-person rows equals the query run on the tables.

For most queries the SPE scans the tables once: the companion's per-person rows are kept,
and both the researcher's result and the persons behind each cell are computed from them
(``spe.shape._derived_sql``). Every value must be what DuckDB gives for the query itself:
counts and exact sums equal, sums and means of doubles equal to the last digits DuckDB
itself does not promise (their order of addition).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import write_deltalake
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spe.session import SandboxSession
from spe.shape import analyse

AGGREGATES = [
    "count(*)",
    "count(amount)",
    "count(DISTINCT person_id)",
    "count_if(flag)",
    "count(*) FILTER (WHERE amount > 2)",
    "count(DISTINCT person_id) FILTER (WHERE n > 1)",
    "sum(amount)",
    "sum(n)",
    "sum(n) FILTER (WHERE flag)",
    "sum(CASE WHEN flag THEN 1 ELSE 0 END)",
    "avg(amount)",
    "avg(n)",
    "avg(CAST(flag AS INTEGER))",
]
WRAPS = ["{}", "{} + 1", "round({}, 1)", "{} * 2", "coalesce({}, 0)"]
KEYS = ["kind", "flag", "n % 3"]
WHERES = ["", " WHERE amount IS NOT NULL", " WHERE n > 0 OR kind = 'GP'"]

rows_of = st.lists(
    st.tuples(
        st.integers(0, 25),
        st.sampled_from(["GP", "LAB", None]),
        st.sampled_from([0.0, 1.0, 2.5, 3.1, None, 1e15, 0.1]),
        st.sampled_from([0, 1, 2, 7, None]),
        st.booleans(),
    ),
    min_size=1,
    max_size=80,
)
queries = st.tuples(
    st.lists(st.sampled_from(KEYS), max_size=2, unique=True),
    st.lists(st.tuples(st.sampled_from(WRAPS), st.sampled_from(AGGREGATES)), min_size=1, max_size=3),
    st.sampled_from(WHERES),
)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_of, query=queries)
def test_a_result_from_the_per_person_rows_equals_the_query_on_the_tables(
    rows: list[tuple[Any, ...]], query: tuple[list[str], list[tuple[str, str]], str]
) -> None:
    keys, outputs, where = query
    select = [*keys, *(wrap.format(aggregate) for wrap, aggregate in outputs)]
    group = (
        f" GROUP BY {', '.join(keys)} ORDER BY {', '.join(str(i + 1) for i in range(len(keys)))}"
        if keys
        else ""
    )
    sql = f"SELECT {', '.join(select)} FROM claims{where}{group}"
    table = pa.table(
        {
            "person_id": [f"p{r[0]}" for r in rows],
            "kind": [r[1] for r in rows],
            "amount": pa.array([r[2] for r in rows], pa.float64()),
            "n": pa.array([r[3] for r in rows], pa.int32()),
            "flag": [r[4] for r in rows],
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        write_deltalake(str(Path(folder) / "claims"), table)
        with SandboxSession({"claims": Path(folder) / "claims"}) as session:
            shape = analyse(sql, session._sandbox.columns)
            assert shape.derived is not None, sql
            evaluated = session.evaluate(sql)
            columns, direct = session._sandbox.execute(shape.run_sql)
    assert evaluated.columns == columns
    assert len(evaluated.rows) == len(direct), sql
    for mine, theirs in zip(evaluated.rows, direct, strict=True):
        assert all(_same(a, b) for a, b in zip(mine, theirs, strict=True)), (sql, mine, theirs)


def test_what_does_not_add_up_per_person_is_taken_from_the_tables(tmp_path: Path) -> None:
    columns = {
        "person_id": [f"p{i}" for i in range(12)],
        "kind": ["GP"] * 12,
        "amount": [1.5, 2.0, 2.5] * 4,
    }
    write_deltalake(str(tmp_path / "claims"), pa.table(columns))
    tables = {"claims": ("person_id", "kind", "amount")}
    for sql in (
        "SELECT kind, count(DISTINCT amount) FROM claims GROUP BY kind",  # distinct values
        "SELECT kind, fsum(amount) FROM claims GROUP BY kind",  # a Kahan sum
        "SELECT claims.kind, count(*) FROM claims GROUP BY kind",  # an output that is no key
    ):
        assert analyse(sql, tables).derived is None, sql
    with SandboxSession({"claims": tmp_path / "claims"}) as session:
        result = session.run(
            "SELECT kind, count(DISTINCT amount) AS n, fsum(amount) AS s FROM claims GROUP BY kind"
        )
    assert (result.status, result.columns, result.rows) == ("ok", ["kind", "n", "s"], [["GP", 3, 24.0]])
