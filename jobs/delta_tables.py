"""Creating and cleaning Delta tables that hold person identifiers.

Delta records per-file min/max statistics in its transaction log; for an identifier
column those would copy pseudonyms into the log, where a deleted person would survive.
``ensure_table`` creates tables whose statistics skip the identifier columns, and
``vacuum`` removes files no longer referenced, after the configured retention window.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import deltalake
import pyarrow as pa
import pyarrow.compute as pc
from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

IDENTIFIERS = ("pid", "person_id")


_SKIPPABLE = (T.NumericType, T.StringType, T.DateType, T.TimestampType, T.TimestampNTZType)


def stats_columns(df: DataFrame) -> list[str]:
    """The columns Delta keeps statistics on: those of a type it can skip on, but identifiers."""
    return [
        f.name for f in df.schema.fields if f.name not in IDENTIFIERS and isinstance(f.dataType, _SKIPPABLE)
    ]


@dataclass(frozen=True)
class Commit:
    """A table's newest commit: its version and what the operation reports (rows written,
    copied, deleted...), as Delta wrote them into the log."""

    version: int
    metrics: Mapping[str, int]

    def metric(self, name: str) -> int:
        """One operation metric, 0 when the operation does not report it."""
        return self.metrics.get(name, 0)


def last_commit(path: Path) -> Commit:
    """The newest commit of the table at ``path``, read from its log with ``deltalake``.

    Spark's ``DESCRIBE HISTORY`` (or ``DeltaTable.history``) costs a Spark job per call; a
    stage asked it once or twice per table, which added up to a good part of a small run.
    """
    table = deltalake.DeltaTable(str(path))
    last = table.history(1)[0]
    metrics = {name: int(value) for name, value in (last.get("operationMetrics") or {}).items()}
    return Commit(version=int(last["version"]), metrics=metrics)


def _creation_properties(like: DataFrame) -> dict[str, str]:
    """The table properties a new table of ``like``'s columns is created with."""
    if any(c in IDENTIFIERS for c in like.columns):
        return {"delta.dataSkippingStatsColumns": ",".join(stats_columns(like))}
    return {}


def ensure_table(spark: SparkSession, path: Path, like: DataFrame) -> None:
    """Create the table at ``path`` with ``like``'s schema if it does not exist yet: an empty
    version 0, so the first write is version 1."""
    if DeltaTable.isDeltaTable(spark, str(path)):
        return
    clear_interrupted_creation(path)
    builder = DeltaTable.createIfNotExists(spark).location(str(path)).addColumns(like.schema)
    for name, value in _creation_properties(like).items():
        builder = builder.property(name, value)
    builder.execute()


def creating_options(spark: SparkSession, path: Path, like: DataFrame) -> dict[str, str]:
    """Writer options under which the first write of ``like`` to ``path`` creates the table
    as ``ensure_table`` would (the same properties, in the same first commit); none when the
    table exists. Saves the empty commit of a separate creation, about half a second per table
    on a first delivery, where the table's version numbers do not matter (bronze, quarantine).
    """
    if DeltaTable.isDeltaTable(spark, str(path)):
        return {}
    clear_interrupted_creation(path)
    return _creation_properties(like)


def _ranges(path: Path, column: str) -> list[tuple[Any, Any]] | None:
    """Each data file's minimum and maximum of ``column``, from the table's log (``deltalake``,
    no Spark job); None when a file has no statistics on it or the log cannot be read. Delta
    keeps a prefix of a long string as its minimum and a bound above it as its maximum, so a
    range may be wider than the values, never narrower."""
    try:
        files = pa.table(deltalake.DeltaTable(str(path)).get_add_actions(flatten=True))
    except (deltalake.exceptions.DeltaError, OSError):
        return None
    if files.num_rows == 0:
        return []
    low, high = f"min.{column}", f"max.{column}"
    if not {low, high} <= set(files.column_names):
        return None
    ranges = list(zip(files.column(low).to_pylist(), files.column(high).to_pylist(), strict=True))
    return None if any(lo is None or hi is None for lo, hi in ranges) else ranges


@dataclass(frozen=True)
class Logged:
    """What a table's log says of its newest version: rows, and the least and greatest value
    of one date column (None when the column holds no value)."""

    rows: int
    low: date | None = None
    high: date | None = None


