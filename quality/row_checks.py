"""Row checks of a delivery: each bronze row against its source's rules, and its silver types.

``check`` gives each bronze row the first rule it breaks (the rules are data, in
``quality.source_rules``; the rule columns in ``quality.row_rules``), ``typed_all`` types the
columns for the quality suite, ``typed_valid`` keeps the valid rows for silver, and
``quarantine_entries`` turns the others into quarantine entries: where a row came from and
which rule it broke, never the offending value.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from common.layout import Source
from common.schemas import SCHEMAS
from common.schemas import Column as SchemaColumn
from pseudonymisation.spark_niss import any_column_contains_niss
from quality import row_rules
from quality.source_rules import RULES, SourceRules

REASON = "_reject_reason"
LINEAGE = ["_extract_id", "_run_id"]


def leaks_niss(bronze: DataFrame, columns: list[str]) -> Column:
    """True where a delivered field holds a raw national number (the pid only if it is one).

    A TTP pid is a random token that may contain an 11-digit run by chance, so it counts
    only when the whole value is a valid number.
    """
    return F.coalesce(any_column_contains_niss(bronze, columns, exact=["pid"]), F.lit(False))


def typed_value(column: SchemaColumn) -> Column:
    """The delivered text of ``column`` as its silver type; null when empty or unparseable."""
    name, kind = column.name, column.type
    if kind == "string":
        text = F.trim(name) if name == "pid" else F.col(name)
        return F.when(row_rules.blank(name), None).otherwise(text)
    if kind == "date":
        return row_rules.as_date(name)
    if kind == "timestamp":
        return row_rules.as_timestamp(name)
    if kind == "int":
        return row_rules.as_int(name)
    if kind == "double":
        return row_rules.as_double(name)
    if kind == "boolean":
        return row_rules.as_boolean(name)
    if kind.startswith("decimal"):
        return row_rules.as_amount(name, kind)
    raise ValueError(f"column {name}: no silver type for {kind}")


def _type_reason(column: SchemaColumn) -> str:
    if column.type in ("date", "timestamp"):
        return f"invalid_{column.type}"
    if column.type == "boolean":
        return "unknown_value"
    return "invalid_amount" if column.name.startswith("amount_") else "invalid_number"


def _column_checks(
    column: SchemaColumn, spec: SourceRules, codes: Mapping[str, frozenset[str]]
) -> list[tuple[Column, str]]:
    name = column.name
    if name == "pid":
        return [(row_rules.blank(name), "missing_pid")]
    value, present = typed_value(column), ~row_rules.blank(name)
    checks = [] if name in spec.optional else [(row_rules.blank(name), "missing_value")]
    if column.type != "string":
        checks.append((present & value.isNull(), _type_reason(column)))
    if name in spec.code_forms:
        checks.append((present & ~F.col(name).rlike(spec.code_forms[name]), "invalid_code"))
    if name in spec.code_lists:
        checks.append((present & ~F.col(name).isin(*sorted(codes[name])), "unknown_code"))
    if name in spec.code_sets:
        known = F.array(*[F.lit(c) for c in sorted(codes[name])])
        listed = F.forall(F.split(F.col(name), r"\|"), lambda code: F.array_contains(known, code))
        checks.append((present & ~listed, "unknown_code"))
    if name in spec.allowed:
        checks.append((present & ~F.col(name).isin(*spec.allowed[name]), "unknown_value"))
    if name in spec.ranges:
        low, high = spec.ranges[name]
        checks.append((~value.between(low, high), "out_of_range"))
    if name in spec.non_negative:
        checks.append((value < 0, "negative_amount" if name.startswith("amount_") else "negative_value"))
    return checks


def _flag_duplicates(checked: DataFrame, key: tuple[str, ...]) -> DataFrame:
    """Mark each later valid row whose key an earlier valid row of the file already has."""
    valid = F.col(REASON).isNull()
    rank = F.row_number().over(Window.partitionBy(*key, valid).orderBy("_line"))
    return checked.withColumn(
        REASON, F.when(valid & (rank > 1), F.lit("duplicate_key")).otherwise(F.col(REASON))
    )


def check(
    bronze: DataFrame, spec: SourceRules, codes: Mapping[str, frozenset[str]] | None = None
) -> DataFrame:
    """Bronze rows plus ``_reject_reason``: the first rule each row breaks, null when valid.

    ``codes`` replaces reference code lists by column (tests use small ones).
    """
    schema = SCHEMAS[spec.source]
    known = {c: spec.codes(c) for c in (*spec.code_lists, *spec.code_sets)} | dict(codes or {})
    scanned = [c for c in schema.names if c not in spec.niss_exempt]
    checks = [
        (leaks_niss(bronze, scanned), "leaked_niss"),
        (F.col("_malformed"), "malformed_row"),
        (row_rules.bad_encoding(schema.names), "invalid_encoding"),
    ]
    for column in schema.columns:
        checks += _column_checks(column, spec, known)
    for earlier, later in spec.ordered_dates:
        checks.append(
            (typed_value(schema.column(later)) < typed_value(schema.column(earlier)), "dates_out_of_order")
        )
    checked = bronze.withColumn(REASON, row_rules.first_reason(*checks))
    return _flag_duplicates(checked, schema.key) if schema.key else checked


def typed_all(checked: DataFrame, source: Source) -> DataFrame:
    """Every row of ``check`` with its silver types (null where a value does not parse) and
    its ``_reject_reason``: the frame the quality suite judges."""
    schema = SCHEMAS[source]
    return checked.select(*[typed_value(c).alias(c.name) for c in schema.columns], *LINEAGE, F.col(REASON))


def typed_valid(checked: DataFrame, source: Source) -> DataFrame:
    """The valid rows of ``check`` with their silver types (pid still in clear)."""
    return typed_all(checked, source).where(F.col(REASON).isNull()).drop(REASON)


def check_claims(bronze: DataFrame, nomenclature: frozenset[str] | None = None) -> DataFrame:
    """Bronze claims plus ``_reject_reason``; ``nomenclature`` stands in for the shipped
    code list (tests use a small one)."""
    codes = {"nomenclature_code": nomenclature} if nomenclature is not None else None
    return check(bronze, RULES[Source.CLAIMS], codes)


def quarantine_entries(checked: DataFrame, source: Source) -> DataFrame:
    """Rejected rows as quarantine entries: where they came from and why, no values."""
    descriptions = F.create_map(
        *[x for code, text in row_rules.REASONS.items() for x in (F.lit(code), F.lit(text))]
    )
    return checked.where(F.col(REASON).isNotNull()).select(
        F.lit(source.value).alias("source"),
        F.col("_source_file").alias("source_file"),
        F.col("_line").alias("source_line"),
        F.col(REASON).alias("rule"),
        descriptions[F.col(REASON)].alias("reason"),
        *LINEAGE,
    )
