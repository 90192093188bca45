"""Silver: typed, validated rows with opted-out people removed and platform pseudonyms.

Every source goes the same way: ``check`` gives each bronze row the first rule it breaks
(the rules are data, in ``quality.source_rules``), ``typed_all`` types the columns for the
quality suite, and ``run_source`` writes the valid rows of people without an opt-out in
force, under their platform pseudonym, with free text de-identified. Opt-outs come from
the registry in the catalogue database (``catalog.optout.registry``); the landing opt-out feed is
checked here and loaded there (``jobs.optout_registry``), never kept in the lake.

Pure transforms first (each a DataFrame -> DataFrame function), the thin ``run_*``
functions at the end. Rows that break a rule go to the quarantine zone with the rule and
the file they came from, never the offending value; counts reconcile exactly:
``read = loaded + quarantined + dropped_by_optout``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from catalog.optout.vocabulary import PID_PATTERN, OptOutAction, OptOutChannel
from common.errors import HavenError
from common.layout import Source
from common.schemas import OPTOUT, SCHEMAS
from common.schemas import Column as SchemaColumn
from jobs.delta_tables import ensure_table
from pseudonymisation.keyed_hash import hmac_column
from pseudonymisation.keys import Key
from pseudonymisation.spark_niss import any_column_contains_niss
from pseudonymisation.spark_text import deidentify_column
from quality import row_rules
from quality.source_rules import RULES, SourceRules

REASON = "_reject_reason"
LINEAGE = ["_extract_id", "_run_id"]
ISO_UTC = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"  # the session time zone is UTC (common.spark)
# The feed is checked against the registry's own vocabulary and pid rule.
ACTIONS = tuple(action.value for action in OptOutAction)
CHANNELS = tuple(channel.value for channel in OptOutChannel)


class ReconciliationError(HavenError):
    """Row counts of a step do not add up: something would have been lost or doubled."""


@dataclass(frozen=True)
class SourceCounts:
    read: int
    loaded: int
    quarantined: int
    dropped_by_optout: int = 0
    persons_dropped_by_optout: int = 0
    held_by_gate: int = 0

    def check(self, source: str) -> SourceCounts:
        accounted = self.loaded + self.quarantined + self.dropped_by_optout + self.held_by_gate
        if self.read != accounted:
            raise ReconciliationError(
                f"{source}: read {self.read} != loaded {self.loaded} + quarantined "
                f"{self.quarantined} + dropped by opt-out {self.dropped_by_optout} "
                f"+ held by the quality gate {self.held_by_gate}"
            )
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# ---- pure transforms -------------------------------------------------------------------


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


def flag_delivered_before(
    checked: DataFrame, source: Source, silver: DataFrame | None, key: Key, extract_id: str
) -> DataFrame:
    """Mark each valid row whose key a row of an earlier delivery already has in ``silver``.

    Silver keeps every delivery's rows (one ``_extract_id`` each); a record delivered again,
    say a corrected hospital stay, would otherwise be counted twice in every permit. It is
    quarantined with the reason instead, and the earlier row stays: which of the two is right
    is the data provider's call. Rows of this same delivery (a re-run) do not count. A key
    holding ``pid`` is matched on its platform pseudonym, as silver stores it. The population
    is a snapshot (everyone insured on 1 January of the extract year), so each delivery
    lists everyone again: it is not checked.
    """
    schema = SCHEMAS[source]
    if silver is None or not schema.key or source is Source.POPULATION:
        return checked
    columns = {name: ("person_id" if name == "pid" else name) for name in schema.key}
    earlier = (
        silver.where(F.col("_extract_id") != F.lit(extract_id))
        .select(*[F.col(c).alias(f"_earlier_{c}") for c in columns.values()])
        .distinct()
        .withColumn("_earlier", F.lit(True))
    )
    typed = checked.withColumns(
        {
            f"_key_{c}": hmac_column(key, "pid") if name == "pid" else typed_value(schema.column(name))
            for name, c in columns.items()
        }
    )
    condition = [F.col(f"_key_{c}") == F.col(f"_earlier_{c}") for c in columns.values()]
    joined = typed.join(earlier, on=condition, how="left")
    flagged = F.when(F.col(REASON).isNull() & F.col("_earlier"), F.lit("delivered_before"))
    return joined.withColumn(REASON, flagged.otherwise(F.col(REASON))).drop(
        *[f"_key_{c}" for c in columns.values()], *[f"_earlier_{c}" for c in columns.values()], "_earlier"
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


def deidentified(df: DataFrame, spec: SourceRules) -> DataFrame:
    """``df`` with its free-text columns de-identified (placeholders for personal data)."""
    for column, language in spec.free_text.items():
        if language is None:
            text = deidentify_column(deidentify_column(column, "fr"), "nl")
        else:
            text = deidentify_column(column, language)
        df = df.withColumn(column, text)
    return df


def with_population_facts(
    typed: DataFrame, population: DataFrame | None, opted_out: DataFrame, key: Key, event_date: str | None
) -> DataFrame:
    """Add ``_known_person`` (the pid is in the population) and ``_after_death`` (the event
    is dated after the person's death) for the quality suite; null where unknown.

    ``population`` is silver's (``person_id, death_date``), so the pid is pseudonymised to
    find it; people whose opt-out is in force are not there, so their rows are not judged.
    """
    if population is None:
        return typed.withColumn("_known_person", F.lit(None).cast("boolean")).withColumn(
            "_after_death", F.lit(None).cast("boolean")
        )
    people = population.select(
        F.col("person_id").alias("_person_id"),
        F.col("death_date").alias("_death_date"),
        F.lit(True).alias("_known"),
    )
    optouts = opted_out.select("pid", F.lit(True).alias("_opted_out"))
    joined = (
        typed.withColumn("_person_id", hmac_column(key, "pid"))
        .join(F.broadcast(people), on="_person_id", how="left")
        .join(F.broadcast(optouts), on="pid", how="left")
    )
    after = F.lit(None).cast("boolean")
    if event_date:
        after = F.when(
            F.col("_known") & F.col(event_date).isNotNull(),
            F.coalesce(F.col(event_date) > F.col("_death_date"), F.lit(False)),
        )
    return joined.select(
        *typed.columns,
        F.when(F.col("_opted_out"), None)
        .otherwise(F.coalesce("_known", F.lit(False)))
        .alias("_known_person"),
        after.alias("_after_death"),
    )


def check_optout(bronze: DataFrame) -> DataFrame:
    """Delivered opt-out events plus ``_reject_reason``: the registry's rules for the feed."""
    reason = row_rules.first_reason(
        (leaks_niss(bronze, OPTOUT.names), "leaked_niss"),
        (F.col("_malformed"), "malformed_row"),
        (row_rules.bad_encoding(OPTOUT.names), "invalid_encoding"),
        (row_rules.blank("pid"), "missing_pid"),
        (~F.trim("pid").rlike(PID_PATTERN), "invalid_pid"),
        (row_rules.as_timestamp("event_time").isNull(), "invalid_timestamp"),
        (~F.coalesce(F.col("action").isin(*ACTIONS), F.lit(False)), "unknown_value"),
        (~F.coalesce(F.col("channel").isin(*CHANNELS), F.lit(False)), "unknown_value"),
    )
    return bronze.withColumn(REASON, reason)


def valid_optout_events(checked_events: DataFrame) -> DataFrame:
    """The valid events of ``check_optout``, typed for the registry (time as UTC ISO text)."""
    return checked_events.where(F.col(REASON).isNull()).select(
        F.trim("pid").alias("pid"),
        F.date_format(row_rules.as_timestamp("event_time"), ISO_UTC).alias("event_time"),
        F.col("action"),
        F.col("channel"),
    )


def opted_out_frame(spark: SparkSession, in_force: Mapping[str, datetime]) -> DataFrame:
    """The registry's opt-outs in force (pid -> when) as a DataFrame ``pid, opted_out_at``."""
    return spark.createDataFrame(sorted(in_force.items()), "pid string, opted_out_at timestamp")


def drop_opted_out(df: DataFrame, opted_out: DataFrame) -> DataFrame:
    """Rows of ``df`` whose ``pid`` has no opt-out in force."""
    return df.join(opted_out.select("pid"), on="pid", how="left_anti")


def with_platform_pseudonym(df: DataFrame, key: Key) -> DataFrame:
    """Replace ``pid`` by ``person_id``, its keyed platform pseudonym."""
    others = [c for c in df.columns if c != "pid"]
    return df.select(hmac_column(key, "pid").alias("person_id"), *others)


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


# ---- thin runners ----------------------------------------------------------------------


def bronze_extract(spark: SparkSession, bronze_table: Path, extract_id: str) -> DataFrame:
    """The bronze rows of one delivered file."""
    return spark.read.format("delta").load(str(bronze_table)).where(F.col("_extract_id") == extract_id)


def replace_extract(df: DataFrame, table: Path, extract_id: str) -> None:
    ensure_table(df.sparkSession, table, df)
    (
        df.write.format("delta")
        .mode("overwrite")
        .option("replaceWhere", f"_extract_id = '{extract_id}'")
        .save(str(table))
    )


def run_source(
    spark: SparkSession,
    source: Source,
    checked: DataFrame,
    quarantine_table: Path,
    silver_table: Path,
    opted_out: DataFrame,
    key: Key,
    extract_id: str,
    *,
    admit: bool,
) -> SourceCounts:
    """Checked rows of one delivery to silver, without the people whose opt-out is in force,
    with platform pseudonyms and de-identified free text.

    With ``admit`` false (the quality gate failed) only the quarantine is written and the
    valid rows are counted as held; silver keeps its previous version.
    """
    opted_out = opted_out.cache()
    try:
        valid = typed_valid(checked, source)
        read, quarantined = checked.count(), checked.where(F.col(REASON).isNotNull()).count()
        replace_extract(quarantine_entries(checked, source), quarantine_table, extract_id)
        if not admit:
            return SourceCounts(
                read=read, loaded=0, quarantined=quarantined, held_by_gate=read - quarantined
            ).check(source.value)
        kept = drop_opted_out(valid, opted_out)
        dropped = valid.join(opted_out.select("pid"), on="pid", how="left_semi")
        dropped_stats = dropped.agg(
            F.count(F.lit(1)).alias("rows"), F.countDistinct("pid").alias("persons")
        ).first()
        assert dropped_stats is not None
        rows = deidentified(with_platform_pseudonym(kept, key), RULES[source])
        replace_extract(rows, silver_table, extract_id)
        loaded = (
            spark.read.format("delta")
            .load(str(silver_table))
            .where(F.col("_extract_id") == extract_id)
            .count()
        )
    finally:
        opted_out.unpersist()
    return SourceCounts(
        read=read,
        loaded=loaded,
        quarantined=quarantined,
        dropped_by_optout=int(dropped_stats["rows"]),
        persons_dropped_by_optout=int(dropped_stats["persons"]),
    ).check(source.value)
