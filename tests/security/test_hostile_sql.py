"""Hostile SQL in the SPE: every statement in this table must be refused, and none may read
or write anything outside the permit's tables.

The session sees one permit's ``claims`` table. Next to it on disk lie another permit's
Delta table and a secret file; the statements try to reach them, the settings, the
environment and the extension system, and to smuggle a second statement.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spe.errors import QueryRefused
from spe.sandbox import Sandbox, SandboxLimits
from spe.session import SandboxSession
from tests.spe.factories import persons, write_rows

SECRET = "s3cr3t-value-4711"

# (id, SQL); {secret}, {other} and {dir} are filled in with paths under tmp_path.
HOSTILE = [
    # file reads and globbing
    ("read_csv", "SELECT count(*) FROM read_csv('{secret}')"),
    ("read_text", "SELECT count(*) FROM read_text('{secret}')"),
    ("read_blob", "SELECT count(*) FROM read_blob('/etc/passwd')"),
    ("read_json", "SELECT count(*) FROM read_json('{secret}')"),
    ("replacement scan", "SELECT count(*) FROM '{secret}'"),
    ("parquet of another permit", "SELECT count(*) FROM read_parquet('{other}/*.parquet')"),
    ("parquet_metadata", "SELECT count(*) FROM parquet_metadata('{other}/*.parquet')"),
    ("sniff_csv", "SELECT count(*) FROM sniff_csv('{secret}')"),
    ("glob", "SELECT count(*) FROM glob('{dir}/*')"),
    ("glob in read_csv", "SELECT count(*) FROM read_csv('{dir}/*.csv')"),
    ("read in WHERE", "SELECT count(*) FROM claims WHERE kind IN (SELECT * FROM read_csv('{secret}'))"),
    # other databases and writing
    ("attach", "ATTACH '{dir}/x.db' AS x"),
    ("attach memory", "ATTACH ':memory:' AS m"),
    ("use", "USE memory"),
    ("copy to", "COPY claims TO '{dir}/out.csv'"),
    ("copy query to", "COPY (SELECT * FROM claims) TO '{dir}/out.parquet' (FORMAT parquet)"),
    ("copy from", "COPY claims FROM '{secret}'"),
    ("export", "EXPORT DATABASE '{dir}/export'"),
    ("import", "IMPORT DATABASE '{dir}'"),
    ("create table as", "CREATE TABLE t AS SELECT * FROM claims"),
    ("insert", "INSERT INTO claims VALUES ('x', 'GP', 1.0, false)"),
    ("delete", "DELETE FROM claims"),
    ("drop view", "DROP VIEW claims"),
    ("create macro", "CREATE MACRO m(x) AS x"),
    ("checkpoint", "CHECKPOINT"),
    # extensions
    ("install", "INSTALL httpfs"),
    ("force install", "FORCE INSTALL httpfs"),
    ("load", "LOAD httpfs"),
    ("extension list", "SELECT count(*) FROM duckdb_extensions()"),
    ("delta_scan", "SELECT count(*) FROM delta_scan('{other}')"),
    # settings and the environment
    ("set external access", "SET enable_external_access = true"),
    ("unlock configuration", "SET lock_configuration = false"),
    ("reset", "RESET memory_limit"),
    ("set variable", "SET VARIABLE x = 1"),
    ("pragma", "PRAGMA enable_profiling"),
    ("pragma table_info", "PRAGMA table_info('claims')"),
    ("call pragma", "CALL pragma_version()"),
    ("current_setting", "SELECT current_setting('home_directory') AS h, count(*) FROM claims GROUP BY 1"),
    ("getenv", "SELECT getenv('HOME') AS h, count(*) FROM claims GROUP BY 1"),
    ("getvariable", "SELECT getvariable('x') AS h, count(*) FROM claims GROUP BY 1"),
    ("duckdb_settings", "SELECT count(*) FROM duckdb_settings()"),
    ("duckdb_secrets", "SELECT count(*) FROM duckdb_secrets()"),
    ("which_secret", "SELECT count(*) FROM which_secret('s3://x', 's3')"),
    ("column statistics", "SELECT stats(amount) AS s, count(*) FROM claims GROUP BY 1"),
    ("system catalog", "SELECT count(*) FROM system.main.duckdb_tables()"),
    # statement smuggling
    ("two statements", "SELECT count(*) FROM claims; DROP VIEW claims"),
    ("smuggled after comment", "SELECT count(*) FROM claims -- x\n; COPY claims TO '{dir}/o.csv'"),
    ("smuggled attach", "SELECT 1; ATTACH '{dir}/x.db'"),
    ("query table function", "SELECT count(*) FROM query('SELECT * FROM claims')"),
    ("query_table", "SELECT count(*) FROM query_table('claims')"),
    ("serialized sql", "SELECT count(*) FROM json_execute_serialized_sql('{{}}')"),
    ("prepare", "PREPARE p AS SELECT count(*) FROM claims"),
    ("transaction", "BEGIN TRANSACTION"),
    ("pivot", "PIVOT claims ON kind USING count(*)"),
    # other permits' tables and time travel
    ("other permit table", "SELECT count(*) FROM other_claims"),
    ("qualified table", "SELECT count(*) FROM memory.main.claims"),
    ("time travel", "SELECT count(*) FROM claims AT (VERSION => 0)"),
    # row-level data in disguise
    ("select star", "SELECT * FROM claims"),
    ("no aggregate", "SELECT person_id, amount FROM claims"),
    ("distinct persons", "SELECT DISTINCT person_id FROM claims"),
    ("group by person", "SELECT person_id, count(*) FROM claims GROUP BY person_id"),
    ("list of persons", "SELECT kind, list(person_id) FROM claims GROUP BY kind"),
    ("string_agg", "SELECT kind, string_agg(person_id, ',') FROM claims GROUP BY kind"),
    ("raw maximum", "SELECT kind, max(amount) FROM claims GROUP BY kind"),
    ("raw minimum", "SELECT min(amount) FROM claims"),
    ("median", "SELECT median(amount) FROM claims"),
    ("arg_max", "SELECT arg_max(person_id, amount) FROM claims"),
    ("window", "SELECT count(*) OVER () FROM claims"),
    ("summarize", "SUMMARIZE claims"),
    ("describe", "DESCRIBE claims"),
    ("show tables", "SHOW TABLES"),
    ("subquery in select", "SELECT (SELECT max(amount) FROM claims) AS m, count(*) FROM claims"),
    ("subquery in from", "SELECT count(*) FROM (SELECT * FROM claims)"),
    ("union", "SELECT count(*) FROM claims UNION ALL SELECT count(*) FROM claims"),
    ("rollup", "SELECT kind, count(*) FROM claims GROUP BY ROLLUP (kind)"),
    ("sample", "SELECT count(*) FROM claims USING SAMPLE 5"),
    ("cte", "WITH c AS (SELECT * FROM claims) SELECT count(*) FROM c"),
    (
        "recursive cte bomb",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    ),
    ("error() quoting data", "SELECT count(*) FROM claims WHERE error(person_id) IS NULL"),
    ("sleep", "SELECT count(*) FROM claims WHERE sleep_ms(100000) IS NULL"),
    ("random cohort", "SELECT count(*) FROM claims WHERE person_id = 'p3' OR random() < 0.2"),
    ("random groups", "SELECT uuid() AS u, count(*) FROM claims GROUP BY 1"),
    ("cross join", "SELECT count(*) FROM claims a, claims b"),
    # values whose size the query sets, beyond the engine's memory limit
    ("repeat bomb", "SELECT kind, sum(length(repeat(kind, 500000000))) AS n FROM claims GROUP BY kind"),
    ("padding bomb", "SELECT kind, sum(length(lpad(kind, 500000000, 'x'))) AS n FROM claims GROUP BY kind"),
    ("list bomb", "SELECT kind, sum(len(range(500000000))) AS n FROM claims GROUP BY kind"),
    ("width bomb", "SELECT kind, sum(length(printf('%500000000d', 1))) AS n FROM claims GROUP BY kind"),
    (
        "scalar subquery oracle",
        "SELECT count(*) FROM claims WHERE (SELECT count(*) FROM claims "
        "WHERE person_id = 'p3' AND amount > 5) > 0",
    ),
    (
        "exists oracle",
        "SELECT count(*) FROM claims WHERE EXISTS (SELECT 1 FROM claims WHERE person_id = 'p3')",
    ),
    (
        "one person's groups",
        "SELECT kind, count(*) FROM claims WHERE kind IN "
        "(SELECT kind FROM claims WHERE person_id = 'p3') GROUP BY kind",
    ),
    ("having probe", "SELECT kind, count(*) FROM claims GROUP BY kind HAVING sum(amount) > 100"),
    ("order by aggregate", "SELECT kind, count(*) AS c FROM claims GROUP BY kind ORDER BY c"),
    ("order by position", "SELECT kind, sum(amount) FROM claims GROUP BY kind ORDER BY 2"),
    ("limit", "SELECT kind, count(*) FROM claims GROUP BY kind ORDER BY kind LIMIT 1"),
    ("join not on person", "SELECT count(*) FROM claims a JOIN claims b ON a.kind = b.kind"),
    # a self-join on the person that passes the shape checks: 2000^4 rows for one
    # person, stopped by the time limit
    (
        "join bomb",
        "SELECT count(*) FROM claims a JOIN claims b USING (person_id) "
        "JOIN claims c USING (person_id) JOIN claims d USING (person_id)",
    ),
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    write_rows(
        root / "permit-a" / "claims",
        persons("GP", 30) + persons("LAB", 30, start=100) + persons("GP", 1, start=500, rows_each=2000),
    )
    write_rows(root / "permit-b" / "claims", persons(SECRET, 30, prefix="other"))
    (root / "secret.csv").write_text(f"kind\n{SECRET}\n")
    return root


@pytest.fixture(scope="module")
def session(workspace: Path):
    with SandboxSession(
        {"claims": workspace / "permit-a" / "claims"}, limits=SandboxLimits(time_limit_s=1.0)
    ) as s:
        yield s


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@pytest.mark.parametrize(("name", "sql"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_sql_is_refused(session: SandboxSession, workspace: Path, name: str, sql: str) -> None:
    before = _files(workspace)
    text = sql.format(secret=workspace / "secret.csv", other=workspace / "permit-b" / "claims", dir=workspace)
    result = session.run(text)
    assert result.status == "refused", name
    assert result.rows == [] and result.columns == [] and result.suppressed == []
    assert result.reason
    assert SECRET not in result.reason
    assert _files(workspace) == before, "a hostile statement wrote a file"


def test_the_session_still_answers_after_the_hostile_table(session: SandboxSession) -> None:
    result = session.run(
        "SELECT kind, count(DISTINCT person_id) AS n FROM claims GROUP BY kind ORDER BY kind"
    )
    assert (result.status, result.rows) == ("ok", [["GP", 31], ["LAB", 30]])


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT 1; SELECT 2", "exactly one statement per query, got 2"),
        ("COPY claims TO 'out.csv'", "only SELECT queries are allowed, got COPY"),
        ("SELECT count(*) FROM other_claims", "unknown table 'other_claims': this permit has claims"),
        ("SELECT count(*) FROM read_csv('x.csv')", "only the permit's tables can be read"),
        (
            "SELECT person_id, count(*) FROM claims GROUP BY person_id",
            "grouping by person_id gives row-level results",
        ),
        ("SELECT max(amount) FROM claims", "aggregate max is not allowed"),
        (
            "SELECT current_setting('threads') AS t, count(*) FROM claims GROUP BY 1",
            "function current_setting is not allowed in the SPE",
        ),
        ("SELECT count(*) FROM claims a, claims b", "only INNER and LEFT joins are supported"),
        (
            "SELECT count(*) FROM claims WHERE kind IN (SELECT kind FROM claims WHERE person_id = 'p3')",
            "subqueries may only select a cohort",
        ),
        ("SELECT kind, count(*) FROM claims GROUP BY kind HAVING count(*) > 3", "HAVING is not allowed"),
        ("SELECT kind, count(*) FROM claims GROUP BY kind LIMIT 1", "LIMIT and OFFSET are not allowed"),
    ],
)
def test_refusals_say_why(session: SandboxSession, sql: str, reason: str) -> None:
    result = session.run(sql)
    assert result.status == "refused"
    assert reason in (result.reason or "")


def test_the_join_bomb_is_stopped_by_the_time_limit(session: SandboxSession) -> None:
    bomb = dict(HOSTILE)["join bomb"]
    assert session.run(bomb).reason == "the query exceeded the time limit"


# Defence in depth: even without the session's statement and shape checks, the locked
# connection itself reads, writes, attaches and loads nothing.
LOCKED = [
    ("read_csv", "SELECT * FROM read_csv('{secret}')"),
    ("replacement scan", "SELECT * FROM '{secret}'"),
    ("glob", "SELECT * FROM glob('{dir}/*')"),
    ("parquet of another permit", "SELECT * FROM read_parquet('{other}/*.parquet')"),
    ("copy to", "COPY claims TO '{dir}/out.csv'"),
    ("export", "EXPORT DATABASE '{dir}/export'"),
    ("attach file", "ATTACH '{dir}/x.db' AS x"),
    ("install", "INSTALL httpfs"),
    ("load", "LOAD httpfs"),
    ("unlock", "SET lock_configuration = false"),
    ("external access", "SET enable_external_access = true"),
    ("extension directory", "SELECT * FROM duckdb_extensions()"),
]


@pytest.mark.parametrize(("name", "sql"), LOCKED, ids=[h[0] for h in LOCKED])
def test_the_locked_connection_refuses_on_its_own(workspace: Path, name: str, sql: str) -> None:
    before = _files(workspace)
    sandbox = Sandbox({"claims": workspace / "permit-a" / "claims"})
    try:
        with pytest.raises(QueryRefused) as refused:
            sandbox.execute(
                sql.format(
                    secret=workspace / "secret.csv", other=workspace / "permit-b" / "claims", dir=workspace
                )
            )
    finally:
        sandbox.close()
    assert SECRET not in str(refused.value)
    assert _files(workspace) == before
