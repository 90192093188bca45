"""The tables the generator draws from: the shared code lists (``common.reference``) and its
own frequency tables (``synthetic/tables/*.csv``: age and sex structure, first and last
names, street names).

The extra columns of the code lists (age and sex limits, weights, season, cohort,
distributions) drive the generator's frequencies; see ``synthetic/README.md``.
"""

from __future__ import annotations

from functools import cache

from common import reference
from common.reference import RefTable, read_table

OWN_TABLES = ("age_sex", "names", "streets")
TABLES = (*reference.TABLES, *OWN_TABLES)

__all__ = ["OWN_TABLES", "TABLES", "RefTable", "load"]


@cache
def load(name: str) -> RefTable:
    """The table ``name`` (one of ``TABLES``), read once per process."""
    if name in OWN_TABLES:
        return read_table("synthetic.tables", name)
    return reference.load(name)
