"""Landing extracts for every source, deterministic per seed, written chunk by chunk.

``generate`` writes ``<source>.csv`` for each source straight into ``out`` (the delivery
the pipeline reads), a Parquet copy of each under ``out/parquet/``, the ground truth for
tests under ``out/truth/`` (PII spans of the clinical notes and, with ``faults``, the
planted faults), and ``manifest.json`` (files, rows, SHA-256, schema version, seed).

People are generated in fixed chunks of ``CHUNK_PEOPLE`` with random streams derived from
(seed, chunk), so memory stays bounded at any size and the same arguments give the same
bytes on any machine. Within a chunk everything is vectorised (NumPy and Arrow).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from common import progress
from common.layout import LAKE_SOURCES, Source
from common.schemas import SCHEMA_VERSION
from synthetic.care import claims_rows, claims_table, pharmacy_table
from synthetic.faults import Fault, patch_lines, plant
from synthetic.hospital import lab_table, stays
from synthetic.notes import notes
from synthetic.population import make_people, make_pids, population_table
from synthetic.wellness import optout_table, wellness_table

MANIFEST = "manifest.json"
PARQUET_DIR = "parquet"
TRUTH_DIR = "truth"
PII_TRUTH = "clinical_notes_pii.csv"
FAULTS_TRUTH = "faults.csv"
CHUNK_PEOPLE = 50_000
# Every extract of a delivery; the order also seeds the fault streams (same bytes per seed).
SOURCES = (*LAKE_SOURCES, Source.OPTOUT)
_STREAMS = ("people", "claims", "claims_fmt", "pharmacy", "stays", "labs", "notes", "wellness")


@dataclass(frozen=True)
class GeneratedFile:
    source: Source
    path: Path
    rows: int


class _Sink:
    """One CSV file (and its Parquet copy) written a chunk at a time, hashed on the way."""

    def __init__(self, path: Path, parquet: Path | None) -> None:
        self.path, self.parquet_path = path, parquet
        self.rows = 0
        self._digest = hashlib.sha256()
        self._csv = path.open("wb")
        self._parquet: pq.ParquetWriter | None = None

    def write(self, table: pa.Table, faults: list[Fault] | None = None) -> None:
        buffer = pa.BufferOutputStream()
        options = pacsv.WriteOptions(include_header=self._csv.tell() == 0, quoting_style="needed")
        pacsv.write_csv(table, buffer, write_options=options)
        written = buffer.getvalue()
        data = memoryview(patch_lines(written.to_pybytes(), faults) if faults else written)
        self._csv.write(data)
        self._digest.update(data)
        if self.parquet_path is not None:
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.parquet_path, table.schema, compression="zstd")
            self._parquet.write_table(table)
        self.rows += table.num_rows

    def close(self) -> dict[str, object]:
        self._csv.close()
        entry: dict[str, object] = {
            "file": self.path.name,
            "rows": self.rows,
            "sha256": self._digest.hexdigest(),
        }
        if self._parquet is not None:
            self._parquet.close()
        if self.parquet_path is not None and self.parquet_path.exists():
            entry["parquet"] = f"{PARQUET_DIR}/{self.parquet_path.name}"
            entry["parquet_sha256"] = hashlib.sha256(self.parquet_path.read_bytes()).hexdigest()
        return entry


def _streams(seed: int, chunk: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence([seed, 1, chunk]).spawn(len(_STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(_STREAMS, children, strict=True)}


def _write_faults(path: Path, faults: list[Fault]) -> None:
    table = pa.table(
        {
            "file": pa.array([f.file for f in faults], pa.string()),
            "line": pa.array([str(f.line) for f in faults], pa.string()),
            "kind": pa.array([f.kind.value for f in faults], pa.string()),
            "column": pa.array([f.column for f in faults], pa.string()),
            "detail": pa.array([f.detail for f in faults], pa.string()),
        }
    )
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


# Long on purpose: the chunk loop writes all eight extracts in step, so one seed gives the
# same bytes whatever the chunk size; the steps share the loop's state.
def generate(
    out: Path,
    people: int,
    seed: int,
    *,
    optout_share: float = 0.02,
    start: date = date(2025, 1, 1),
    days: int = 365,
    faults: bool = False,
    faults_per_kind: int = 3,
    parquet: bool = True,
) -> list[GeneratedFile]:
    """Write the landing extracts for ``people`` persons into ``out``; same arguments, same bytes.

    Without ``faults`` every row is valid; with it, the rows listed in
    ``truth/faults.csv`` are spoiled as documented in ``synthetic.faults``.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    if days < 1:
        raise ValueError("days must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    (out / TRUTH_DIR).mkdir(exist_ok=True)
    if parquet:
        (out / PARQUET_DIR).mkdir(exist_ok=True)
    pids = make_pids(np.random.default_rng([seed, 0]), people)
    sinks = {
        s: _Sink(out / f"{s.value}.csv", out / PARQUET_DIR / f"{s.value}.parquet" if parquet else None)
        for s in SOURCES
    }
    pii = _Sink(out / TRUTH_DIR / PII_TRUTH, None)
    planted: list[Fault] = []
    next_id = {s: 1 for s in SOURCES}

    def emit(source: Source, table: pa.Table, chunk: int) -> None:
        next_id[source] += table.num_rows
        chunk_faults: list[Fault] = []
        if faults and chunk == 0:
            fault_rng = np.random.default_rng([seed, 3, SOURCES.index(source)])
            table, chunk_faults = plant(fault_rng, source, table, f"{source.value}.csv", faults_per_kind)
            planted.extend(chunk_faults)
        sinks[source].write(table, chunk_faults)

    chunks = (people + CHUNK_PEOPLE - 1) // CHUNK_PEOPLE
    try:
        for chunk in range(chunks):
            with progress.step("generate", f"chunk {chunk + 1}/{chunks}") as done:
                before = sum(sink.rows for sink in sinks.values())
                rng = _streams(seed, chunk)
                group = make_people(
                    rng["people"],
                    pids[chunk * CHUNK_PEOPLE : (chunk + 1) * CHUNK_PEOPLE],
                    start,
                    days,
                    people,
                )
                emit(Source.POPULATION, population_table(group, start), chunk)
                rows = claims_rows(rng["claims"], group, start, days)
                emit(Source.CLAIMS, claims_table(rng["claims_fmt"], group, rows, start), chunk)
                emit(
                    Source.PHARMACY,
                    pharmacy_table(rng["pharmacy"], group, start, days, next_id[Source.PHARMACY]),
                    chunk,
                )
                hospital = stays(rng["stays"], group, start, days, next_id[Source.HOSPITAL_STAYS])
                emit(Source.HOSPITAL_STAYS, hospital.table, chunk)
                emit(
                    Source.LAB_RESULTS,
                    lab_table(rng["labs"], group, hospital, start, days, next_id[Source.LAB_RESULTS]),
                    chunk,
                )
                written = notes(rng["notes"], group, hospital, start, next_id[Source.CLINICAL_NOTES])
                emit(Source.CLINICAL_NOTES, written.table, chunk)
                pii.write(written.spans)
                emit(Source.WELLNESS, wellness_table(rng["wellness"], group, start, days), chunk)
                done.rows = sum(sink.rows for sink in sinks.values()) - before
        emit(Source.OPTOUT, optout_table(np.random.default_rng([seed, 2]), pids, start, optout_share), 0)
    finally:
        entries = {s: sink.close() for s, sink in sinks.items()}
        pii_entry = pii.close()
    truth = [{**pii_entry, "file": f"{TRUTH_DIR}/{PII_TRUTH}"}]
    if faults:
        planted.sort(key=lambda f: (f.file, f.line))
        _write_faults(out / TRUTH_DIR / FAULTS_TRUTH, planted)
        path = out / TRUTH_DIR / FAULTS_TRUTH
        truth.append(
            {
                "file": f"{TRUTH_DIR}/{FAULTS_TRUTH}",
                "rows": len(planted),
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "seed": seed,
        "people": people,
        "start": start.isoformat(),
        "days": days,
        "faults": faults,
        "files": [{"source": s.value, **entries[s]} for s in SOURCES],
        "truth": truth,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return [GeneratedFile(s, sinks[s].path, sinks[s].rows) for s in SOURCES]
