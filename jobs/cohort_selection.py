"""A permit's cohort: the platform pseudonyms of the people its criteria select.

``select_cohort`` is pure: silver population and the coded silver sources in, one column
``person_id`` out. Ages are whole years at the reference date from birth year and month;
code criteria look for a code with one of the prefixes on a row dated inside the period.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from catalog.permits.terms import CODED_SOURCES, CodeCriterion, CohortRules
from common.layout import Source
from jobs.errors import SilverUnavailable


def age_at(reference: date) -> Column:
    """Age in whole years at ``reference`` from ``birth_year`` and ``birth_month`` (the
    birthday counts as reached in its month, the day being unknown)."""
    before_birthday = F.when(F.col("birth_month") > F.lit(reference.month), 1).otherwise(0)
    return F.lit(reference.year) - F.col("birth_year") - before_birthday


def _has_prefix(column: str, prefixes: tuple[str, ...]) -> Column:
    codes = F.split(F.upper(F.coalesce(F.col(column), F.lit(""))), r"\|")
    return F.exists(
        codes, lambda code: reduce(lambda a, b: a | b, [F.trim(code).startswith(p) for p in prefixes])
    )


def _coded_persons(df: DataFrame, criterion: CodeCriterion, start: date, end: date) -> DataFrame:
    spec = CODED_SOURCES[Source(criterion.source)]
    matches = reduce(lambda a, b: a | b, [_has_prefix(c, criterion.prefixes) for c in spec.code_columns])
    in_period = F.col(spec.date_column).between(F.lit(start), F.lit(end))
    return df.where(in_period & matches).select("person_id").distinct()


def select_cohort(
    rules: CohortRules,
    start: date,
    end: date,
    population: DataFrame | None,
    coded: Mapping[Source, DataFrame],
) -> DataFrame:
    """The distinct ``person_id`` of everyone matching every criterion of ``rules``."""
    selected: DataFrame | None = None
    if rules.needs_population:
        if population is None:
            raise SilverUnavailable("the cohort needs silver population")
        condition = F.lit(True)
        if rules.age is not None:
            age = age_at(rules.age.at or start)
            if rules.age.min is not None:
                condition &= age >= rules.age.min
            if rules.age.max is not None:
                condition &= age <= rules.age.max
        if rules.sex is not None:
            condition &= F.col("sex").isin(list(rules.sex))
        if rules.provinces is not None:
            condition &= F.col("province").isin(list(rules.provinces))
        selected = population.where(condition).select("person_id").distinct()
    for criterion in rules.codes:
        source = Source(criterion.source)
        if source not in coded:
            raise SilverUnavailable(f"the cohort needs silver {source.value}")
        persons = _coded_persons(coded[source], criterion, start, end)
        selected = persons if selected is None else selected.join(persons, "person_id", how="inner")
    assert selected is not None  # CohortRules holds at least one criterion
    return selected.select("person_id")
