"""The expectation suites, one per source, as code.

Row-level rules (unparseable values, wrong column counts) decide which rows go to
quarantine; these suites judge a delivery as a whole, on every row with its typed values
(null where a value did not parse) and its ``_reject_reason``: the share of quarantined
rows, completeness of key fields, uniqueness, validity against the reference lists,
plausible ranges, date logic, referential integrity and volume against the previous load.
Derived helper columns (``_known_person``) are added by ``prepare`` before validation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import great_expectations.expectations as gxe
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from common.layout import Source
from quality.checks import Check, Dimension, critical, warning

MAX_AMOUNT = 100_000
MAX_QUARANTINED_SHARE = 0.05
VOLUME_LOW, VOLUME_HIGH = 0.5, 2.0


@dataclass(frozen=True)
class SuiteContext:
    """What a suite needs to know besides the data: the run date and what came before."""

    run_date: date
    previous_rows: int | None = None
    population_known: bool = False
    known_codes: dict[str, frozenset[str]] = field(default_factory=dict)


def prepare(df: DataFrame, population_pids: DataFrame | None) -> DataFrame:
    """Add ``_known_person`` (pid found in the population extract, or null when none arrived)."""
    if population_pids is None or "pid" not in df.columns:
        return df.withColumn("_known_person", F.lit(None).cast("boolean"))
    known = population_pids.select("pid").distinct().withColumn("_known_person", F.lit(True))
    return df.join(known, on="pid", how="left").fillna({"_known_person": False})


def _volume(ctx: SuiteContext) -> list[Check]:
    checks = [critical(gxe.ExpectTableRowCountToBeBetween(min_value=1), Dimension.COMPLETENESS)]
    if ctx.previous_rows:
        checks.append(warning(gxe.ExpectTableRowCountToBeBetween(
            min_value=int(ctx.previous_rows * VOLUME_LOW),
            max_value=int(ctx.previous_rows * VOLUME_HIGH)), Dimension.CONSISTENCY))
    return checks


def _referential(ctx: SuiteContext) -> list[Check]:
    if not ctx.population_known:
        return []
    return [warning(gxe.ExpectColumnValuesToBeInSet(column="_known_person", value_set=[True]),
                    Dimension.CONSISTENCY)]


def _code_list(column: str, ctx: SuiteContext, list_name: str) -> list[Check]:
    codes = ctx.known_codes.get(list_name)
    if not codes:
        return []
    return [warning(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(codes),
                                                    mostly=0.99), Dimension.VALIDITY)]


def _quarantine_share() -> list[Check]:
    return [critical(gxe.ExpectColumnValuesToBeNull(column="_reject_reason",
                                                    mostly=1 - MAX_QUARANTINED_SHARE),
                     Dimension.VALIDITY)]


def claims_suite(ctx: SuiteContext) -> list[Check]:
    return [
        *_volume(ctx),
        *_quarantine_share(),
        critical(gxe.ExpectColumnValuesToBeBetween(column="service_date",
                                                   max_value=ctx.run_date, mostly=0.99),
                 Dimension.TIMELINESS),
        warning(gxe.ExpectColumnValuesToNotBeNull(column="provider_id", mostly=0.99),
                Dimension.COMPLETENESS),
        *_code_list("nomenclature_code", ctx, "nomenclature"),
        warning(gxe.ExpectColumnValuesToBeBetween(column="amount_reimbursed", min_value=0,
                                                  max_value=MAX_AMOUNT), Dimension.ACCURACY),
        warning(gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["pid", "nomenclature_code", "service_date", "provider_id",
                         "amount_reimbursed"], mostly=0.999), Dimension.UNIQUENESS),
        *_referential(ctx),
    ]


def optout_suite(ctx: SuiteContext) -> list[Check]:
    return [*_quarantine_share()]


SUITES: dict[Source, Callable[[SuiteContext], list[Check]]] = {
    Source.CLAIMS: claims_suite,
    Source.OPTOUT: optout_suite,
}
