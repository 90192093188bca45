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

For the linked check (``spe.linked``) the file also indexes each person's releases
(``members``) and keeps, per release, its *component*: the releases of the same measure that
chains of shared persons link it to (merged as releases arrive, union-find style). A check
looks up only the new cell's persons, learns which components they touch and how large
those are, and reads only those releases' sets: the cost follows the cell and its component,
not the whole history. The index is exact (no sketch): a component is never missed.
The pair-only measure (``spe.differencing.PAIR_MEASURE``, every count-like cell) is not in
that index: its check reads the releases of about the cell's size (``near``), by an index on
measure and size.

Known limit: every released cell's set is kept, so the file grows with the number of
distinct released cells times their size (8 bytes per person in the set, and about 20 more
in the index; see SECURITY.md for measured sizes); identical releases are kept once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

import numpy as np

from catalog.db.gateway import unit_of_work
from catalog.permits.lifecycle import ENDED
from common.layout import check_name
from common.settings import Settings
from spe.differencing import PAIR_MEASURE, ReleaseHistory
from spe.linked import Persons

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS released (
    digest TEXT PRIMARY KEY,   -- SHA-256 of measure and persons: each release kept once
    measure TEXT NOT NULL,     -- SHA-256 of the measure, which can quote the researcher's SQL
    persons BLOB NOT NULL      -- sorted unsigned 64-bit hashes, little-endian
)
""",
    # The pair-only measure's check reads the releases of about a cell's size (8 bytes a person).
    "CREATE INDEX IF NOT EXISTS released_size ON released (measure, length(persons))",
    # The index of the linked check (added in place to older files by ``_index_all``): each
    # person's releases, and per release its component (the smallest rowid of the releases
    # of the measure that chains of shared persons link it to).
    """
CREATE TABLE IF NOT EXISTS members (
    measure INTEGER NOT NULL,  -- rowid of the measure in ``measures``
    person INTEGER NOT NULL,   -- the 64-bit hash as a signed integer
    release INTEGER NOT NULL,  -- rowid in ``released``
    PRIMARY KEY (measure, person, release)
) WITHOUT ROWID
""",
    "CREATE TABLE IF NOT EXISTS measures (id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE)",
)


def _measure_digest(measure: str) -> str:
    return hashlib.sha256(measure.encode()).hexdigest()


_PAIR_DIGEST = _measure_digest(PAIR_MEASURE)


def _pack(persons: Persons) -> bytes:
    return persons.astype("<u8").tobytes()


def _release_digest(measure_digest: str, blob: bytes) -> str:
    return hashlib.sha256(measure_digest.encode() + b"\0" + blob).hexdigest()


def _unpack(blob: bytes) -> Persons:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


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
        # Per measure and person array (kept alive with it): the components it touches. One
        # session asks again and again about the same cells; each probe costs a pass over
        # the array.
        self._touching: dict[tuple[int, int], tuple[Persons, list[int]]] = {}

    def __enter__(self) -> ReleaseLog:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.touch(mode=0o600, exist_ok=True)
        self.path.chmod(0o600)
        con = sqlite3.connect(self.path, isolation_level=None, timeout=60.0)
        try:
            con.execute("BEGIN IMMEDIATE")  # held until __exit__: one session of the permit at a time
            for statement in _SCHEMA:
                con.execute(statement)
            _index_all(con)
            con.execute("CREATE TEMP TABLE IF NOT EXISTS probe (person INTEGER PRIMARY KEY)")
        except BaseException:
            con.close()
            raise
        self._con = con
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        con, self._con = self._con, None
        self._touching.clear()
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
        """The permit's history; the linked check reads the file through ``linked``."""
        return ReleaseHistory(min_persons, store=self)

    def linked(
        self, measure: str, persons: Sequence[Persons], known: set[int], limit: int
    ) -> dict[int, Persons] | None:
        """The stored releases of ``measure`` in the components that the person arrays
        ``persons`` touch, by rowid, less ``known``; None when more than ``limit`` (then
        nothing is read)."""
        con = self._connection()
        key = _measure_key(con, _measure_digest(measure), create=False)
        if key is None:
            return {}
        components = sorted(set().union(*(self._components(con, key, array) for array in persons)))
        if not components:
            return {}
        marks = ",".join("?" * len(components))
        (count,) = con.execute(
            f"SELECT count(*) FROM released WHERE component IN ({marks})", components
        ).fetchone()
        if count - len(known) > limit:
            return None
        rows = con.execute(f"SELECT rowid, persons FROM released WHERE component IN ({marks})", components)
        found = {rowid: _unpack(blob) for rowid, blob in rows.fetchall() if rowid not in known}
        return found if len(found) <= limit else None

    def _components(self, con: sqlite3.Connection, key: int, persons: Persons) -> list[int]:
        known = self._touching.get((key, id(persons)))
        if known is not None and known[0] is persons:
            return known[1]
        found = _components_touching(con, key, persons)
        self._touching[key, id(persons)] = (persons, found)
        return found

    def holds(self, measure: str, persons: Persons) -> bool:
        """Whether this very release (``measure`` over exactly ``persons``) is stored."""
        digest = _release_digest(_measure_digest(measure), _pack(persons))
        row = self._connection().execute("SELECT 1 FROM released WHERE digest = ?", (digest,)).fetchone()
        return row is not None

    def near(self, measure: str, size: int, spread: int) -> Iterator[Persons]:
        """The stored releases of ``measure`` of ``size - spread`` to ``size + spread`` persons."""
        rows = self._connection().execute(
            "SELECT persons FROM released WHERE measure = ? AND length(persons) BETWEEN ? AND ?",
            (_measure_digest(measure), 8 * (size - spread), 8 * (size + spread)),
        )
        for (blob,) in rows:
            yield _unpack(blob)

    def save(self, history: ReleaseHistory) -> int:
        """Add the releases ``history`` made in this session; returns how many were new here."""
        con = self._connection()
        added = 0
        for cell in history.new:
            persons = cell.array
            blob = _pack(persons)
            measure = _measure_digest(cell.measure)
            digest = _release_digest(measure, blob)
            cursor = con.execute(
                "INSERT OR IGNORE INTO released (digest, measure, persons) VALUES (?, ?, ?)",
                (digest, measure, blob),
            )
            if cursor.rowcount:
                added += 1
                if measure != _PAIR_DIGEST:
                    _index_one(con, cursor.lastrowid or 0, measure, persons)
        return added


