"""What a permit's sessions have released, kept across sessions for the differencing check.

Each CLI call or portal request is a new sandbox session; without a memory, two calls could
return two counts whose cohorts differ by one person. ``ReleaseLog`` keeps every released
aggregate of a permit (a digest of what it measures and the 64-bit hashes of the persons or
records behind it, never a value, a pseudonym or the SQL) in one SQLite file per permit under
``HAVEN_HOME/spe/``, owner-only. A session holds the file's write lock from before it reads
the history until its releases are saved, so two concurrent sessions of one permit cannot
each release half of a difference. The file is deleted when the permit ends
(``forget_ended``, which the ``sweep`` task and ``haven permit sweep`` run after the
workspaces are gone).

Known limit: every released cell's set is kept, so the file grows with the number of
distinct released cells times their size (8 bytes per person); identical releases are kept
once.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from array import array
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from catalog.db.gateway import unit_of_work
from catalog.permits.lifecycle import ENDED
from common.layout import check_name
from common.settings import Settings
from spe.differencing import Released, ReleaseHistory

_SCHEMA = """
CREATE TABLE IF NOT EXISTS released (
    digest TEXT PRIMARY KEY,   -- SHA-256 of measure and persons: each release kept once
    measure TEXT NOT NULL,     -- SHA-256 of the measure, which can quote the researcher's SQL
    persons BLOB NOT NULL      -- sorted unsigned 64-bit hashes, little-endian
)
"""


def _measure_digest(measure: str) -> str:
    return hashlib.sha256(measure.encode()).hexdigest()


def _pack(persons: frozenset[int]) -> bytes:
    values = array("Q", sorted(persons))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def _unpack(blob: bytes) -> frozenset[int]:
    values = array("Q")
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return frozenset(values)


def history_path(settings: Settings, permit_id: str) -> Path:
    """Where the SPE keeps what ``permit_id``'s sessions have released."""
    return settings.home / "spe" / f"{check_name('permit', permit_id)}.releases.sqlite"


def forget_ended(settings: Settings) -> list[str]:
    """Delete the release history of every expired or revoked permit; the ids whose file went.

    The history is derived from the permit's pseudonyms, so it ends with the permit.
    """
    with unit_of_work(settings) as store:
        ended = sorted(a.application_id for a in store.list_applications(ENDED))
    forgotten = []
    for permit_id in ended:
        path = history_path(settings, permit_id)
        if path.exists():
            path.unlink()
            forgotten.append(permit_id)
    return forgotten


class ReleaseLog:
    """One permit's release history on disk; use as a context manager around one session."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con: sqlite3.Connection | None = None

    def __enter__(self) -> ReleaseLog:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.touch(mode=0o600, exist_ok=True)
        self.path.chmod(0o600)
        con = sqlite3.connect(self.path, isolation_level=None, timeout=60.0)
        try:
            con.execute(_SCHEMA)
            con.execute("BEGIN IMMEDIATE")  # held until __exit__: one session of the permit at a time
        except BaseException:
            con.close()
            raise
        self._con = con
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        con, self._con = self._con, None
        if con is None:
            return
        try:
            con.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            con.close()

    def _connection(self) -> sqlite3.Connection:
        if self._con is None:
            raise RuntimeError("a ReleaseLog is used inside its with block")
        return self._con

    def history(self, min_persons: int) -> ReleaseHistory:
        """The permit's history, each measure read from the file when first needed."""
        return ReleaseHistory(min_persons, load=self._load)

    def _load(self, measure: str) -> Iterator[Released]:
        rows = self._connection().execute(
            "SELECT persons FROM released WHERE measure = ?", (_measure_digest(measure),)
        )
        for (blob,) in rows.fetchall():
            yield Released(measure, _unpack(blob))

    def save(self, history: ReleaseHistory) -> int:
        """Add the releases ``history`` made in this session; returns how many were new here."""
        con = self._connection()
        added = 0
        for cell in history.new:
            blob = _pack(cell.persons)
            measure = _measure_digest(cell.measure)
            digest = hashlib.sha256(measure.encode() + b"\0" + blob).hexdigest()
            cursor = con.execute("INSERT OR IGNORE INTO released VALUES (?, ?, ?)", (digest, measure, blob))
            added += cursor.rowcount
        return added
