"""Permit datasets: only the approved columns, period and cohort, opt-outs removed, and either
permit-specific pseudonyms or, for anonymised permits, generalised quasi-identifiers.

Each build rewrites the permit's tables from silver, filtering opted-out people again, so a
permit dataset never holds someone whose opt-out is in force (the second layer of
enforcement, after silver). Wellness data keep their ``patient_entered`` column, with a
column comment, whatever columns were approved: a researcher always sees that the person,
not a care provider, entered them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from catalog.permits.grants import DatasetGrant
from catalog.permits.terms import Anonymisation
from common.layout import Source
from common.schemas import ROW_ID, SCHEMAS
from jobs.delta_tables import ensure_table, last_commit
from pseudonymisation.generalise import birth_band, equivalence_classes, month_of
from pseudonymisation.keyed_hash import hmac_column
from pseudonymisation.keys import Key

PATIENT_ENTERED = "patient_entered"
PATIENT_ENTERED_COMMENT = "true: entered by the person in a wellness app, not by a care provider"
# Columns an attacker may know about a person; with every date column of a dataset they are
# the quasi-identifiers that k-anonymity is measured over.
QUASI_IDENTIFIERS = ("birth_year", "birth_band", "sex", "postcode", "arrondissement", "province", "insurer")
_DATES = (T.DateType, T.TimestampType, T.TimestampNTZType)


@dataclass(frozen=True)
class KCheck:
    """The k an anonymised dataset reaches over its quasi-identifiers (no values)."""

    k: int
    quasi_identifiers: tuple[str, ...]
    classes_below: int
    persons: int


def restricted(
    silver: DataFrame, grant: DatasetGrant, excluded_person_ids: DataFrame, cohort: DataFrame | None = None
) -> DataFrame:
    """Silver rows of the grant's period (a dataset without event dates, the population, has
    none), without opted-out people, inside the cohort if any."""
    if grant.date_column is not None:
        silver = silver.where(
            F.col(grant.date_column).between(F.lit(grant.period_start), F.lit(grant.period_end))
        )
    rows = silver.join(excluded_person_ids.select("person_id"), on="person_id", how="left_anti")
    if cohort is not None:
        rows = rows.join(cohort.select("person_id"), on="person_id", how="left_semi")
    return rows


def _labels(grant: DatasetGrant) -> list[Column]:
    if grant.source is not Source.WELLNESS:
        return []
    return [F.col(PATIENT_ENTERED).alias(PATIENT_ENTERED, metadata={"comment": PATIENT_ENTERED_COMMENT})]


def _approved(grant: DatasetGrant) -> list[str]:
    return [c for c in grant.columns if not (grant.source is Source.WELLNESS and c == PATIENT_ENTERED)]


def identifiers(grant: DatasetGrant) -> list[str]:
    """The grant's approved columns that identify a record or a care provider."""
    return [c for c in grant.columns if c in SCHEMAS[grant.source].identifiers]


def free_text(grant: DatasetGrant) -> list[str]:
    """The grant's approved columns of free text (de-identified in silver, pseudonymised data only)."""
    schema = SCHEMAS[grant.source]
    return [c for c in grant.columns if schema.column(c).free_text]


def anonymous_rows(generalised_rows: DataFrame) -> DataFrame:
    """An anonymised dataset as written: no person column; instead ``row_id``, a number per
    row (unique in the version written, linked to nothing), which the SPE counts as the unit
    of disclosure control."""
    return generalised_rows.select(
        F.monotonically_increasing_id().alias(ROW_ID),
        *(c for c in generalised_rows.columns if c != "person_id"),
    )


def build_dataset(
    silver: DataFrame,
    grant: DatasetGrant,
    permit_key: Key,
    excluded_person_ids: DataFrame,
    cohort: DataFrame | None = None,
) -> DataFrame:
    """The pseudonymised permit's view of one silver table: period, opt-outs, cohort, approved
    columns, permit pseudonym."""
    return restricted(silver, grant, excluded_person_ids, cohort).select(
        hmac_column(permit_key, "person_id").alias("person_id"), *_approved(grant), *_labels(grant)
    )


def generalised(df: DataFrame, grant: DatasetGrant, terms: Anonymisation) -> DataFrame:
    """The approved columns with quasi-identifiers generalised, plus ``person_id`` (platform
    pseudonym) for measuring k; the caller drops it before writing.

    Birth: year, or 5-year band (``birth_band``), the month dropped; postcode and
    arrondissement: up to ``terms.place``; every date: its month.
    """
    out: dict[str, Column] = {}
    for name in _approved(grant):
        if name == "birth_month":
            continue
        if name == "birth_year":
            if terms.birth == "year":
                out["birth_year"] = F.col("birth_year")
            else:
                out["birth_band"] = birth_band(F.make_date(F.col("birth_year"), F.lit(1), F.lit(1)))
        elif name == "postcode" or (name == "arrondissement" and terms.place == "province"):
            out[terms.place] = F.col(terms.place)
        elif isinstance(df.schema[name].dataType, _DATES):
            out[name] = month_of(name)
        else:
            out[name] = F.col(name)
    return df.select("person_id", *(column.alias(name) for name, column in out.items()), *_labels(grant))


def quasi_identifiers(df: DataFrame) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in df.schema.fields
        if f.name != "person_id" and (f.name in QUASI_IDENTIFIERS or isinstance(f.dataType, _DATES))
    )


def check_k(df: DataFrame, k: int) -> KCheck:
    """k over ``df``'s quasi-identifiers, counted in distinct persons (``df`` has ``person_id``).

    Without quasi-identifiers every row is in one class; an empty dataset discloses no one.
    """
    qis = quasi_identifiers(df)
    persons = df.select(F.count_distinct("person_id").alias("n")).first()
    total = int(persons["n"]) if persons is not None else 0
    if not qis or total == 0:
        return KCheck(
            k=total, quasi_identifiers=qis, classes_below=0 if total == 0 or total >= k else 1, persons=total
        )
    classes = equivalence_classes(df, qis, person="person_id")
    row = classes.agg(
        F.min("size").alias("k"), F.sum(F.when(F.col("size") < k, 1).otherwise(0)).alias("below")
    ).first()
    assert row is not None
    return KCheck(k=int(row["k"]), quasi_identifiers=qis, classes_below=int(row["below"]), persons=total)


def write(spark: SparkSession, df: DataFrame, target: Path) -> tuple[int, int]:
    """Rewrite one permit table with ``df``; returns (rows, Delta version written)."""
    ensure_table(spark, target, df)
    (df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(str(target)))
    written = last_commit(target)
    return written.metric("numOutputRows"), written.version
