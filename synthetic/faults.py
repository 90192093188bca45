"""Planted faults: a documented mix of bad rows in every extract, listed in a manifest.

With ``--faults`` the generator spoils chosen rows of the first chunk of each extract
(the first 50,000 people) and lists every fault as (file, line, kind, column, detail);
line 1 is the header, so the row at index ``i`` is on line ``i + 2``. Faulted rows sit at
odd row indices only and are distinct, so a duplicate always copies the clean row just
above it. Which kinds go into which file is ``PLAN`` below (see ``synthetic/README.md``).
When a file has too few rows for the whole plan, fewer faults of each kind are planted,
down to the first plan entries that fit.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import pyarrow as pa

from common.layout import Source
from common.schemas import SCHEMAS
from synthetic.notes import niss_numbers


class FaultKind(StrEnum):
    MALFORMED_DATE = "malformed_date"  # not YYYY-MM-DD (or not ISO 8601 for timestamps)
    IMPOSSIBLE_DATE = "impossible_date"  # well formed, but no such calendar day
    UNKNOWN_CODE = "unknown_code"  # not in the reference table or the allowed values
    NEGATIVE_AMOUNT = "negative_amount"  # an amount or a count below zero
    DUPLICATE_KEY = "duplicate_key"  # the key (or, without a key, the whole row) of the line above
    DISCHARGE_BEFORE_ADMISSION = "discharge_before_admission"
    WRONG_COLUMN_COUNT = "wrong_column_count"  # one field too few or too many
    NON_UTF8 = "non_utf8"  # the line is Latin-1, not UTF-8
    NISS_IN_FREE_FIELD = "niss_in_free_field"  # a raw national number with valid check digits


K = FaultKind
PLAN: dict[Source, tuple[tuple[FaultKind, str], ...]] = {
    Source.POPULATION: (
        (K.MALFORMED_DATE, "death_date"),
        (K.IMPOSSIBLE_DATE, "death_date"),
        (K.UNKNOWN_CODE, "postcode"),
        (K.DUPLICATE_KEY, "pid"),
        (K.WRONG_COLUMN_COUNT, ""),
        (K.NON_UTF8, "arrondissement"),
    ),
    Source.CLAIMS: (
        (K.MALFORMED_DATE, "service_date"),
        (K.IMPOSSIBLE_DATE, "service_date"),
        (K.UNKNOWN_CODE, "nomenclature_code"),
        (K.NEGATIVE_AMOUNT, "amount_reimbursed"),
        (K.DUPLICATE_KEY, ""),
        (K.WRONG_COLUMN_COUNT, ""),
        (K.NON_UTF8, "provider_type"),
        (K.NISS_IN_FREE_FIELD, "institution_id"),
    ),
    Source.PHARMACY: (
        (K.MALFORMED_DATE, "delivery_date"),
        (K.IMPOSSIBLE_DATE, "delivery_date"),
        (K.UNKNOWN_CODE, "cnk_code"),
        (K.UNKNOWN_CODE, "atc_code"),
        (K.NEGATIVE_AMOUNT, "amount_copay"),
        (K.DUPLICATE_KEY, "delivery_id"),
        (K.WRONG_COLUMN_COUNT, ""),
        (K.NON_UTF8, "pharmacy_id"),
        (K.NISS_IN_FREE_FIELD, "prescriber_id"),
    ),
    Source.HOSPITAL_STAYS: (
        (K.MALFORMED_DATE, "admission_date"),
        (K.IMPOSSIBLE_DATE, "discharge_date"),
        (K.UNKNOWN_CODE, "main_diagnosis"),
        (K.DUPLICATE_KEY, "stay_id"),
        (K.DISCHARGE_BEFORE_ADMISSION, "discharge_date"),
        (K.WRONG_COLUMN_COUNT, ""),
        (K.NON_UTF8, "stay_type"),
        (K.NISS_IN_FREE_FIELD, "secondary_diagnoses"),
    ),
    Source.LAB_RESULTS: (
        (K.MALFORMED_DATE, "sample_date"),
        (K.IMPOSSIBLE_DATE, "sample_date"),
        (K.UNKNOWN_CODE, "loinc_code"),
        (K.DUPLICATE_KEY, "result_id"),
        (K.WRONG_COLUMN_COUNT, ""),
        (K.NON_UTF8, "comment"),
        (K.NISS_IN_FREE_FIELD, "comment"),
    ),
    Source.CLINICAL_NOTES: (
        (K.MALFORMED_DATE, "note_date"),
        (K.IMPOSSIBLE_DATE, "note_date"),
        (K.UNKNOWN_CODE, "language"),
        (K.DUPLICATE_KEY, "note_id"),
        (K.WRONG_COLUMN_COUNT, ""),
        (K.NON_UTF8, "text"),
    ),
    Source.WELLNESS: (
        (K.MALFORMED_DATE, "day"),
        (K.IMPOSSIBLE_DATE, "day"),
        (K.NEGATIVE_AMOUNT, "steps"),
        (K.DUPLICATE_KEY, "pid+day"),
        (K.WRONG_COLUMN_COUNT, ""),
        (K.NON_UTF8, "source_app"),
        (K.NISS_IN_FREE_FIELD, "source_app"),
    ),
    Source.OPTOUT: (
        (K.MALFORMED_DATE, "event_time"),
        (K.IMPOSSIBLE_DATE, "event_time"),
        (K.UNKNOWN_CODE, "channel"),
        (K.DUPLICATE_KEY, ""),
        (K.WRONG_COLUMN_COUNT, ""),
        (K.NON_UTF8, "channel"),
    ),
}
_MALFORMED = ["14/03/2025", "2025-3-4", "20250304", "4 March 2025"]
_MALFORMED_TIME = ["28/11/2025 10:00:00", "Nov 28 2025 10:00", "yesterday"]
_IMPOSSIBLE = ["2025-02-30", "2025-04-31", "2025-13-01", "2025-06-00"]
_UNKNOWN = {
    "postcode": ["9999", "0000", "1001"],
    "nomenclature_code": ["999999", "123456", "000000"],
    "cnk_code": ["0000000", "9999999"],
    "atc_code": ["Z99ZZ99", "A10XX99"],
    "main_diagnosis": ["ZZ9.99", "E11.999"],
    "loinc_code": ["99999-9", "0000-0"],
    "language": ["es", "it"],
    "channel": ["fax", "letter"],
}
_NEGATIVE = ["-12.34", "-0.50", "-103.20"]
_LATIN1 = {
    "arrondissement": "Liège",
    "provider_type": "spécialiste",
    "pharmacy_id": "Pharmacie Thérèse",
    "stay_type": "séjour classique",
    "comment": "Hémolyse légère",
    "source_app": "Santé",
    "channel": "téléphone",
}


@dataclass(frozen=True)
class Fault:
    file: str
    line: int
    kind: FaultKind
    column: str
    detail: str = ""


def _day_text(text: str, delta: int) -> str:
    return (date.fromisoformat(text) + timedelta(days=delta)).isoformat()


def plant(
    rng: np.random.Generator, source: Source, table: pa.Table, file: str, per_kind: int
) -> tuple[pa.Table, list[Fault]]:
    """Spoil rows of ``table`` as ``PLAN[source]`` says; returns the table and its faults.

    Faults of kind ``wrong_column_count`` and ``non_utf8`` are finished on the written
    bytes by ``patch_lines``; here they only mark (or prepare) their row.
    """
    plan = PLAN[source]
    slots = table.num_rows // 2  # odd row indices available
    per_kind = min(per_kind, slots // len(plan))
    entries = [(kind, column) for kind, column in plan for _ in range(per_kind)]
    if per_kind == 0:
        entries = list(plan[:slots])
    rows = rng.permutation(np.arange(1, table.num_rows, 2))[: len(entries)]
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    key = SCHEMAS[source].key
    birth = np.datetime64("1950-01-01") + rng.integers(0, 25000, size=len(entries)).astype("timedelta64[D]")
    niss, _ = niss_numbers(birth, rng.random(len(entries)) < 0.5, rng.integers(0, 499, len(entries)))
    faults = []
    for i, ((kind, column), row) in enumerate(zip(entries, rows.tolist(), strict=True)):
        detail = ""
        if kind is K.MALFORMED_DATE:
            pool = _MALFORMED_TIME if column == "event_time" else _MALFORMED
            columns[column][row] = pool[i % len(pool)]
        elif kind is K.IMPOSSIBLE_DATE:
            value = _IMPOSSIBLE[i % len(_IMPOSSIBLE)]
            columns[column][row] = value + "T10:00:00Z" if column == "event_time" else value
        elif kind is K.UNKNOWN_CODE:
            pool = _UNKNOWN[column]
            columns[column][row] = pool[i % len(pool)]
        elif kind is K.NEGATIVE_AMOUNT:
            columns[column][row] = "-1200" if column == "steps" else _NEGATIVE[i % len(_NEGATIVE)]
        elif kind is K.DUPLICATE_KEY:
            for name in key or table.column_names:
                columns[name][row] = columns[name][row - 1]
            column = "+".join(key)
            detail = f"same {column or 'row'} as line {row + 1}"
        elif kind is K.DISCHARGE_BEFORE_ADMISSION:
            columns[column][row] = _day_text(columns["admission_date"][row], -1 - i % 5)
        elif kind is K.NON_UTF8:
            columns[column][row] = (
                columns[column][row] + " (vérifié)" if column == "text" else _LATIN1[column]
            )
        elif kind is K.NISS_IN_FREE_FIELD:
            columns[column][row] = niss[i].as_py()
        faults.append(Fault(file, row + 2, kind, column, detail))
    spoiled = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return spoiled, sorted(faults, key=lambda f: f.line)


def patch_lines(data: bytes, faults: list[Fault]) -> bytes:
    """Finish the byte-level faults on the CSV text of the chunk that holds them."""
    todo = {f.line: f.kind for f in faults if f.kind in (K.WRONG_COLUMN_COUNT, K.NON_UTF8)}
    if not todo:
        return data
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    starts = np.concatenate([[0], ends[:-1] + 1])
    out, pos = [], 0
    for number, kind in sorted(todo.items()):
        begin, end = int(starts[number - 1]), int(ends[number - 1])
        line = data[begin:end].decode("utf-8")
        if kind is K.NON_UTF8:
            patched = line.encode("latin-1", errors="replace")
        else:
            fields = next(csv.reader([line]))
            fields = fields[:-1] if number % 4 < 2 else [*fields, "extra"]
            buffer = io.StringIO()
            csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="").writerow(fields)
            patched = buffer.getvalue().encode("utf-8")
        out += [data[pos:begin], patched]
        pos = end
    out.append(data[pos:])
    return b"".join(out)
