"""Looking for values in every file under a folder, the way an auditor would.

Parquet files are compressed, so they are read with pyarrow and every string value is
compared; every other file (Delta log JSON, checkpoints' sidecars, CRCs, SQLite databases)
is searched as bytes. Delta tables can also be read version by version, as time travel
would, and a SQLite database cell by cell, to say where a value is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import deltalake
import pyarrow as pa
import pyarrow.parquet as pq


def _strings(table: pa.Table) -> set[str]:
    found: set[str] = set()
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            found.update(v for v in column.to_pylist() if v is not None)
    return found


def files_containing(root: Path, needles: Iterable[str]) -> dict[str, list[str]]:
    """For each needle found anywhere under ``root``, the files (relative) that hold it."""
    wanted = set(needles)
    hits: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            present = wanted & _strings(pq.read_table(path))
        else:
            data = path.read_bytes()
            present = {n for n in wanted if n.encode() in data}
        for needle in present:
            hits.setdefault(needle, []).append(str(path.relative_to(root)))
    return hits


def delta_tables_under(root: Path) -> list[Path]:
    """Every Delta table under ``root`` (a folder holding a ``_delta_log``)."""
    return sorted(p.parent for p in root.rglob("_delta_log") if p.is_dir())


def readable_versions_containing(root: Path, needles: Iterable[str]) -> dict[str, list[str]]:
    """For each needle, the ``table@version`` of every Delta table under ``root`` whose version
    can still be read (time travel) and holds it. A version whose files were vacuumed cannot be
    read: that is erasure working, not an error."""
    wanted = set(needles)
    hits: dict[str, list[str]] = {}
    for table in delta_tables_under(root):
        latest = deltalake.DeltaTable(str(table)).version()
        for version in range(latest + 1):
            try:
                data = deltalake.DeltaTable(str(table), version=version).to_pyarrow_table()
            except (OSError, deltalake.exceptions.DeltaError):
                continue
            for needle in wanted & _strings(data):
                hits.setdefault(needle, []).append(f"{table.relative_to(root)}@{version}")
    return hits


def sqlite_cells_containing(database: Path, needles: Iterable[str]) -> dict[str, list[str]]:
    """For each needle, the ``table.column`` of a SQLite database where a text cell holds it."""
    wanted = set(needles)
    hits: dict[str, list[str]] = {}
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                values = {str(v) for (v,) in db.execute(f'SELECT "{column}" FROM "{table}"') if v is not None}
                for needle in wanted:
                    if any(needle in value for value in values):
                        hits.setdefault(needle, []).append(f"{table}.{column}")
    return hits
