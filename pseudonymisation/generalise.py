"""Generalisation of quasi-identifiers and k-anonymity, as Spark Column expressions.

Used by permit publishing for anonymised permits: coarsen birth dates (year or 5-year
band), postcodes (province, postal district, or arrondissement through a reference
table) and event dates (month), then measure k, the size of the smallest equivalence
class over the chosen quasi-identifiers.

Belgian postcodes map to provinces by range (bpost's numbering plan). Arrondissements do
not follow ranges; ``with_arrondissement`` joins a postcode-to-arrondissement table that
the operator supplies (Statbel/bpost publish one); Haven does not ship it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

# (first postcode, last postcode, province) per bpost's numbering plan.
PROVINCE_RANGES: tuple[tuple[int, int, str], ...] = (
    (1000, 1299, "Brussels-Capital"),
    (1300, 1499, "Walloon Brabant"),
    (1500, 1999, "Flemish Brabant"),
    (2000, 2999, "Antwerp"),
    (3000, 3499, "Flemish Brabant"),
    (3500, 3999, "Limburg"),
    (4000, 4999, "Liège"),
    (5000, 5999, "Namur"),
    (6000, 6599, "Hainaut"),
    (6600, 6999, "Luxembourg"),
    (7000, 7999, "Hainaut"),
    (8000, 8999, "West Flanders"),
    (9000, 9999, "East Flanders"),
)


def _col(col: Column | str) -> Column:
    return F.col(col) if isinstance(col, str) else col


def _postcode(col: Column | str) -> Column:
    """The postcode as an int when it is four digits (``B-1000`` and ``1000`` alike), else null."""
    text = F.regexp_extract(_col(col).cast("string"), r"^\s*(?:B-?)?([1-9][0-9]{3})\s*$", 1)
    return F.when(text != "", text.try_cast("int"))


def birth_year(col: Column | str) -> Column:
    """The year of a date column (int); null stays null."""
    return F.year(_col(col))


def birth_band(col: Column | str, width: int = 5) -> Column:
    """The ``width``-year band of a date column as ``"1955-1959"``; null stays null."""
    if width < 1:
        raise ValueError("band width must be at least one year")
    start = F.floor(F.year(_col(col)) / width) * width
    return F.when(
        start.isNotNull(), F.format_string("%d-%d", start.cast("int"), (start + width - 1).cast("int"))
    )


def month_of(col: Column | str) -> Column:
    """A date column truncated to the first day of its month (a date); null stays null."""
    return F.trunc(_col(col).cast("date"), "month")


def postcode_province(col: Column | str) -> Column:
    """The province of a Belgian postcode (Brussels-Capital counted as one); null when the
    value is not a four-digit Belgian postcode."""
    code = _postcode(col)
    result: Column = F.lit(None).cast("string")
    for low, high, province in reversed(PROVINCE_RANGES):
        result = F.when(code.between(low, high), F.lit(province)).otherwise(result)
    return result


def postcode_district(col: Column | str) -> Column:
    """The postal district: the first two digits of the postcode, as ``"10xx"``; null when
    the value is not a four-digit Belgian postcode."""
    code = _postcode(col)
    return F.when(code.isNotNull(), F.concat(F.substring(code.cast("string"), 1, 2), F.lit("xx")))


def with_arrondissement(
    df: DataFrame, postcode: str, mapping: DataFrame, *, out: str = "arrondissement"
) -> DataFrame:
    """``df`` with ``out``, the arrondissement of column ``postcode``, from ``mapping``
    (columns ``postcode`` int and ``arrondissement`` string; broadcast). Unknown: null."""
    lookup = F.broadcast(
        mapping.select(F.col("postcode").cast("int").alias("_pc"), F.col("arrondissement").alias(out))
    )
    return df.withColumn("_pc", _postcode(postcode)).join(lookup, on="_pc", how="left").drop("_pc")


def equivalence_classes(
    df: DataFrame, quasi_identifiers: Sequence[str], person: str | None = None
) -> DataFrame:
    """One row per combination of the quasi-identifiers present in ``df``, with ``size``
    (nulls form their own class, as a linker would treat them). With ``person``, ``size``
    counts distinct persons rather than rows: the measure for tables of events, where one
    person has many rows."""
    if not quasi_identifiers:
        raise ValueError("name at least one quasi-identifier")
    size = F.count(F.lit(1)) if person is None else F.count_distinct(F.col(person))
    return df.groupBy(*quasi_identifiers).agg(size.alias("size"))


def k_anonymity(df: DataFrame, quasi_identifiers: Sequence[str], person: str | None = None) -> int:
    """k: the size of the smallest equivalence class over ``quasi_identifiers`` (0 for an
    empty DataFrame), in rows or, with ``person``, in distinct persons."""
    row = equivalence_classes(df, quasi_identifiers, person).agg(F.min("size").alias("k")).first()
    return int(row["k"]) if row is not None and row["k"] is not None else 0


def rows_below_k(df: DataFrame, quasi_identifiers: Sequence[str], k: int) -> DataFrame:
    """The rows of ``df`` whose equivalence class is smaller than ``k`` (to suppress them)."""
    small = equivalence_classes(df, quasi_identifiers).where(F.col("size") < k).drop("size")
    return df.join(small, on=[df[q].eqNullSafe(small[q]) for q in quasi_identifiers], how="left_semi")


__all__ = [
    "birth_band",
    "birth_year",
    "equivalence_classes",
    "k_anonymity",
    "month_of",
    "postcode_district",
    "postcode_province",
    "rows_below_k",
    "with_arrondissement",
]
