"""The reference code lists shared by the generator, the silver jobs and the quality suites.

Codes are real code-system identifiers (ICD-10-CM, ICD-10-PCS, APR-DRG, ATC, LOINC, NIS
arrondissements and provinces, postcodes, insurer unions) with short FR/NL/EN labels;
nomenclature labels and fees are simplified, and CNK product codes are synthetic (7 digits,
made up for this project). The tables live in ``common/reference_tables/*.csv``; their
first column is the code. Extra columns (age and sex limits, weights, seasons, units and
plausible ranges) drive the generator's frequencies and the quality suites' range checks.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

TABLES = (
    "arrondissements",
    "postcodes",
    "insurers",
    "nomenclature",
    "atc",
    "cnk",
    "icd10cm",
    "icd10pcs",
    "apr_drg",
    "loinc",
)


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


def read_table(package: str, name: str) -> RefTable:
    """The CSV table ``name`` shipped as data of ``package``."""
    text = (files(package) / f"{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    columns = {h: np.array([r[i] for r in body], dtype=str) for i, h in enumerate(header)}
    return RefTable(name, columns)


@cache
def load(name: str) -> RefTable:
    """The reference table ``name`` (one of ``TABLES``), read once per process."""
    if name not in TABLES:
        raise ValueError(f"unknown reference table {name}")
    return read_table("common.reference_tables", name)


@cache
def codes(name: str) -> frozenset[str]:
    """The codes of reference table ``name``."""
    return frozenset(load(name).codes())


@cache
def provinces() -> frozenset[str]:
    """NIS codes of the provinces (and 04000 for the Brussels-Capital Region)."""
    return frozenset(load("arrondissements")["province_code"].tolist())
