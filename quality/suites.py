"""The expectation suites, one per source, as code.

Row-level rules (unparseable values, wrong column counts) decide which rows go to
quarantine; these suites judge a delivery as a whole, on every row with its typed values
(null where a value did not parse) and its ``_reject_reason``: the share of quarantined
rows, completeness of key fields, uniqueness, validity against the reference lists,
plausible ranges, date logic, referential integrity and volume against the previous load.
Derived helper columns are added before validation: ``_known_person`` and ``_after_death``
by ``prepare`` (from the population), per-source ones (``_length_of_stay``,
``_expected_unit``, ``_plausible_value``) by ``derived``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import great_expectations.expectations as gxe
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from common import reference
from common.layout import Source
from quality.checks import Check, Dimension, critical, warning

MAX_AMOUNT = 100_000
MAX_DDD = 1_000  # defined daily doses in one delivery
MAX_STAY_DAYS = 365
MAX_STEPS = 100_000
MAX_QUARANTINED_SHARE = 0.05
VOLUME_LOW, VOLUME_HIGH = 0.5, 2.0


@dataclass(frozen=True)
class SuiteContext:
    """What a suite needs to know besides the data: the run date and what came before."""

    run_date: date
    previous_rows: int | None = None
    population_known: bool = False
    known_codes: dict[str, frozenset[str]] = field(default_factory=dict)


FACTS = ("_known_person", "_after_death")


def prepare(df: DataFrame, population_pids: DataFrame | None = None) -> DataFrame:
    """Make sure the derived columns the suites judge exist: ``_known_person`` (the pid is in
    the population) and ``_after_death`` (the event is dated after the person's death).

    The pipeline adds them from silver's population (``jobs.silver.with_population_facts``);
    ``population_pids`` (a frame with ``pid``) is the simple form for a delivery judged on
    its own. Missing facts are null, which no expectation counts against.
    """
    if population_pids is not None and "pid" in df.columns and "_known_person" not in df.columns:
        known = population_pids.select("pid").distinct().withColumn("_known_person", F.lit(True))
        df = df.join(known, on="pid", how="left").fillna({"_known_person": False})
    for fact in FACTS:
        if fact not in df.columns:
            df = df.withColumn(fact, F.lit(None).cast("boolean"))
    return df


def derived(source: Source, df: DataFrame) -> DataFrame:
    """Per-source helper columns the suites judge: a stay's length in days; whether a lab
    result has its test's unit and a value a human body can have (``common.reference``)."""
    if source is Source.HOSPITAL_STAYS:
        return df.withColumn("_length_of_stay", F.datediff("discharge_date", "admission_date"))
    if source is Source.LAB_RESULTS:
        loinc = reference.load("loinc")

        def lookup(column: str, cast: str) -> Column:
            pairs = [
                F.lit(x)
                for code, value in zip(loinc["loinc"], loinc[column], strict=True)
                for x in (code, value)
            ]
            return F.create_map(*pairs)[F.col("loinc_code")].cast(cast)

        return df.withColumn("_expected_unit", F.col("unit") == lookup("unit", "string")).withColumn(
            "_plausible_value", F.col("value").between(lookup("min", "double"), lookup("max", "double"))
        )
    return df


def _volume(ctx: SuiteContext) -> list[Check]:
    checks = [critical(gxe.ExpectTableRowCountToBeBetween(min_value=1), Dimension.COMPLETENESS)]
    if ctx.previous_rows:
        checks.append(
            warning(
                gxe.ExpectTableRowCountToBeBetween(
                    min_value=int(ctx.previous_rows * VOLUME_LOW),
                    max_value=int(ctx.previous_rows * VOLUME_HIGH),
                ),
                Dimension.CONSISTENCY,
            )
        )
    return checks


def _referential(ctx: SuiteContext) -> list[Check]:
    """Every person is in the population, and nobody has care dated after their death."""
    if not ctx.population_known:
        return []
    return [
        warning(
            gxe.ExpectColumnValuesToBeInSet(column="_known_person", value_set=[True], mostly=0.999),
            Dimension.CONSISTENCY,
        ),
        warning(
            gxe.ExpectColumnValuesToBeInSet(column="_after_death", value_set=[False], mostly=0.999),
            Dimension.ACCURACY,
        ),
    ]


def _code_list(column: str, ctx: SuiteContext, list_name: str) -> list[Check]:
    codes = ctx.known_codes.get(list_name)
    if not codes:
        return []
    return [
        warning(
            gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(codes), mostly=0.99),
            Dimension.VALIDITY,
        )
    ]


def _quarantine_share() -> list[Check]:
    return [
        critical(
            gxe.ExpectColumnValuesToBeNull(column="_reject_reason", mostly=1 - MAX_QUARANTINED_SHARE),
            Dimension.VALIDITY,
        )
    ]


def _not_in_future(column: str, ctx: SuiteContext) -> Check:
    return critical(
        gxe.ExpectColumnValuesToBeBetween(column=column, max_value=ctx.run_date, mostly=0.99),
        Dimension.TIMELINESS,
    )


