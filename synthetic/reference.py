"""The curated reference tables shipped with the generator (``synthetic/tables/*.csv``).

Codes are real code-system identifiers (ICD-10-CM, ICD-10-PCS, APR-DRG, ATC, LOINC, NIS
arrondissements, postcodes) with short FR/NL/EN labels; nomenclature labels and fees are
simplified, and CNK product codes are synthetic (7 digits, made up for this project).
The extra columns (age and sex limits, weights, season, cohort, distributions) drive the
generator's frequencies; see ``synthetic/README.md``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

TABLES = ("age_sex", "arrondissements", "postcodes", "nomenclature", "atc", "cnk", "icd10cm",
          "icd10pcs", "apr_drg", "loinc", "names", "streets")


@dataclass(frozen=True)
class RefTable:
    """One reference table as columns of text; ``num`` and ``int`` convert on demand."""

    name: str
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def __getitem__(self, column: str) -> np.ndarray:
        return self.columns[column]

    def num(self, column: str) -> np.ndarray:
        return self.columns[column].astype(np.float64)

    def int(self, column: str) -> np.ndarray:
        return self.columns[column].astype(np.int64)

    def codes(self) -> set[str]:
        """The first column's values: the codes this table defines."""
        return set(next(iter(self.columns.values())).tolist())


@cache
def load(name: str) -> RefTable:
    """The reference table ``name`` (one of ``TABLES``), read once per process."""
    if name not in TABLES:
        raise ValueError(f"unknown reference table {name}")
    text = (files("synthetic.tables") / f"{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    columns = {h: np.array([r[i] for r in body], dtype=str) for i, h in enumerate(header)}
    return RefTable(name, columns)
