"""The demonstration's queries, in the order a user meets them, against a permit of the demo's size.

tests/e2e/test_demo_path.py runs them through the `haven` command on an instance the
pipeline built; here the same statements run in sessions over Delta tables made from the
same synthetic extracts (`haven demo --people 300 --seed 11`: its 2025 rows of claims,
pharmacy deliveries and hospital stays, without the opted-out), each query a session of
its own over one release history on disk, as `haven query` does, after the demo's standing
indicator, which the demo's permit build releases first (`spe.indicators`: its stricter
terms, checked against its own cells, then added to the permit's history). The linked rule never
combines a count of rows with a count of persons, so no grouped result loses a cell to it;
the pair rule compares every count-like cell with every other (the pair-only measure, as
the SPE did before measures), which holds back a plain `count(*) FROM claims` after the
provider types (its 295 persons are 6 more than the GP cell's 289), as it did then.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable, write_deltalake

from catalog.dashboards.indicators import Terms
from catalog.demo import DEMO_INDICATOR_SQL
from cli.main import DEMO_JOIN_SQL, DEMO_SQL
from common.settings import PROJECT_ROOT
from spe.answers import QueryResult
from spe.differencing import ReleaseHistory
from spe.differencing_history import ReleaseLog
from spe.disclosure import DisclosureSettings
from spe.session import SandboxSession
from synthetic.generate import generate
from tests.e2e.test_demo_path import SQL as E2E_SQL
from tests.e2e.test_help_examples import ORDER, examples

# The permit's columns (catalog.demo), typed as the permit build types them.
PERMIT_COLUMNS = {
    "claims": "nomenclature_code, CAST(service_date AS DATE) AS service_date, provider_type, "
    "CAST(amount_reimbursed AS DOUBLE) AS amount_reimbursed, CAST(amount_copay AS DOUBLE) AS amount_copay",
    "pharmacy": "CAST(delivery_date AS DATE) AS delivery_date, atc_code, CAST(ddd AS DOUBLE) AS ddd, "
    "CAST(amount_reimbursed AS DOUBLE) AS amount_reimbursed",
    "hospital_stays": "CAST(admission_date AS DATE) AS admission_date, "
    "CAST(discharge_date AS DATE) AS discharge_date, stay_type, main_diagnosis, apr_drg, "
    "CAST(severity AS INTEGER) AS severity",
}
DATED = {"claims": "service_date", "pharmacy": "delivery_date", "hospital_stays": "admission_date"}


CLAIMS = "SELECT count(*) AS n FROM claims"


def demo_statements() -> list[str]:
    """The statements in the order the demo path runs them: `haven demo`'s two, the e2e
    test's own, then every --help example's SQL (ORDER), then README's SPE service example."""
    statements = [DEMO_SQL, DEMO_JOIN_SQL, E2E_SQL]
    found = examples()
    for command in ORDER:
        if command in ("query", "output request"):
            statements.extend(shlex.split(line)[-1] for line in found[command])
    readme = (PROJECT_ROOT / "README.md").read_text()
    statements.extend(re.findall(r'^\.venv/bin/haven query .*"(SELECT [^"]+)"$', readme, re.MULTILINE))
    return statements


@pytest.fixture(scope="module")
def demo_permit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("demo-permit")
    landing = folder / "landing"
    generate(landing, 300, 11)
    parquet = landing / "parquet"
    con = duckdb.connect()
    optout = (
        "SELECT pid FROM (SELECT pid, arg_max(action, event_time) AS latest "
        f"FROM read_parquet('{parquet / 'optout.parquet'}') GROUP BY pid) WHERE latest = 'optout'"
    )
    tables = {}
    for name, columns in PERMIT_COLUMNS.items():
        data = con.sql(
            f"SELECT pid AS person_id, {columns} FROM read_parquet('{parquet / f'{name}.parquet'}') "
            f"WHERE {DATED[name]} LIKE '2025%' AND pid NOT IN ({optout})"
        ).to_arrow_table()
        tables[name] = folder / name
        write_deltalake(str(tables[name]), data)
    con.close()
    return tables


