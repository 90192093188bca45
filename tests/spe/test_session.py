"""The sandboxed session: limits, pinned Delta versions, errors without data, result shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from spe.errors import QueryRefused
from spe.sandbox import Sandbox, SandboxLimits
from spe.session import SandboxSession
from spe.snapshots import Snapshots
from tests.spe.factories import persons, write_rows


@pytest.fixture
def claims(tmp_path: Path) -> Path:
    return write_rows(tmp_path / "claims", persons("GP", 12, rows_each=2) + persons("LAB", 15, start=100))


def test_an_aggregate_runs_and_keeps_the_json_contract(claims: Path) -> None:
    with SandboxSession({"claims": claims}) as session:
        result = session.run(
            "SELECT kind, count(DISTINCT person_id) AS n, count(*) AS c FROM claims "
            "GROUP BY kind ORDER BY kind"
        )
    assert result.as_dict() == {
        "status": "ok",
        "reason": None,
        "columns": ["kind", "n", "c"],
        "rows": [["GP", 12, 24], ["LAB", 15, 15]],
        "suppressed": [],
        "unit": "persons",
    }


def test_tables_are_read_at_the_pinned_version(tmp_path: Path) -> None:
    table = write_rows(tmp_path / "claims", persons("GP", 12))
    write_rows(table, persons("GP", 20, start=50), mode="append")
    sql = "SELECT count(DISTINCT person_id) AS n FROM claims"
    with SandboxSession({"claims": table}, versions={"claims": 0}) as old:
        assert old.versions == {"claims": 0}
        assert old.run(sql).rows == [[12]]
    with SandboxSession({"claims": table}) as latest:
        assert latest.versions == {"claims": 1}
        assert latest.run(sql).rows == [[32]]


def test_versions_for_unknown_tables_are_refused(claims: Path) -> None:
    with pytest.raises(QueryRefused, match="versions given for tables"):
        SandboxSession({"claims": claims}, versions={"stays": 0})


def test_the_time_limit_interrupts_a_runaway_query(claims: Path) -> None:
    sandbox = Sandbox({"claims": claims}, limits=SandboxLimits(time_limit_s=0.5))
    try:
        with pytest.raises(QueryRefused, match="time limit"):
            sandbox.execute(
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
            )
        # The connection is usable again after the interruption.
        assert sandbox.execute("SELECT count(*) FROM claims") == (["count_star()"], [(39,)])
    finally:
        sandbox.close()


def test_the_memory_limit_stops_a_query_that_does_not_fit(claims: Path) -> None:
    sandbox = Sandbox({"claims": claims}, limits=SandboxLimits(memory_limit="64MB"))
    try:
        with pytest.raises(QueryRefused, match="memory limit"):
            sandbox.execute("SELECT list(range) FROM range(100000000)")
    finally:
        sandbox.close()


def test_limits_are_in_force_and_locked(claims: Path) -> None:
    sandbox = Sandbox({"claims": claims}, limits=SandboxLimits(threads=1, memory_limit="256MB"))
    try:
        _, rows = sandbox.execute(
            "SELECT current_setting('threads'), current_setting('enable_external_access'), "
            "current_setting('lock_configuration'), current_setting('max_temp_directory_size')"
        )
        assert rows == [(1, False, True, "0 bytes")]
        with pytest.raises(QueryRefused, match="InvalidInputException"):  # configuration locked
            sandbox.execute("SET threads = 8")
        assert sandbox.execute("SELECT current_setting('threads')")[1] == [(1,)]
    finally:
        sandbox.close()


def test_too_long_results_are_refused(claims: Path) -> None:
    sandbox = Sandbox({"claims": claims}, limits=SandboxLimits(max_result_rows=5))
    try:
        with pytest.raises(QueryRefused, match="more than 5 rows"):
            sandbox.execute("SELECT * FROM range(6)")
    finally:
        sandbox.close()


def test_errors_that_could_quote_data_are_reduced_to_their_kind(tmp_path: Path) -> None:
    table = write_rows(tmp_path / "claims", persons("secret-kind-value", 12))
    with SandboxSession({"claims": table}) as session:
        result = session.run("SELECT count(*) FROM claims WHERE CAST(kind AS INTEGER) > 1")
    assert result.status == "refused"
    assert result.reason == "query failed: ConversionException"


def _view_sql(sandbox: Sandbox, name: str) -> str:
    _, rows = sandbox.execute(f"SELECT sql FROM duckdb_views() WHERE view_name = '{name}'")
    return str(rows[0][0])


def test_a_plain_table_is_read_from_its_own_files_and_nothing_else_is_readable(tmp_path: Path) -> None:
    claims = write_rows(tmp_path / "claims", persons("GP", 12))
    elsewhere = write_rows(tmp_path / "elsewhere", persons("LAB", 3))
    sandbox = Sandbox({"claims": claims})
    try:
        assert "read_parquet" in _view_sql(sandbox, "claims")  # DuckDB's own reader
        assert sandbox.execute("SELECT count(*), count(DISTINCT person_id) FROM claims")[1] == [(12, 12)]
        for path in [*elsewhere.glob("*.parquet"), Path("/etc/passwd")]:
            with pytest.raises(QueryRefused, match="PermissionException"):
                sandbox.execute(f"SELECT count(*) FROM read_parquet('{path}')")
    finally:
        sandbox.close()


def test_a_table_whose_files_do_not_hold_it_whole_is_read_through_its_dataset(tmp_path: Path) -> None:
    # Partition values live in folder names, not in the files: the Arrow dataset adds them.
    rows = pa.table({"person_id": [f"p{i}" for i in range(12)], "kind": ["GP"] * 6 + ["LAB"] * 6})
    write_deltalake(str(tmp_path / "claims"), rows, partition_by=["kind"])
    sandbox = Sandbox({"claims": tmp_path / "claims"})
    try:
        assert "read_parquet" not in _view_sql(sandbox, "claims")
        assert sandbox.execute("SELECT kind, count(*) FROM claims GROUP BY kind ORDER BY kind")[1] == [
            ("GP", 6),
            ("LAB", 6),
        ]
    finally:
        sandbox.close()


def test_groups_of_any_key_type_are_matched_to_their_persons(tmp_path: Path) -> None:
    # The result is fetched as Python values and the persons behind it as Arrow: groups are
    # matched by a hash of their keys, whatever the types (NULL, dates, decimals, booleans).
    people = [f"p{i}" for i in range(24)]
    table = pa.table(
        {
            "person_id": people,
            "kind": [None, "GP"] * 12,
            "day": [date(2026, 1, 1 + i % 2) for i in range(24)],
            "price": pa.array([Decimal("1.50")] * 24, pa.decimal128(9, 2)),
            "flag": [True] * 24,
        }
    )
    write_deltalake(str(tmp_path / "claims"), table)
    with SandboxSession({"claims": tmp_path / "claims"}) as session:
        result = session.run(
            "SELECT kind, day, price, flag, count(DISTINCT person_id) AS n FROM claims "
            "GROUP BY kind, day, price, flag ORDER BY kind NULLS FIRST"
        )
    assert result.status == "ok", result.reason
    assert result.rows == [
        [None, date(2026, 1, 1), Decimal("1.50"), True, 12],
        ["GP", date(2026, 1, 2), Decimal("1.50"), True, 12],
    ]
    assert result.suppressed == []


def test_persons_hashed_once_by_the_service_give_the_same_persons_behind_every_cell(tmp_path: Path) -> None:
    table = write_rows(
        tmp_path / "claims",
        persons("GP", 12, rows_each=2) + persons("LAB", 15, start=100) + persons("LAB", 4, amount=0.0),
    )
    sql = "SELECT kind, count(DISTINCT person_id) AS n, avg(amount) AS a FROM claims GROUP BY kind ORDER BY 1"
    snapshots = Snapshots(hashed_persons=10)  # less than one table's persons: kept all the same
    with (
        SandboxSession({"claims": table}) as plain,
        SandboxSession({"claims": table}, snapshots=snapshots) as warm,
    ):
        hashed, kept = plain.evaluate(sql), warm.evaluate(sql)
        assert warm._sandbox.person_hashes("claims", "person_id") is not None
        assert plain._sandbox.person_hashes("claims", "person_id") is None  # no cache: hashed per query
    assert kept.rows == hashed.rows
    assert kept.companion.keys() == hashed.companion.keys()
    for group_id, group in hashed.companion.items():
        other = kept.companion[group_id]
        assert np.array_equal(other.persons, group.persons)
        assert [(s, list(w)) for s, w in other.aggregates] == [(s, list(w)) for s, w in group.aggregates]
        assert [[(m, list(w)) for m, w in t] for t in other.told] == [
            [(m, list(w)) for m, w in t] for t in group.told
        ]


def test_the_service_keeps_hashes_only_of_the_versions_it_keeps(tmp_path: Path) -> None:
    first = write_rows(tmp_path / "claims", persons("GP", 12))
    second = write_rows(tmp_path / "pharmacy", persons("GP", 15))
    snapshots = Snapshots(capacity=1)
    kept = snapshots.open(first, None)
    hashes = snapshots.person_hashes(kept, "person_id")
    assert hashes is not None and sorted(hashes.column("p").to_pylist()) == sorted(f"p{i}" for i in range(12))
    assert snapshots.person_hashes(kept, "person_id") is hashes  # computed once
    newer = snapshots.open(second, None)  # the first version leaves the cache...
    assert snapshots.person_hashes(newer, "person_id") is not None
    assert snapshots._hashed == 15  # ...and its hashes with it
    assert snapshots.person_hashes(kept, "person_id") is None
