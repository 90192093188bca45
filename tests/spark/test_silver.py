"""Whole-DataFrame tests of the silver transforms on the shared local Spark."""

from datetime import UTC, date, datetime
from decimal import Decimal

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from common.layout import Source
from jobs import optout_registry, silver
from pseudonymisation.keyed_hash import hmac_hex
from quality import row_checks
from tests.factories import CLAIM_HEADER, claim_row, make_key

BRONZE_TYPES = {
    **{c: "string" for c in CLAIM_HEADER},
    "_malformed": "boolean",
    "_extract_id": "string",
    "_run_id": "string",
    "_line": "bigint",
}


def bronze_claims(spark: SparkSession, rows: list[tuple[list[str], bool]]):
    data = [(*values, malformed, "e1", "r1", line) for line, (values, malformed) in enumerate(rows, 2)]
    return spark.createDataFrame(data, ", ".join(f"{c} {t}" for c, t in BRONZE_TYPES.items()))


def test_check_claims_names_the_first_broken_rule(spark: SparkSession) -> None:
    rows = [
        (claim_row(pid="ok"), False),
        (claim_row(pid="m"), True),
        (claim_row(pid=" "), False),
        (claim_row(pid="d1", day="2025-02-30"), False),
        (claim_row(pid="d2", day="01/03/2025"), False),
        (claim_row(pid="c", code="10101"), False),
        (claim_row(pid="a", reimbursed="12,50"), False),
        (claim_row(pid="n", copay="-1.00"), False),
        # A raw national number in a free field (check digits valid) wins over other faults.
        (claim_row(pid="x", provider_id="85.07.30-033.28", code="bad"), False),
        (claim_row(pid="u", code="999999"), False),
        (claim_row(pid="e", provider_type="G\ufffdP"), False),
    ]
    checked = row_checks.check_claims(bronze_claims(spark, rows), frozenset({"101010"})).select(
        "pid", row_checks.REASON
    )
    expected = spark.createDataFrame(
        [
            ("ok", None),
            ("m", "malformed_row"),
            (" ", "missing_pid"),
            ("d1", "invalid_date"),
            ("d2", "invalid_date"),
            ("c", "invalid_code"),
            ("a", "invalid_amount"),
            ("n", "negative_amount"),
            ("x", "leaked_niss"),
            ("u", "unknown_code"),
            ("e", "invalid_encoding"),
        ],
        f"pid string, {row_checks.REASON} string",
    )
    assertDataFrameEqual(checked, expected)


def test_typed_claims_keeps_valid_rows_with_silver_types(spark: SparkSession) -> None:
    rows = [
        (claim_row(pid="p1", institution="INST0001", reimbursed="10.5"), False),
        (claim_row(pid="p2", day="2025-13-01"), False),
    ]
    typed = row_checks.typed_valid(row_checks.check_claims(bronze_claims(spark, rows)), Source.CLAIMS)
    expected = spark.createDataFrame(
        [
            (
                "p1",
                "101010",
                date(2025, 3, 1),
                "GP",
                "PRV00001",
                "INST0001",
                Decimal("10.50"),
                Decimal("2.00"),
                Decimal("0.00"),
                "e1",
                "r1",
            )
        ],
        "pid string, nomenclature_code string, service_date date, provider_type string, "
        "provider_id string, institution_id string, amount_reimbursed decimal(12,2), "
        "amount_copay decimal(12,2), amount_supplement decimal(12,2), _extract_id string, "
        "_run_id string",
    )
    assertDataFrameEqual(typed, expected)


def test_optout_feed_checks_and_valid_events_for_the_registry(spark: SparkSession) -> None:
    events = spark.createDataFrame(
        [
            ("a", "2025-01-01T10:00:00Z", "optout", "online", False),
            (" b ", "2025-02-01T11:00:00+01:00", "withdrawal", "phone", False),
            ("c", "2025-03-01T10:00:00.25Z", "optout", "desk", False),
            ("d", "yesterday", "optout", "online", False),
            ("e", "2025-01-01T10:00:00Z", "delete-me", "online", False),
            ("f", "2025-01-01T10:00:00Z", "optout", "fax", False),
            ("g h", "2025-01-01T10:00:00Z", "optout", "online", False),
            ("", "2025-01-01T10:00:00Z", "optout", "online", False),
            ("i", "2025-01-01T10:00:00Z", "optout", "online", True),
        ],
        "pid string, event_time string, action string, channel string, _malformed boolean",
    )
    checked = optout_registry.check_optout(events)
    assertDataFrameEqual(
        checked.select("pid", row_checks.REASON),
        spark.createDataFrame(
            [
                ("a", None),
                (" b ", None),
                ("c", None),
                ("d", "invalid_timestamp"),
                ("e", "unknown_value"),
                ("f", "unknown_value"),
                ("g h", "invalid_pid"),
                ("", "missing_pid"),
                ("i", "malformed_row"),
            ],
            f"pid string, {row_checks.REASON} string",
        ),
    )
    assertDataFrameEqual(
        optout_registry.valid_optout_events(checked),
        spark.createDataFrame(
            [
                ("a", "2025-01-01T10:00:00.000000Z", "optout", "online"),
                ("b", "2025-02-01T10:00:00.000000Z", "withdrawal", "phone"),
                ("c", "2025-03-01T10:00:00.250000Z", "optout", "desk"),
            ],
            "pid string, event_time string, action string, channel string",
        ),
    )


