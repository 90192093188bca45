"""Row rules shared by the silver jobs: each returns a reason code column, null when valid.

Rules look at values but reasons never quote them: a quarantine entry says which rule a
row broke, in which file, never what the offending value was.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

REASONS = {
    "leaked_niss": "a field holds a valid national register or BIS number",
    "malformed_row": "row does not split into the schema's columns",
    "invalid_encoding": "a field is not valid UTF-8",
    "missing_pid": "person identifier is empty",
    "invalid_pid": "person identifier is not 1 to 128 letters, digits or _.:-",
    "invalid_date": "date is not a real calendar date in YYYY-MM-DD form",
    "invalid_timestamp": "timestamp is not ISO 8601",
    "invalid_code": "code does not have the expected form",
    "unknown_code": "code is not in the authoritative code list",
    "invalid_amount": "amount is not a number with at most two decimals",
    "negative_amount": "amount is negative",
    "unknown_value": "value is not one of the allowed values",
    "missing_value": "a required field is empty",
    "invalid_number": "number is not written as digits with an optional decimal point",
    "negative_value": "a count or quantity is negative",
    "out_of_range": "value is outside the range it can possibly take",
    "dates_out_of_order": "a date falls before the date it must follow",
    "duplicate_key": "an earlier row of the same file has the same key",
    "delivered_before": "an earlier delivery already brought a row with the same key",
}

_DATE = r"^\d{4}-\d{2}-\d{2}$"
_AMOUNT = r"^-?\d{1,10}(\.\d{1,2})?$"
_INT = r"^-?\d{1,9}$"
_NUMBER = r"^-?\d{1,15}(\.\d{1,15})?$"


def blank(col: str) -> Column:
    return F.col(col).isNull() | (F.trim(F.col(col)) == "")


def as_date(col: str) -> Column:
    """The column as a DATE, null unless it is a real date written YYYY-MM-DD."""
    return F.when(F.col(col).rlike(_DATE), F.expr(f"try_cast({col} AS DATE)"))


def as_timestamp(col: str) -> Column:
    return F.expr(f"try_cast({col} AS TIMESTAMP)")


def as_amount(col: str, kind: str = "decimal(12,2)") -> Column:
    """The column as a decimal of type ``kind``, null unless it is written like ``-12.34``."""
    return F.when(F.col(col).rlike(_AMOUNT), F.expr(f"try_cast({col} AS {kind})"))


def as_int(col: str) -> Column:
    return F.when(F.col(col).rlike(_INT), F.expr(f"try_cast({col} AS INT)"))


def as_double(col: str) -> Column:
    return F.when(F.col(col).rlike(_NUMBER), F.expr(f"try_cast({col} AS DOUBLE)"))


def as_boolean(col: str) -> Column:
    """``true``/``false`` (any case) as a boolean; anything else null."""
    text = F.lower(F.trim(col))
    return F.when(text == "true", F.lit(True)).when(text == "false", F.lit(False))


def bad_encoding(columns: list[str]) -> Column:
    """True where a field holds U+FFFD, which the CSV reader puts for bytes that are not UTF-8."""
    flagged = [F.coalesce(F.col(c).contains("\ufffd"), F.lit(False)) for c in columns]
    result = F.lit(False)
    for flag in flagged:
        result = result | flag
    return result


def first_reason(*checks: tuple[Column, str]) -> Column:
    """The reason code of the first failing check, or null when every check passes."""
    for _, code in checks:
        if code not in REASONS:
            raise ValueError(f"unknown reason code {code}")
    expr = None
    for condition, code in checks:
        expr = F.when(condition, F.lit(code)) if expr is None else expr.when(condition, F.lit(code))
    return expr.otherwise(F.lit(None).cast("string")) if expr is not None else F.lit(None)
