"""Delta table snapshots as Arrow datasets, opened once and kept warm by the SPE service.

Opening a Delta table replays its log and lists its files; a long-lived service does that
once per table version and hands the same (immutable, thread-safe) Arrow dataset to every
sandbox that reads that version. A snapshot is identified by the table's path, its version
and the identity of that version's commit file (inode, size, modification time): a table
removed and written again at the same path starts its versions anew with new commit files,
so it is never mistaken for the old one. Which version a session reads is decided for every
request by the caller (the permit's newest build, or the newest commit on disk), never by
the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
from deltalake import DeltaTable

from spe.shape import person_hash_sql

_LOG = "_delta_log"
_COMMIT_DIGITS = 20


@dataclass(frozen=True)
class Snapshot:
    """One version of a table: its Arrow dataset, and its Parquet files when they hold the
    version exactly as they are (no partition values outside the files, no deletion vectors
    or column mapping: the first reader version of the protocol), so that an engine may
    read them directly (``spe.sandbox``); None otherwise."""

    version: int
    dataset: ds.Dataset
    files: tuple[str, ...] | None


def open_snapshot(path: Path, version: int | None) -> Snapshot:
    """The table at ``version`` (default: its newest), read fresh from disk."""
    table = DeltaTable(str(path), version=version)
    files = None
    if table.protocol().min_reader_version == 1 and not table.metadata().partition_columns:
        uris = table.file_uris()
        if uris and all(Path(uri).is_absolute() for uri in uris):
            files = tuple(uris)
    return Snapshot(table.version(), table.to_pyarrow_dataset(), files)


def newest_version(path: Path) -> int | None:
    """The newest committed version of the Delta table at ``path`` (its highest commit file),
    or None when the folder holds no log."""
    try:
        names = [entry.name for entry in (path / _LOG).iterdir()]
    except OSError:
        return None
    versions = [
        int(name[:_COMMIT_DIGITS])
        for name in names
        if name.endswith(".json") and len(name) == _COMMIT_DIGITS + 5 and name[:_COMMIT_DIGITS].isdigit()
    ]
    return max(versions, default=None)


def _commit_stamp(path: Path, version: int) -> tuple[int, int, int] | None:
    try:
        found = (path / _LOG / f"{version:0{_COMMIT_DIGITS}d}.json").stat()
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


def _hash_persons(snapshot: Snapshot, column: str) -> pa.Table:
    """Each distinct value of ``column`` in ``snapshot`` (``p``) with its hash (``h``)."""
    con = duckdb.connect(":memory:", config={"threads": "2"})
    try:
        con.register("persons", snapshot.dataset)
        sql = f'SELECT p, {person_hash_sql("p")} AS h FROM (SELECT DISTINCT "{column}" AS p FROM persons)'
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


class Snapshots:
    """A bounded, thread-safe cache of opened snapshots (least recently used go first),
    and of their persons' hashes (``person_hashes``), within ``hashed_persons`` persons."""

    def __init__(self, capacity: int = 64, hashed_persons: int = 20_000_000) -> None:
        self.capacity = capacity
        self.hashed_persons = hashed_persons
        self._lock = threading.Lock()
        self._open: OrderedDict[tuple[str, int, tuple[int, int, int]], Snapshot] = OrderedDict()
        self._hashes: OrderedDict[tuple[int, str], tuple[Snapshot, pa.Table]] = OrderedDict()
        self._hashed = 0
        self.hits = 0
        self.misses = 0

    def person_hashes(self, snapshot: Snapshot, column: str) -> pa.Table | None:
        """The persons of ``snapshot`` (distinct values of ``column``, ``p``) with their
        hashes (``h``, ``spe.shape.person_hash_sql``), computed once for a snapshot this
        cache opened (None for another): a query then joins them instead of hashing every
        person again, which costs about half a second per million persons."""
        key = (id(snapshot), column)
        with self._lock:
            if not any(kept is snapshot for kept in self._open.values()):
                return None
            found = self._hashes.get(key)
            if found is not None and found[0] is snapshot:
                self._hashes.move_to_end(key)
                return found[1]
        table = _hash_persons(snapshot, column)
        with self._lock:
            if key not in self._hashes:
                self._hashes[key] = (snapshot, table)  # the snapshot kept: its id is not reused
                self._hashed += table.num_rows
            # The hashes of snapshots the cache no longer holds go first, then the oldest.
            cached = {id(kept) for kept in self._open.values()}
            for stale in [k for k, (kept, _) in self._hashes.items() if id(kept) not in cached]:
                self._hashed -= self._hashes.pop(stale)[1].num_rows
            while self._hashed > self.hashed_persons and len(self._hashes) > 1:
                _, (_, dropped) = self._hashes.popitem(last=False)
                self._hashed -= dropped.num_rows
        return table

    def __len__(self) -> int:
        return len(self._open)

    def open(self, path: Path, version: int | None) -> Snapshot:
        """The table at ``version`` (default: the newest commit on disk now), from the cache
        when that very commit was opened before."""
        wanted = newest_version(path) if version is None else version
        stamp = None if wanted is None else _commit_stamp(path, wanted)
        if wanted is None or stamp is None:  # no plain commit file: let deltalake decide (or fail)
            return open_snapshot(path, version)
        key = (str(path), wanted, stamp)
        with self._lock:
            snapshot = self._open.get(key)
            if snapshot is not None:
                self._open.move_to_end(key)
                self.hits += 1
                return snapshot
        snapshot = open_snapshot(path, wanted)
        with self._lock:
            self.misses += 1
            self._open[key] = snapshot
            while len(self._open) > self.capacity:
                self._open.popitem(last=False)
        return snapshot