def test_opted_out_frame_holds_the_registry_state(spark: SparkSession) -> None:
    state = {"p2": datetime(2026, 3, 1, 9, tzinfo=UTC), "p1": datetime(2026, 1, 5, 23, 30, tzinfo=UTC)}
    assertDataFrameEqual(
        silver.opted_out_frame(spark, state),
        spark.createDataFrame(
            [("p1", datetime(2026, 1, 5, 23, 30, tzinfo=UTC)), ("p2", datetime(2026, 3, 1, 9, tzinfo=UTC))],
            "pid string, opted_out_at timestamp",
        ),
    )
    assert silver.opted_out_frame(spark, {}).count() == 0


def test_platform_pseudonym_in_spark_equals_python(spark: SparkSession) -> None:
    key = make_key()
    pids = ["p1", "0123456789abcdef", "émile", "x" * 200]
    df = spark.createDataFrame([(p, i) for i, p in enumerate(pids)], "pid string, n int")
    got = silver.with_platform_pseudonym(df, key)
    expected = spark.createDataFrame(
        [(hmac_hex(key, p), i) for i, p in enumerate(pids)], "person_id string, n int"
    )
    assertDataFrameEqual(got, expected)


def test_drop_opted_out_and_quarantine_entries(spark: SparkSession) -> None:
    rows = [
        (claim_row(pid="keep"), False),
        (claim_row(pid="gone"), False),
        (claim_row(pid="bad", code="x"), False),
    ]
    checked = row_checks.check_claims(bronze_claims(spark, rows)).withColumn(
        "_source_file", F.lit("claims.csv")
    )
    opted = spark.createDataFrame([("gone",)], "pid string")
    kept = silver.drop_opted_out(row_checks.typed_valid(checked, Source.CLAIMS), opted).select("pid")
    assertDataFrameEqual(kept, spark.createDataFrame([("keep",)], "pid string"))
    entries = row_checks.quarantine_entries(checked, Source.CLAIMS)
    assertDataFrameEqual(
        entries,
        spark.createDataFrame(
            [("claims", "claims.csv", 4, "invalid_code", "code does not have the expected form", "e1", "r1")],
            "source string, source_file string, source_line bigint, rule string, reason string, "
            "_extract_id string, _run_id string",
        ),
    )


def test_a_key_an_earlier_delivery_brought_is_quarantined(spark: SparkSession) -> None:
    key = make_key()
    # Silver holds p1's 1 January from extract e1 and p1's 2 January from this very extract
    # (a re-run of e2 must not flag its own rows).
    silver_rows = spark.createDataFrame(
        [(hmac_hex(key, "p1"), date(2025, 1, 1), "e1"), (hmac_hex(key, "p1"), date(2025, 1, 2), "e2")],
        "person_id string, day date, _extract_id string",
    )
    checked = spark.createDataFrame(
        [
            ("p1", "2025-01-01", 2, None),
            ("p1", "2025-01-02", 3, None),
            ("p2", "2025-01-01", 4, None),
            ("p1", "2025-01-01", 5, "missing_value"),
        ],
        "pid string, day string, _line int, _reject_reason string",
    )
    got = silver.flag_delivered_before(checked, Source.WELLNESS, silver_rows, key, "e2")
    expected = spark.createDataFrame(
        [
            ("p1", "2025-01-01", 2, "delivered_before"),
            ("p1", "2025-01-02", 3, None),
            ("p2", "2025-01-01", 4, None),
            ("p1", "2025-01-01", 5, "missing_value"),
        ],
        "pid string, day string, _line int, _reject_reason string",
    )
    assertDataFrameEqual(got, expected)
    stays = spark.createDataFrame([("S1", "e1")], "stay_id string, _extract_id string")
    delivered = spark.createDataFrame(
        [("S1", 2, None), ("S2", 3, None)], "stay_id string, _line int, _reject_reason string"
    )
    assertDataFrameEqual(
        silver.flag_delivered_before(delivered, Source.HOSPITAL_STAYS, stays, key, "e2"),
        spark.createDataFrame(
            [("S1", 2, "delivered_before"), ("S2", 3, None)],
            "stay_id string, _line int, _reject_reason string",
        ),
    )
    # Before the first load there is no silver; sources without a key are never flagged.
    assert silver.flag_delivered_before(delivered, Source.HOSPITAL_STAYS, None, key, "e2") is delivered
    assert silver.flag_delivered_before(checked, Source.CLAIMS, silver_rows, key, "e2") is checked
    assert silver.flag_delivered_before(checked, Source.POPULATION, silver_rows, key, "e2") is checked
