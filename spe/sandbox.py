"""The locked DuckDB connection underneath a researcher session.

It opens each permit table at a pinned Delta version through ``deltalake``: as a view over
that version's Parquet files when they hold it as they are (DuckDB's own reader), else as
an Arrow dataset. Then it disables external access and locks the configuration: no file
(but those of the pinned versions), network, extension, secret or ATTACH access is left,
whatever SQL comes next. Every statement runs under memory and thread limits and a
wall-clock limit enforced by a timer thread that interrupts the connection. Errors that
could quote row values are reduced to their kind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from spe.errors import QueryRefused
from spe.snapshots import Snapshot, Snapshots, open_snapshot


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one sandbox; the defaults suit one researcher on a shared machine."""

    memory_limit: str = "1GB"
    threads: int = 2
    time_limit_s: float = 30.0
    max_result_rows: int = 10_000


# Settings fixed at connect time, before the configuration is locked.
_CONNECT_CONFIG = {
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
    "allow_community_extensions": "false",
    "allow_unsigned_extensions": "false",
    "allow_persistent_secrets": "false",
    # No spilling: a query that does not fit in memory fails instead of writing files.
    "max_temp_directory_size": "0KiB",
}
# These quote the researcher's own SQL (names, syntax), never row values.
_ABOUT_THE_QUERY = (
    duckdb.ParserException,
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.PermissionException,
)


def error_rule(exc: duckdb.Error) -> str:
    """The refusal rule of a DuckDB error, for the audit log."""
    if isinstance(exc, duckdb.InterruptException):
        return "time_limit"
    if isinstance(exc, duckdb.OutOfMemoryException):
        return "memory_limit"
    return "sql_error"


def describe_error(exc: duckdb.Error) -> str:
    """A refusal reason for a DuckDB error: the message only where it cannot quote data."""
    if isinstance(exc, duckdb.InterruptException):
        return "the query exceeded the time limit"
    if isinstance(exc, duckdb.OutOfMemoryException):
        return "the query exceeded the memory limit"
    if isinstance(exc, _ABOUT_THE_QUERY):
        return f"{type(exc).__name__}: {exc}"
    # Conversion, arithmetic, invalid input (error()) can quote row values: the kind only.
    return f"query failed: {type(exc).__name__}"


