"""What the catalogue learns from the lake about each silver dataset.

The rules (``quality.source_rules``) say which column dates a row and which code lists and
values each column takes; the silver table's newest version adds its counts and coverage.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from catalog.datasets.descriptions import DatasetFacts
from common.layout import Source
from jobs.delta_tables import Logged, last_commit, logged
from quality.source_rules import RULES


def rule_facts(source: Source) -> DatasetFacts:
    """The facts the rules fix, whatever the data: date column, code lists, allowed values."""
    spec = RULES[source]
    return DatasetFacts(
        date_column=spec.event_date,
        code_lists={**spec.code_lists, **spec.code_sets},
        values=dict(spec.allowed),
    )


def silver_facts(spark: SparkSession, source: Source, silver_table: Path) -> DatasetFacts:
    """The facts of the silver table's newest version: Delta version, rows, persons, period.

    Rows and period come from the log's file statistics when it has them (no Spark job);
    persons take one Spark job (a distinct count, which no statistic gives).
    """
    version = last_commit(silver_table).version
    when = RULES[source].event_date
    # Stages write one table at a time, so the latest version is the one just asked for
    # (reading it "as of" that version would rebuild its state once more).
    df = spark.read.format("delta").load(str(silver_table))
    persons = F.countDistinct("person_id").alias("persons")
    known = logged(silver_table, when)
    if known is None:
        dates = [F.min(when).alias("first"), F.max(when).alias("last")] if when else []
        stats = df.agg(F.count(F.lit(1)).alias("rows"), persons, *dates).first()
        assert stats is not None
        known = Logged(int(stats["rows"]), stats["first"] if when else None, stats["last"] if when else None)
        counted = int(stats["persons"])
    else:
        row = df.agg(persons).first()
        assert row is not None
        counted = int(row["persons"])
    return replace(
        rule_facts(source),
        silver_version=version,
        records=known.rows,
        persons=counted,
        first_date=known.low,
        last_date=known.high,
    )
