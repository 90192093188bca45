"""Sandboxed DuckDB sessions over a permit's Delta tables.

A session registers each permit table as an Arrow dataset (read through ``deltalake``),
then disables external access and locks the configuration: no file, network, extension
or ATTACH access is left, whatever SQL comes next. Each call runs exactly one read-only
statement (SELECT or WITH ... SELECT); anything else is refused with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from deltalake import DeltaTable

from common.errors import HavenError

MEMORY_LIMIT = "1GB"
_ABOUT_THE_QUERY = (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException,
                    duckdb.PermissionException)
THREADS = 2


class QueryRefused(HavenError):
    """The statement is not allowed in the SPE; the message says why."""


@dataclass
class QueryResult:
    status: str
    reason: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "columns": self.columns,
                "rows": self.rows, "suppressed": self.suppressed}


class SandboxSession:
    """One researcher session over a fixed set of tables; use as a context manager."""

    def __init__(self, tables: dict[str, Path]) -> None:
        self._con = duckdb.connect(
            ":memory:", config={"threads": str(THREADS), "memory_limit": MEMORY_LIMIT}
        )
        for name, path in tables.items():
            self._con.register(name, DeltaTable(str(path)).to_pyarrow_dataset())
        self._con.execute("SET enable_external_access = false")
        self._con.execute("SET lock_configuration = true")
        self.tables = sorted(tables)

    def __enter__(self) -> SandboxSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._con.close()

    @staticmethod
    def check_statement(sql: str) -> None:
        """Raise ``QueryRefused`` unless ``sql`` is exactly one SELECT statement."""
        try:
            statements = duckdb.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryRefused(f"the query does not parse: {type(exc).__name__}") from None
        if len(statements) != 1:
            raise QueryRefused(f"exactly one statement per query, got {len(statements)}")
        if statements[0].type != duckdb.StatementType.SELECT:
            raise QueryRefused(f"only SELECT queries are allowed, got {statements[0].type.name}")

    def run(self, sql: str) -> QueryResult:
        """Run one read-only statement; refusals come back as ``status == "refused"``."""
        try:
            self.check_statement(sql)
            relation = self._con.execute(sql)
            columns = [d[0] for d in relation.description or []]
            rows = [list(r) for r in relation.fetchall()]
        except QueryRefused as exc:
            return QueryResult(status="refused", reason=str(exc))
        except _ABOUT_THE_QUERY as exc:
            # These quote the researcher's own SQL (names, syntax), not data.
            return QueryResult(status="refused", reason=f"{type(exc).__name__}: {exc}")
        except duckdb.Error as exc:
            # Others (conversion, arithmetic) can quote row values: report the kind only.
            return QueryResult(status="refused", reason=f"query failed: {type(exc).__name__}")
        return QueryResult(status="ok", columns=columns, rows=rows)
