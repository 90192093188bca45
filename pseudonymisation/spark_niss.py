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

    leaks = any_column_contains_niss(df, string_columns(df), exact=["pid"])
    df.withColumn("_reject_reason", F.when(leaks, F.lit("niss_leak")))

The number itself never becomes a column: only the boolean (or the names of the columns
that leak, ``columns_with_niss``) leaves these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pseudonymisation.niss import MONTH_RANGES, NISS_CANDIDATE, NISS_WHOLE, POST_2000_PREFIX

# Joins columns for one scan per row: neither a digit nor an allowed separator, so no
# number can straddle two columns.
_COLUMN_JOINER = "|"


def _as_column(col: Column | str) -> Column:
    return F.col(col) if isinstance(col, str) else col


def valid_niss_digits(digits: Column) -> Column:
    """True when an 11-digit string column holds a valid number (checksum and month/day
    rules); the Spark twin of ``is_valid_niss`` on digits only. Casts are ``try_cast``: an
    ANSI cast error would quote the offending value in its message."""
    base = F.substring(digits, 1, 9).try_cast("bigint")
    check = F.substring(digits, 10, 2).try_cast("bigint")
    month = F.substring(digits, 3, 2).try_cast("int")
    day = F.substring(digits, 5, 2).try_cast("int")
    serial = F.substring(digits, 7, 3).try_cast("int")
    month_ok = F.lit(False)
    for low, high in MONTH_RANGES:
        month_ok = month_ok | month.between(low, high)
    pre_2000 = (F.lit(97) - F.pmod(base, F.lit(97))) == check
    post_2000 = (F.lit(97) - F.pmod(base + F.lit(POST_2000_PREFIX).try_cast("bigint"), F.lit(97))) == check
    return (F.length(digits) == 11) & month_ok & (day <= 31) & (serial != 0) & (pre_2000 | post_2000)


def contains_niss(col: Column | str) -> Column:
    """A boolean column: the string holds at least one valid national register or BIS
    number in a usual format. Null gives False."""
    candidates = F.regexp_extract_all(_as_column(col), F.lit(NISS_CANDIDATE), 0)
    digits = F.transform(candidates, lambda c: F.regexp_replace(c, "[^0-9]", ""))
    return F.coalesce(F.exists(digits, valid_niss_digits), F.lit(False))


def is_niss(col: Column | str) -> Column:
    """A boolean column: the whole value (white space around it allowed) is one valid
    number. For identifier columns such as the TTP ``pid``, where a number *inside* a
    longer opaque token is chance, not a leak (about 2 in 100,000 random 16-hex-digit
    tokens hold a valid 11-digit run)."""
    value = _as_column(col)
    digits = F.regexp_replace(value, "[^0-9]", "")
    return F.coalesce(value.rlike(NISS_WHOLE) & valid_niss_digits(digits), F.lit(False))


def string_columns(df: DataFrame) -> list[str]:
    """The names of ``df``'s string columns (every column of a bronze extract)."""
    return [f.name for f in df.schema.fields if isinstance(f.dataType, T.StringType)]


def any_column_contains_niss(
    df: DataFrame, columns: Sequence[str] | None = None, *, exact: Sequence[str] = ()
) -> Column:
    """A boolean column: some of ``columns`` (default: every string column) holds a valid
    number; columns named in ``exact`` (such as ``pid``) count only when their whole value
    is one. One regular-expression scan per row over the other columns joined."""
    names = list(columns) if columns is not None else string_columns(df)
    free = [n for n in names if n not in exact]
    result = F.lit(False)
    if free:
        joined = F.concat_ws(_COLUMN_JOINER, *[df[name].cast("string") for name in free])
        result = contains_niss(joined)
    for name in exact:
        result = result | is_niss(df[name].cast("string"))
    return result


def columns_with_niss(
    df: DataFrame, columns: Sequence[str] | None = None, *, exact: Sequence[str] = ()
) -> Column:
    """An array column of the names of the columns that hold a valid number (empty when
    none; ``exact`` as in ``any_column_contains_niss``): a quarantine reason can name the
    column, never the value."""
    names = list(columns) if columns is not None else string_columns(df)
    names += [n for n in exact if n not in names]
    flagged = [
        F.when((is_niss if name in exact else contains_niss)(df[name].cast("string")), F.lit(name))
        for name in names
    ]
    if not flagged:
        return F.array().cast("array<string>")
    return F.filter(F.array(*flagged), lambda name: name.isNotNull())


__all__ = [
    "any_column_contains_niss",
    "columns_with_niss",
    "contains_niss",
    "is_niss",
    "string_columns",
    "valid_niss_digits",
]
