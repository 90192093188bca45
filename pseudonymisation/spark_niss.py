"""A vectorised detector of Belgian national register and BIS numbers for Spark.

``contains_niss(col)`` is a boolean Column expression, evaluated in the JVM with no
Python UDF: ``regexp_extract_all`` finds every candidate in the usual formats (the
pattern ``pseudonymisation.niss.NISS_CANDIDATE``, shared with the Presidio recogniser),
``transform`` strips separators, and ``exists`` checks each candidate with bigint
arithmetic: the mod-97 check digits under the pre-2000 and the post-2000 rule (a ``2``
before the nine digits), the register and BIS month ranges (0-12, 20-32, 40-52; 00 for an
unknown month), day 00-31 and serial not 000. It agrees with
``pseudonymisation.niss.contains_niss`` (tested on generated samples).

Typical use in the bronze quarantine::

    leaks = any_column_contains_niss(df, string_columns(df))
    df.withColumn("_reject_reason", F.when(leaks, F.lit("niss_leak")))

The number itself never becomes a column: only the boolean (or the names of the columns
that leak, ``columns_with_niss``) leaves these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pseudonymisation.niss import MONTH_RANGES, NISS_CANDIDATE, POST_2000_PREFIX

# Joins columns for one scan per row: neither a digit nor an allowed separator, so no
# number can straddle two columns.
_COLUMN_JOINER = "|"


def _as_column(col: Column | str) -> Column:
    return F.col(col) if isinstance(col, str) else col


def valid_niss_digits(digits: Column) -> Column:
    """True when an 11-digit string column holds a valid number (checksum and month/day
    rules); the Spark twin of ``is_valid_niss`` on digits only."""
    base = F.substring(digits, 1, 9).cast("bigint")
    check = F.substring(digits, 10, 2).cast("bigint")
    month = F.substring(digits, 3, 2).cast("int")
    day = F.substring(digits, 5, 2).cast("int")
    serial = F.substring(digits, 7, 3).cast("int")
    month_ok = F.lit(False)
    for low, high in MONTH_RANGES:
        month_ok = month_ok | month.between(low, high)
    pre_2000 = (F.lit(97) - F.pmod(base, F.lit(97))) == check
    post_2000 = (F.lit(97) - F.pmod(base + F.lit(POST_2000_PREFIX).cast("bigint"), F.lit(97))) == check
    return (
        (F.length(digits) == 11) & month_ok & (day <= 31) & (serial != 0) & (pre_2000 | post_2000)
    )


def contains_niss(col: Column | str) -> Column:
    """A boolean column: the string holds at least one valid national register or BIS
    number in a usual format. Null gives False."""
    candidates = F.regexp_extract_all(_as_column(col), F.lit(NISS_CANDIDATE), 0)
    digits = F.transform(candidates, lambda c: F.regexp_replace(c, "[^0-9]", ""))
    return F.coalesce(F.exists(digits, valid_niss_digits), F.lit(False))


def string_columns(df: DataFrame) -> list[str]:
    """The names of ``df``'s string columns (every column of a bronze extract)."""
    return [f.name for f in df.schema.fields if isinstance(f.dataType, T.StringType)]


def any_column_contains_niss(df: DataFrame, columns: Sequence[str] | None = None) -> Column:
    """A boolean column: some of ``columns`` (default: every string column) holds a valid
    number. One regular-expression scan per row over the joined columns."""
    names = list(columns) if columns is not None else string_columns(df)
    if not names:
        return F.lit(False)
    joined = F.concat_ws(_COLUMN_JOINER, *[df[name].cast("string") for name in names])
    return contains_niss(joined)


def columns_with_niss(df: DataFrame, columns: Sequence[str] | None = None) -> Column:
    """An array column of the names of the columns that hold a valid number (empty when
    none): a quarantine reason can name the column, never the value."""
    names = list(columns) if columns is not None else string_columns(df)
    flagged = [F.when(contains_niss(df[name].cast("string")), F.lit(name)) for name in names]
    if not flagged:
        return F.array().cast("array<string>")
    return F.filter(F.array(*flagged), lambda name: name.isNotNull())


__all__ = ["any_column_contains_niss", "columns_with_niss", "contains_niss", "string_columns",
           "valid_niss_digits"]
