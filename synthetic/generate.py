"""Vectorised generator of landing extracts (NumPy and Arrow; no per-row Python loops).

This first version writes the claims extract and the opt-out feed with a manifest; the
realistic multi-source generator (population, pharmacy, stays, labs, notes, wellness,
planted faults) grows here.
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

from common.layout import Source
from common.schemas import CLAIMS, OPTOUT, SCHEMA_VERSION

MANIFEST = "manifest.json"

# A few real nomenclature codes with skewed frequencies, so group-bys give big and small cells.
_NOMENCLATURE = np.array(["101010", "101032", "102012", "102410", "103132", "475075",
                          "477091", "109012", "148013", "461315"])
_NOMENCLATURE_P = np.array([0.30, 0.20, 0.15, 0.10, 0.08, 0.06, 0.05, 0.03, 0.02, 0.01])
_PROVIDER_TYPES = np.array(["GP", "specialist", "dentist", "physiotherapist", "nurse"])
_PROVIDER_P = np.array([0.45, 0.30, 0.10, 0.10, 0.05])
_CHANNELS = np.array(["online", "phone", "desk"])


@dataclass(frozen=True)
class GeneratedFile:
    source: Source
    path: Path
    rows: int


def _pids(rng: np.random.Generator, people: int) -> np.ndarray:
    # TTP pseudonyms look like opaque 16-hex-digit tokens.
    raw = rng.integers(0, 2**63 - 1, size=people, dtype=np.int64)
    return np.char.mod("%016x", raw).astype(object)


def _claims(rng: np.random.Generator, pids: np.ndarray, start: date, days: int) -> pa.Table:
    per_person = rng.poisson(8, size=len(pids)) + 1
    owner = np.repeat(np.arange(len(pids)), per_person)
    n = len(owner)
    day0 = np.datetime64(start.isoformat(), "D")
    service = day0 + rng.integers(0, days, size=n).astype("timedelta64[D]")
    reimbursed = np.round(rng.gamma(2.0, 20.0, size=n), 2)
    copay = np.round(reimbursed * rng.uniform(0.0, 0.3, size=n), 2)
    supplement = np.where(rng.random(n) < 0.1, np.round(rng.gamma(1.5, 15.0, size=n), 2), 0.0)
    institution = np.where(rng.random(n) < 0.2,
                           np.char.mod("INST%04d", rng.integers(1, 120, size=n)), "")
    columns = {
        "pid": pids[owner],
        "nomenclature_code": rng.choice(_NOMENCLATURE, size=n, p=_NOMENCLATURE_P),
        "service_date": np.datetime_as_string(service, unit="D"),
        "provider_type": rng.choice(_PROVIDER_TYPES, size=n, p=_PROVIDER_P),
        "provider_id": np.char.mod("PRV%05d", rng.integers(1, 5000, size=n)),
        "institution_id": institution,
        "amount_reimbursed": np.char.mod("%.2f", reimbursed),
        "amount_copay": np.char.mod("%.2f", copay),
        "amount_supplement": np.char.mod("%.2f", supplement),
    }
    table = pa.table({name: pa.array(columns[name].astype(str)) for name in CLAIMS.names})
    # Sort by person then date, as the TTP delivers; deterministic for the same seed.
    return table.sort_by([("pid", "ascending"), ("service_date", "ascending")])


def _optouts(rng: np.random.Generator, pids: np.ndarray, start: date, share: float) -> pa.Table:
    chosen = rng.choice(len(pids), size=max(1, int(len(pids) * share)), replace=False)
    chosen.sort()
    n = len(chosen)
    base = np.datetime64(start.isoformat(), "s")
    when = base + rng.integers(0, 365 * 86400, size=n).astype("timedelta64[s]")
    actions = np.full(n, "optout", dtype=object)
    # A few people opt out and later withdraw: they stay in the data.
    withdrawn = rng.random(n) < 0.15
    pid_col = np.concatenate([pids[chosen], pids[chosen][withdrawn]])
    when_col = np.concatenate([when, when[withdrawn] + np.timedelta64(30 * 86400, "s")])
    action_col = np.concatenate([actions, np.full(int(withdrawn.sum()), "withdrawal", dtype=object)])
    channel_col = rng.choice(_CHANNELS, size=len(pid_col), p=[0.7, 0.2, 0.1])
    cols = {
        "pid": pid_col,
        "event_time": np.char.add(np.datetime_as_string(when_col, unit="s"), "Z"),
        "action": action_col,
        "channel": channel_col,
    }
    table = pa.table({name: pa.array(cols[name].astype(str)) for name in OPTOUT.names})
    return table.sort_by([("event_time", "ascending"), ("pid", "ascending")])


def _write_csv(table: pa.Table, path: Path) -> None:
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    pacsv.write_csv(table, path, write_options=options)


def generate(out: Path, people: int, seed: int, *, optout_share: float = 0.02,
             start: date = date(2025, 1, 1), days: int = 365) -> list[GeneratedFile]:
    """Write the landing extracts for ``people`` persons into ``out``; same arguments, same bytes."""
    if people < 1:
        raise ValueError("people must be at least 1")
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    pids = _pids(rng, people)
    tables = {
        Source.CLAIMS: _claims(rng, pids, start, days),
        Source.OPTOUT: _optouts(rng, pids, start, optout_share),
    }
    files = []
    for source, table in tables.items():
        path = out / f"{source.value}.csv"
        _write_csv(table, path)
        files.append(GeneratedFile(source, path, table.num_rows))
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "seed": seed,
        "people": people,
        "files": [
            {"source": f.source.value, "file": f.path.name, "rows": f.rows,
             "sha256": hashlib.sha256(f.path.read_bytes()).hexdigest()}
            for f in files
        ],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return files