def _signed(persons: Persons) -> list[int]:
    return list(persons.view(np.int64).tolist())


def _measure_key(con: sqlite3.Connection, digest: str, *, create: bool) -> int | None:
    if create:
        con.execute("INSERT OR IGNORE INTO measures (digest) VALUES (?)", (digest,))
    row = con.execute("SELECT id FROM measures WHERE digest = ?", (digest,)).fetchone()
    return None if row is None else int(row[0])


def _components_touching(con: sqlite3.Connection, key: int, persons: Persons) -> list[int]:
    """The components of the stored releases of one measure sharing a person with ``persons``."""
    con.execute("DELETE FROM probe")
    # One statement with the persons as a JSON array: several times cheaper than a row each.
    con.execute("INSERT OR IGNORE INTO probe SELECT value FROM json_each(?)", (json.dumps(_signed(persons)),))
    rows = con.execute(
        "SELECT DISTINCT r.component FROM probe p "
        "JOIN members m ON m.measure = ? AND m.person = p.person "
        "JOIN released r ON r.rowid = m.release",
        (key,),
    )
    return sorted(int(c) for (c,) in rows.fetchall())


def _index_one(con: sqlite3.Connection, rowid: int, measure: str, persons: Persons) -> None:
    """Index a new release: its persons, and its component joined with those it touches."""
    key = _measure_key(con, measure, create=True)
    assert key is not None
    touched = _components_touching(con, key, persons)
    component = min([rowid, *touched])
    if touched:
        marks = ",".join("?" * len(touched))
        con.execute(f"UPDATE released SET component = ? WHERE component IN ({marks})", [component, *touched])
    con.execute("UPDATE released SET component = ? WHERE rowid = ?", (component, rowid))
    # The probe holds the release's persons now: one statement, no Python row per person.
    con.execute("INSERT OR IGNORE INTO members SELECT ?, person, ? FROM probe", (key, rowid))


def _index_all(con: sqlite3.Connection) -> None:
    """Bring a file written before the linked check up to date (its releases indexed in order)."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(released)")}
    if "component" not in columns:
        con.execute("ALTER TABLE released ADD COLUMN component INTEGER")
        con.execute("CREATE INDEX IF NOT EXISTS released_component ON released (component)")
        con.execute("CREATE TEMP TABLE IF NOT EXISTS probe (person INTEGER PRIMARY KEY)")
        rows = con.execute("SELECT rowid, measure, persons FROM released ORDER BY rowid").fetchall()
        for rowid, measure, blob in rows:
            if measure != _PAIR_DIGEST:
                _index_one(con, rowid, measure, _unpack(blob))