def release_the_indicator(tables: dict[str, Path], history: Path) -> QueryResult:
    """The demo's standing indicator as a permit build runs it: at the default indicator terms,
    checked against its own cells only, what it released then added to the permit's history."""
    terms = DisclosureSettings().strictest(Terms(100, 10).overrides())
    own = ReleaseHistory(terms.min_persons)
    with SandboxSession(tables, settings=terms, history=own) as session:
        result = session.run(DEMO_INDICATOR_SQL)
    with ReleaseLog(history) as releases:
        releases.save(own)
    return result


def run_in_order(tables: dict[str, Path], history: Path, statements: list[str]) -> list[QueryResult]:
    settings = DisclosureSettings()
    results = []
    for sql in statements:
        with ReleaseLog(history) as releases:
            released = releases.history(settings.min_persons)
            with SandboxSession(tables, settings=settings, history=released) as session:
                results.append(session.run(sql))
            releases.save(released)
    return results


def test_the_demo_statements_are_the_ones_the_demo_path_runs() -> None:
    statements = demo_statements()
    assert statements[:3] == [DEMO_SQL, DEMO_JOIN_SQL, E2E_SQL]
    assert statements[3:] == [
        "SELECT count(*) AS deliveries FROM pharmacy",
        "SELECT count(*) AS n FROM pharmacy",
        "SELECT count(*) AS deliveries FROM pharmacy",
    ]


def test_what_the_demo_path_releases_and_holds_back(demo_permit: dict[str, Path], tmp_path: Path) -> None:
    history = tmp_path / "demo-permit.releases.sqlite"
    indicator = release_the_indicator(demo_permit, history)
    # After them, a count of all claims (a user's next question).
    statements = [*demo_statements(), CLAIMS]
    results = run_in_order(demo_permit, history, statements)
    con = duckdb.connect()
    for name, path in demo_permit.items():
        con.register(name, DeltaTable(str(path)).to_pyarrow_table())
    # The indicator: every cell passes its 100 persons, each count rounded to 10 (halves up).
    exact = con.execute(DEMO_INDICATOR_SQL).fetchall()
    assert (indicator.status, indicator.suppressed) == ("ok", [])
    assert indicator.rows == [[kind, (persons + 5) // 10 * 10] for kind, persons in exact]
    assert min(persons for _kind, persons in exact) >= 100
    # The plain totals of the examples: exactly the rows of the table; but the count of all
    # claims after the claims by provider type: its persons are those of the GP cell and 6
    # more, which the pair rule holds back (as the SPE did before measures, every
    # count-like cell against every other).
    for sql, result in zip(statements[3:6], results[3:6], strict=True):
        table = sql.rsplit(" ", 1)[-1]
        (rows,) = con.execute(f"SELECT count(*) FROM {table}").fetchone() or (None,)
        assert (result.status, result.rows, result.suppressed) == ("ok", [[rows]], []), sql
    assert (results[6].status, results[6].rows) == ("ok", [[None]])
    assert results[6].suppressed == [{"row": 0, "column": "n", "rule": "differencing"}]
    counted = "SELECT count(DISTINCT person_id) FROM claims"
    assert [con.execute(counted + where).fetchall() for where in (" WHERE provider_type = 'GP'", "")] == [
        [(289,)],
        [(295,)],
    ]
    # Asked first, it is released.
    (alone,) = run_in_order(demo_permit, tmp_path / "fresh.releases.sqlite", [CLAIMS])
    assert (alone.rows, alone.suppressed) == (
        [list(r) for r in con.execute("SELECT count(*) FROM claims").fetchall()],
        [],
    )
    # The grouped queries: no cell held back by differencing of any kind; the groups below
    # the threshold are left out, the others shown exactly as computed.
    for sql, result in zip(statements[:3], results[:3], strict=True):
        assert result.status == "ok", sql
        assert [e for e in result.suppressed if "differencing" in e["rule"]] == [], sql
    persons, claims = con.execute(
        "SELECT count(DISTINCT person_id), count(*) FROM claims WHERE provider_type = 'GP'"
    ).fetchone() or (None, None)
    gp = [row for row in results[0].rows if row[0] == "GP"]
    assert gp == [["GP", persons, claims, gp[0][3]]]
    con.close()
