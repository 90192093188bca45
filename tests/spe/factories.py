"""Plain factories for SPE tests: Delta tables of claims-like rows written with deltalake."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from catalog.db.gateway import unit_of_work
from catalog.demo import approve_indicator
from common.settings import Settings


def write_rows(
    path: Path,
    rows: Iterable[Sequence[object]],
    *,
    columns: Sequence[str] = ("person_id", "kind", "amount", "flag"),
    mode: str = "overwrite",
) -> Path:
    """Write ``rows`` as a Delta table (one commit) and return its path."""
    data = list(rows)
    table = pa.table({name: [r[i] for r in data] for i, name in enumerate(columns)})
    write_deltalake(str(path), table, mode=mode)
    return path


def persons(
    kind: str,
    n: int,
    *,
    start: int = 0,
    amount: float = 10.0,
    flag: bool = False,
    rows_each: int = 1,
    prefix: str = "p",
) -> list[tuple[str, str, float, bool]]:
    """``n`` persons of one kind, each with ``rows_each`` rows of ``amount``."""
    return [(f"{prefix}{start + i}", kind, amount, flag) for i in range(n) for _ in range(rows_each)]


def approved_indicator(settings: Settings, sql: str, description: dict[str, str]) -> str:
    """An indicator of the demo permit that the researcher proposed and both demo stewards
    approved, at the settings' terms; its id."""
    with unit_of_work(settings) as store:
        return approve_indicator(store, settings, sql, description)