def _unique(*columns: str) -> Check:
    if len(columns) == 1:
        return warning(gxe.ExpectColumnValuesToBeUnique(column=columns[0]), Dimension.UNIQUENESS)
    return warning(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns)), Dimension.UNIQUENESS)


def _between(
    column: str, low: float | None, high: float | None, dimension: Dimension, mostly: float = 1.0
) -> Check:
    return warning(
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high, mostly=mostly),
        dimension,
    )


def population_suite(ctx: SuiteContext) -> list[Check]:
    return [
        *_volume(ctx),
        *_quarantine_share(),
        _unique("pid"),
        _between("birth_year", 1900, ctx.run_date.year, Dimension.ACCURACY),
        critical(
            gxe.ExpectColumnValuesToBeBetween(column="death_date", max_value=ctx.run_date),
            Dimension.TIMELINESS,
        ),
        warning(gxe.ExpectColumnValuesToNotBeNull(column="postcode", mostly=0.99), Dimension.COMPLETENESS),
    ]


def claims_suite(ctx: SuiteContext) -> list[Check]:
    return [
        *_volume(ctx),
        *_quarantine_share(),
        _not_in_future("service_date", ctx),
        warning(gxe.ExpectColumnValuesToNotBeNull(column="provider_id", mostly=0.99), Dimension.COMPLETENESS),
        *_code_list("nomenclature_code", ctx, "nomenclature"),
        _between("amount_reimbursed", 0, MAX_AMOUNT, Dimension.ACCURACY),
        warning(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["pid", "nomenclature_code", "service_date", "provider_id", "amount_reimbursed"],
                mostly=0.999,
            ),
            Dimension.UNIQUENESS,
        ),
        *_referential(ctx),
    ]


def pharmacy_suite(ctx: SuiteContext) -> list[Check]:
    return [
        *_volume(ctx),
        *_quarantine_share(),
        _not_in_future("delivery_date", ctx),
        _unique("delivery_id"),
        _between("ddd", 0, MAX_DDD, Dimension.ACCURACY, mostly=0.999),
        _between("amount_reimbursed", 0, MAX_AMOUNT, Dimension.ACCURACY),
        *_referential(ctx),
    ]


def hospital_stays_suite(ctx: SuiteContext) -> list[Check]:
    return [
        *_volume(ctx),
        *_quarantine_share(),
        _not_in_future("discharge_date", ctx),
        _unique("stay_id"),
        warning(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="discharge_date", column_B="admission_date", or_equal=True
            ),
            Dimension.CONSISTENCY,
        ),
        _between("_length_of_stay", 0, MAX_STAY_DAYS, Dimension.ACCURACY, mostly=0.999),
        *_referential(ctx),
    ]


def lab_results_suite(ctx: SuiteContext) -> list[Check]:
    return [
        *_volume(ctx),
        *_quarantine_share(),
        _not_in_future("sample_date", ctx),
        _unique("result_id"),
        # One unit per LOINC code, and values a human body can have.
        warning(
            gxe.ExpectColumnValuesToBeInSet(column="_expected_unit", value_set=[True]), Dimension.CONSISTENCY
        ),
        warning(
            gxe.ExpectColumnValuesToBeInSet(column="_plausible_value", value_set=[True], mostly=0.999),
            Dimension.ACCURACY,
        ),
        *_referential(ctx),
    ]


def clinical_notes_suite(ctx: SuiteContext) -> list[Check]:
    return [
        *_volume(ctx),
        *_quarantine_share(),
        _not_in_future("note_date", ctx),
        _unique("note_id"),
        warning(gxe.ExpectColumnValuesToNotBeNull(column="stay_id", mostly=0.99), Dimension.COMPLETENESS),
        *_referential(ctx),
    ]


def wellness_suite(ctx: SuiteContext) -> list[Check]:
    return [
        *_volume(ctx),
        *_quarantine_share(),
        _not_in_future("day", ctx),
        _unique("pid", "day"),
        _between("steps", 0, MAX_STEPS, Dimension.ACCURACY, mostly=0.999),
        _between("sleep_minutes", 0, 24 * 60, Dimension.ACCURACY),
        _between("resting_heart_rate", 25, 220, Dimension.ACCURACY, mostly=0.999),
        warning(
            gxe.ExpectColumnValuesToBeInSet(column="patient_entered", value_set=[True]), Dimension.VALIDITY
        ),
        *_referential(ctx),
    ]


def optout_suite(ctx: SuiteContext) -> list[Check]:
    return [*_quarantine_share()]


SUITES: dict[Source, Callable[[SuiteContext], list[Check]]] = {
    Source.POPULATION: population_suite,
    Source.CLAIMS: claims_suite,
    Source.PHARMACY: pharmacy_suite,
    Source.HOSPITAL_STAYS: hospital_stays_suite,
    Source.LAB_RESULTS: lab_results_suite,
    Source.CLINICAL_NOTES: clinical_notes_suite,
    Source.WELLNESS: wellness_suite,
    Source.OPTOUT: optout_suite,
}
