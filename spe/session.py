"""Researcher sessions: one SQL statement per call, disclosure-controlled results.

A session holds a locked sandbox (``spe.sandbox``) over one permit's tables at pinned Delta
versions, the permit's disclosure thresholds and the memory of what it has released (for
the differencing check). Each call runs exactly one read-only statement of a shape that
disclosure control can analyse (``spe.shape``); anything else is refused with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from spe.answers import QueryResult
from spe.control import Group, control, group_companion
from spe.differencing import ReleaseHistory
from spe.disclosure import DisclosureSettings
from spe.errors import QueryRefused
from spe.sandbox import Sandbox, SandboxLimits
from spe.shape import (
    HIDDEN_PREFIX,
    PER_PERSON_TABLE,
    PERSON_COLUMN,
    QueryShape,
    analysed,
    grouped_companion_sql,
    per_person_sql,
)
from spe.snapshots import Snapshots

__all__ = ["Evaluated", "QueryRefused", "QueryResult", "SandboxSession"]


@dataclass(frozen=True)
class Evaluated:
    """A statement run in the sandbox, before disclosure control: its shape, its raw result
    (never shown) and the per-group persons behind it."""

    shape: QueryShape
    columns: list[str]
    rows: list[tuple[Any, ...]]
    companion: dict[int, Group]  # by group id (``spe.shape.GROUP_ID``)


class SandboxSession:
    """One researcher session over a fixed set of tables; use as a context manager.

    ``versions`` pins Delta versions by table (default: the latest, recorded in
    ``self.versions`` so that a result can be reproduced). ``history`` is what earlier
    sessions released (``spe.differencing_history``); by default the session starts with none.
    ``snapshots`` is a long-lived service's cache of opened Delta versions.
    """

    def __init__(
        self,
        tables: Mapping[str, Path],
        versions: Mapping[str, int] | None = None,
        settings: DisclosureSettings | None = None,
        limits: SandboxLimits | None = None,
        history: ReleaseHistory | None = None,
        snapshots: Snapshots | None = None,
    ) -> None:
        self.settings = settings or DisclosureSettings()
        if history is not None and history.min_persons != self.settings.min_persons:
            raise ValueError("the release history must use the session's min_persons")
        self._sandbox = Sandbox(tables, versions, limits, snapshots)
        self._history = history if history is not None else ReleaseHistory(self.settings.min_persons)
        self.tables = self._sandbox.tables

    @property
    def versions(self) -> dict[str, int]:
        return dict(self._sandbox.versions)

    def __enter__(self) -> SandboxSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._sandbox.close()

    @staticmethod
    def check_statement(sql: str) -> None:
        """Raise ``QueryRefused`` unless ``sql`` is exactly one SELECT statement."""
        try:
            statements = duckdb.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryRefused(f"the query does not parse: {type(exc).__name__}", "parse") from None
        if len(statements) != 1:
            raise QueryRefused(f"exactly one statement per query, got {len(statements)}", "statement")
        if statements[0].type != duckdb.StatementType.SELECT:
            raise QueryRefused(f"only SELECT queries are allowed, got {statements[0].type.name}", "statement")

    def run(self, sql: str) -> QueryResult:
        """Run one statement and apply disclosure control; refusals come back as ``status == "refused"``."""
        try:
            evaluated = self.evaluate(sql)
        except QueryRefused as exc:
            return _refused(exc)
        return self.disclose(evaluated)

    def evaluate(self, sql: str) -> Evaluated:
        """Check and run one statement and its companion query, without releasing anything:
        ``QueryRefused`` when it may not run or fails. Needs no release history, so a service
        runs it outside the permit's history lock (heavy queries do not hold other sessions)."""
        self.check_statement(sql)
        shape = analysed(sql, self._sandbox.columns)
        top_n = max(self.settings.nk_n, 2)
        hashes = None
        if shape.person_table is not None:
            hashes = self._sandbox.person_hashes(shape.person_table, PERSON_COLUMN)
        if shape.derived is not None:
            return self._from_per_person_rows(shape, top_n, hashes, *shape.derived)
        columns, rows = self._sandbox.execute(shape.run_sql)
        companion = self._sandbox.execute_arrow(grouped_companion_sql(shape, top_n, hashes))
        return Evaluated(shape, columns, rows, group_companion(shape, companion))

    def _from_per_person_rows(
        self, shape: QueryShape, top_n: int, hashes: str | None, derived: str, means: tuple[int, ...]
    ) -> Evaluated:
        """One pass over the tables: the companion's per-person rows are kept for the
        statement, and the result and the persons behind it are both computed from them
        (the same rows by construction). A mean whose per-person sums are not doubles is
        taken from the tables, as DuckDB divides an exact sum its own way."""
        columns = self._sandbox.column_names(shape.run_sql)
        with self._sandbox.kept(PER_PERSON_TABLE, per_person_sql(shape, hashes)) as types:
            exact = all(types.get(f"{HIDDEN_PREFIX}v{i}") in ("DOUBLE", "FLOAT") for i in means)
            _, rows = self._sandbox.execute(derived if exact else shape.run_sql)
            companion = self._sandbox.execute_arrow(grouped_companion_sql(shape, top_n, per_person=True))
        return Evaluated(shape, columns, rows, group_companion(shape, companion))

    def disclose(self, evaluated: Evaluated, history: ReleaseHistory | None = None) -> QueryResult:
        """Disclosure control of an evaluated statement against ``history`` (default: the
        session's), which records what is released; a refusal comes back as ``status == "refused"``."""
        if history is not None and history.min_persons != self.settings.min_persons:
            raise ValueError("the release history must use the session's min_persons")
        try:
            outcome = control(
                evaluated.shape,
                evaluated.columns,
                evaluated.rows,
                evaluated.companion,
                self.settings,
                history if history is not None else self._history,
            )
        except QueryRefused as exc:
            return _refused(exc)
        reason = None
        if outcome.suppressed:
            reason = "disclosure control suppressed cells (see suppressed)"
        return QueryResult(
            status="ok",
            reason=reason,
            columns=outcome.columns,
            rows=outcome.rows,
            suppressed=outcome.suppressed,
            unit=evaluated.shape.unit.value,
        )


def _refused(exc: QueryRefused) -> QueryResult:
    return QueryResult(status="refused", reason=str(exc), rule=exc.rule)
