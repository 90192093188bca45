from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from spe.session import SandboxSession


@pytest.fixture
def session(tmp_path: Path):
    table = tmp_path / "claims"
    write_deltalake(str(table), pa.table({"person_id": ["a", "a", "b"], "code": ["1", "2", "1"]}))
    (tmp_path / "secret.csv").write_text("x\n1\n")
    with SandboxSession({"claims": table}) as s:
        yield s


def test_an_aggregate_runs(session: SandboxSession) -> None:
    result = session.run(
        "SELECT code, count(DISTINCT person_id) AS n FROM claims GROUP BY code ORDER BY code")
    assert result.as_dict() == {"status": "ok", "reason": None, "columns": ["code", "n"],
                                "rows": [["1", 2], ["2", 1]], "suppressed": []}


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT 1; SELECT 2", "exactly one statement"),
        ("COPY claims TO 'out.csv'", "only SELECT"),
        ("ATTACH 'other.db'", "only SELECT"),
        ("INSTALL httpfs", "only SELECT"),
        ("SET enable_external_access = true", "only SELECT"),
        ("SELECT * FROM read_csv('secret.csv')", "PermissionException"),
        ("SELECT * FROM glob('*')", "PermissionException"),
        ("SELECT * FROM 'secret.csv'", "PermissionException"),
        ("SELECT * FROM other_permit_table", "CatalogException"),
        ("SELEC nonsense", "does not parse"),
    ],
)
def test_hostile_or_broken_sql_is_refused(session: SandboxSession, sql: str, reason: str) -> None:
    result = session.run(sql)
    assert result.status == "refused"
    assert reason in (result.reason or "")
    assert result.rows == []