class Sandbox:
    """A locked in-memory DuckDB over fixed tables at fixed Delta versions; ``snapshots``
    (a long-lived service's) opens each table version once for many sandboxes."""

    def __init__(
        self,
        tables: Mapping[str, Path],
        versions: Mapping[str, int] | None = None,
        limits: SandboxLimits | None = None,
        snapshots: Snapshots | None = None,
    ) -> None:
        self.limits = limits or SandboxLimits()
        opener = snapshots.open if snapshots is not None else open_snapshot
        unknown = set(versions or {}) - set(tables)
        if unknown:
            raise QueryRefused(
                f"versions given for tables the permit does not have: {sorted(unknown)}", "versions"
            )
        config: dict[str, str | bool | int | float | list[str]] = {
            **_CONNECT_CONFIG,
            "threads": str(self.limits.threads),
            "memory_limit": self.limits.memory_limit,
        }
        self._con = duckdb.connect(":memory:", config=config)
        self._snapshots = snapshots
        self._opened: dict[str, Snapshot] = {}
        self.versions: dict[str, int] = {}
        self.columns: dict[str, tuple[str, ...]] = {}
        try:
            readable: list[str] = []
            for name, path in sorted(tables.items()):
                snapshot = opener(path, (versions or {}).get(name))
                self._con.register(name, snapshot.dataset)
                if snapshot.files is not None and self._read_directly(name, snapshot.files):
                    readable.extend(snapshot.files)
                self._opened[name] = snapshot
                self.versions[name] = snapshot.version
                self.columns[name] = tuple(snapshot.dataset.schema.names)
            # The permit's own files stay readable; nothing else on the host is.
            self._con.execute(f"SET allowed_paths = [{', '.join(_literal(f) for f in readable)}]")
            self._con.execute("SET enable_external_access = false")
            self._con.execute("SET lock_configuration = true")
        except BaseException:
            self._con.close()
            raise
        self.tables = sorted(tables)

    def close(self) -> None:
        self._con.close()

    def person_hashes(self, table: str, column: str) -> str | None:
        """The name of a hidden table of ``table``'s persons and their hashes (``p``, ``h``)
        when the snapshot cache (a long-lived service's) keeps them, else None."""
        snapshot = self._opened.get(table)
        if self._snapshots is None or snapshot is None:
            return None
        hashes = self._snapshots.person_hashes(snapshot, column)
        if hashes is None:
            return None
        name = f"__haven_persons_{sorted(self._opened).index(table)}"
        self._con.register(name, hashes)
        return name

    def _read_directly(self, name: str, files: tuple[str, ...]) -> bool:
        """Read table ``name`` with DuckDB's own Parquet reader (about twice as fast as
        through its Arrow dataset) when the files give exactly the dataset's columns and
        types; else keep the dataset. The view is made before the configuration is locked."""
        scan = f"read_parquet([{', '.join(_literal(f) for f in files)}], union_by_name = true)"
        try:
            direct = self._con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
            through_arrow = self._con.execute(f"DESCRIBE SELECT * FROM {_identifier(name)}").fetchall()
        except duckdb.Error:
            return False
        if [row[:2] for row in direct] != [row[:2] for row in through_arrow]:
            return False
        self._con.unregister(name)
        self._con.execute(f"CREATE VIEW {_identifier(name)} AS SELECT * FROM {scan}")
        return True

    def execute(self, sql: str, max_rows: int | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run ``sql`` under the limits; raise ``QueryRefused`` with a data-free reason on failure."""
        limit = max_rows or self.limits.max_result_rows
        with self._limited():
            relation = self._con.execute(sql)
            columns = [d[0] for d in relation.description or []]
            rows = relation.fetchmany(limit + 1)
        if len(rows) > limit:
            raise QueryRefused(f"the result has more than {limit} rows", "result_size")
        return columns, rows

    def execute_arrow(self, sql: str) -> pa.Table:
        """``execute``, with the result as an Arrow table (large lists stay in Arrow's buffers)."""
        limit = self.limits.max_result_rows
        with self._limited():
            reader = self._con.sql(sql).to_arrow_reader()
            batches, rows = [], 0
            for batch in reader:
                batches.append(batch)
                rows += batch.num_rows
                if rows > limit:
                    raise QueryRefused(f"the result has more than {limit} rows", "result_size")
            table = pa.Table.from_batches(batches, schema=reader.schema)
        return table

    def column_names(self, sql: str) -> list[str]:
        """The names of ``sql``'s columns (the statement is bound, not run)."""
        with self._limited():
            rows = self._con.execute(f"DESCRIBE {sql}").fetchall()
        return [str(row[0]) for row in rows]

    @contextmanager
    def kept(self, name: str, sql: str) -> Iterator[dict[str, str]]:
        """``sql``'s rows kept as the temporary table ``name`` while the block runs (its
        statements read them instead of the tables again); yields its columns' types."""
        table = _identifier(name)
        with self._limited():
            self._con.execute(f"CREATE TEMP TABLE {table} AS {sql}")
        try:
            yield {str(row[0]): str(row[1]) for row in self._con.execute(f"DESCRIBE {table}").fetchall()}
        finally:
            self._con.execute(f"DROP TABLE IF EXISTS {table}")

    @contextmanager
    def _limited(self) -> Iterator[None]:
        """The statement's wall-clock limit; a DuckDB error becomes a data-free refusal."""
        timer = threading.Timer(self.limits.time_limit_s, self._con.interrupt)
        timer.daemon = True
        timer.start()
        try:
            yield
        except duckdb.Error as exc:
            raise QueryRefused(describe_error(exc), error_rule(exc)) from None
        finally:
            timer.cancel()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