def logged(path: Path, date_column: str | None = None) -> Logged | None:
    """The rows of the table at ``path`` and the range of ``date_column``, from its log's
    file statistics (``deltalake``, no Spark job); None when a file lacks them.

    Exact, because deletion vectors are off (a file's ``numRecords`` are its rows) and Delta
    records a date's minimum and maximum as they are (unlike a long string's).
    """
    try:
        files = pa.table(deltalake.DeltaTable(str(path)).get_add_actions(flatten=True))
    except (deltalake.exceptions.DeltaError, OSError):
        return None
    if "num_records" not in files.column_names or files.column("num_records").null_count:
        return None
    rows = int(pc.sum(files.column("num_records")).as_py() or 0)
    if date_column is None:
        return Logged(rows)
    low, high, nulls = (f"{kind}.{date_column}" for kind in ("min", "max", "null_count"))
    if not {low, high, nulls} <= set(files.column_names):
        return None
    if not all(pa.types.is_date(files.schema.field(name).type) for name in (low, high)):
        return None
    # A file's bounds are null when all its values are; otherwise it kept no statistics.
    counts = zip(
        files.column(low).is_null().to_pylist(),
        files.column(high).is_null().to_pylist(),
        files.column(nulls).to_pylist(),
        files.column("num_records").to_pylist(),
        strict=True,
    )
    if any(
        (no_low or no_high) and null_rows != file_rows for no_low, no_high, null_rows, file_rows in counts
    ):
        return None
    return Logged(rows, pc.min(files.column(low)).as_py(), pc.max(files.column(high)).as_py())


def may_hold(path: Path, column: str, value: str) -> bool:
    """Whether the table at ``path`` may hold a row whose ``column`` is ``value``: False for a
    missing table or when the value is outside every file's range, True when unsure."""
    if not (path / "_delta_log").is_dir():
        return False
    ranges = _ranges(path, column)
    return ranges is None or any(lo <= value <= hi for lo, hi in ranges)


def holds_only(path: Path, column: str, value: str) -> bool:
    """Whether every row of the table at ``path`` surely has ``value`` in ``column`` (every
    file's range is that one value); False when unsure."""
    if not (path / "_delta_log").is_dir():
        return False
    ranges = _ranges(path, column)
    return ranges is not None and all(lo == value == hi for lo, hi in ranges)


# A file of a committed version: a commit (``00000000000000000000.json``), its checksum, a
# checkpoint; and the pointer to the last checkpoint.
_COMMITTED = re.compile(r"^(\d{20}\.|_last_checkpoint$)")


def clear_interrupted_creation(path: Path) -> bool:
    """Remove the log folder of a table whose creation was killed before its first commit;
    True when there was one.

    Delta makes ``_delta_log`` (and its ``_staged_commits``) before it writes version 0; a
    process killed in between (a scheduler or a machine gone) leaves a folder that Delta takes
    for a table it cannot read, so every later run failed with ``DELTA_TABLE_NOT_FOUND``.
    Without a committed version nothing in it was ever readable; data files written beside it
    are referenced by no version and go with the next VACUUM.
    """
    log = path / "_delta_log"
    if not log.is_dir() or any(_COMMITTED.match(entry.name) for entry in log.iterdir()):
        return False
    shutil.rmtree(log)
    return True


@dataclass(frozen=True)
class Vacuumed:
    """What VACUUM did to one table: files removed, and the files of earlier versions still on
    disk because the retention window has not passed (with the time by which it will have)."""

    files_removed: int
    files_kept: int
    removable_after: datetime | None

    @property
    def earlier_versions(self) -> str:
        """``removed`` when no earlier version can be read any more, else when they can go."""
        if self.files_kept == 0:
            return "removed"
        assert self.removable_after is not None
        return f"kept until {self.removable_after.isoformat(timespec='seconds')}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "files_removed": self.files_removed,
            "files_kept": self.files_kept,
            "earlier_versions": self.earlier_versions,
        }


def vacuum(path: Path, retention_hours: float) -> Vacuumed:
    """Delete files the table no longer references that are older than the retention window,
    then count those still on disk (earlier versions inside the window).

    Runs with the ``deltalake`` library, not Spark: the same protocol operation (list the
    table's folder, keep what the current version and the window still reference) without
    a Spark job per table, which made vacuuming a lake of twenty tables take minutes.
    """
    if not (path / "_delta_log").is_dir():
        return Vacuumed(files_removed=0, files_kept=0, removable_after=None)
    table = deltalake.DeltaTable(str(path))
    removed = table.vacuum(
        retention_hours=math.ceil(retention_hours), enforce_retention_duration=False, dry_run=False
    )
    # What a window of zero would still remove and is still on disk: the files that only
    # earlier versions read. (The log keeps naming a removed file after VACUUM deleted it.)
    kept = [
        name
        for name in table.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=True)
        if (path / unquote(name)).exists()
    ]
    _remove_orphan_checksums(path)
    removable_after = None
    if kept:
        # Every kept file was unreferenced by the latest commit at the latest, so the window
        # has passed for all of them once it has passed for that commit.
        last = table.history(1)[0]["timestamp"]
        removable_after = datetime.fromtimestamp(last / 1000, UTC) + timedelta(
            hours=math.ceil(retention_hours)
        )
    return Vacuumed(files_removed=len(removed), files_kept=len(kept), removable_after=removable_after)


def _remove_orphan_checksums(path: Path) -> None:
    """Spark writes a ``.NAME.crc`` checksum next to each data file; VACUUM deletes the file
    but not its checksum, which would otherwise pile up, one per erased version."""
    for checksum in path.rglob(".*.crc"):
        if "_delta_log" in checksum.parts:
            continue
        if not (checksum.parent / checksum.name[1 : -len(".crc")]).exists():
            checksum.unlink()
