"""Looking for values in every file under a folder, the way an auditor would.

Parquet files are compressed, so they are read with pyarrow and every string value is
compared; every other file (Delta log JSON, checkpoints' sidecars, CRCs) is searched as
bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

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
