"""The vectorised Spark NISS detector: whole-DataFrame tables and agreement with Python.

Numbers are synthetic (``make_niss``). Failure output shows DataFrames of case ids and
booleans only, never the numbers.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from pseudonymisation.niss import contains_niss as python_contains_niss
from pseudonymisation.niss import make_niss
from pseudonymisation.spark_niss import any_column_contains_niss, columns_with_niss, contains_niss, is_niss

CASES = [
    ("pre-2000 compact", "85073003328", True),
    ("pre-2000 printed in a sentence", "NISS 85.07.30-033.28 connu", True),
    ("pre-2000 spaces", "85 07 30 033 28", True),
    ("post-2000", "INSZ 05030101216", True),
    ("post-2000 printed", "05.03.01-012.16", True),
    ("born 1 January 2000", "00010100105", True),
    ("BIS +40", "bis 85473003317", True),
    ("BIS +20, day unknown", "92260004136", True),
    ("unknown month and day", "70000000114", True),
    ("glued to text", "RRN:85073003328;", True),
    ("second candidate valid", "85073003329 / 85073003328", True),
    ("bad checksum", "85073003329", False),
    ("month 13", make_niss(85, 13, 1, 33), False),
    ("month 33", make_niss(85, 33, 1, 33), False),
    ("month 53", make_niss(85, 53, 1, 33), False),
    ("day 32", make_niss(85, 7, 32, 33), False),
    ("serial 000", make_niss(85, 7, 30, 0), False),
    ("twelve digits", "850730033280", False),
    ("ten digits", "8507300332", False),
    ("phone", "0470 12 34 56", False),
    ("slashes", "85/07/30/033/28", False),
    ("empty", "", False),
    ("null", None, False),
]


def test_contains_niss_table(spark: SparkSession) -> None:
    df = spark.createDataFrame([(c, t) for c, t, _ in CASES], "case string, text string")
    got = df.select("case", contains_niss("text").alias("leak"))
    expected = spark.createDataFrame([(c, e) for c, _, e in CASES], "case string, leak boolean")
    assertDataFrameEqual(got, expected)


def test_any_column_and_columns_with_niss(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [
            ("r1", "ok", "fine", 1),
            ("r2", "note 85073003328", None, 2),
            ("r3", "8507300", "3328", 3),
            ("r4", "05030101216", "85.07.30-033.28", 4),
        ],
        "id string, a string, b string, n int",
    )
    got = df.select(
        "id",
        any_column_contains_niss(df, ["a", "b"]).alias("leak"),
        columns_with_niss(df, ["a", "b"]).alias("where"),
    )
    # r3: a number split across two columns is not joined into one.
    expected = spark.createDataFrame(
        [("r1", False, []), ("r2", True, ["a"]), ("r3", False, []), ("r4", True, ["a", "b"])],
        "id string, leak boolean, where array<string>",
    )
    assertDataFrameEqual(got, expected)
    # Default: every string column, ignoring the integer one.
    assert df.where(any_column_contains_niss(df)).count() == 2


def test_the_detector_plan_has_no_python_udf(spark: SparkSession) -> None:
    df = spark.createDataFrame([("x",)], "text string")
    plan = df.select(contains_niss("text"))._jdf.queryExecution().executedPlan().toString()
    assert "BatchEvalPython" not in plan and "ArrowEvalPython" not in plan
    assert "regexp_extract_all" in plan and "exists" in plan


_ALPHABET = string.digits * 4 + " .-\t\n/|:aZé\u00a0"


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Strings around valid and nearly valid numbers in every format."""
    yy, mm = draw(st.integers(0, 99)), draw(st.sampled_from([0, 1, 7, 12, 13, 20, 25, 40, 52, 53]))
    dd, serial = draw(st.integers(0, 33)), draw(st.integers(0, 999))
    number = make_niss(yy, mm, dd, serial, after_1999=draw(st.booleans()))
    if draw(st.booleans()):
        number = number[:-1] + str((int(number[-1]) + draw(st.integers(1, 9))) % 10)
    seps = draw(st.lists(st.sampled_from(["", ".", " ", "-", "\t", "/", "  "]), min_size=4, max_size=4))
    groups = [number[0:2], number[2:4], number[4:6], number[6:9], number[9:11]]
    formatted = groups[0] + "".join(s + g for s, g in zip(seps, groups[1:], strict=True))
    before = draw(st.text(_ALPHABET, max_size=6))
    after = draw(st.text(_ALPHABET, max_size=6))
    return before + formatted + after


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(samples=st.lists(st.one_of(texts(), st.text(_ALPHABET, max_size=30)), min_size=50, max_size=80))
def test_spark_and_python_detectors_agree(spark: SparkSession, samples: list[str]) -> None:
    df = spark.createDataFrame([(i, s) for i, s in enumerate(samples)], "i int, text string")
    got = df.select("i", contains_niss("text").alias("leak"))
    expected = spark.createDataFrame(
        [(i, python_contains_niss(s)) for i, s in enumerate(samples)], "i int, leak boolean"
    )
    assertDataFrameEqual(got, expected)


def test_a_faulty_extract_quarantined_with_the_detector_leaks_no_number(
    spark: SparkSession, caplog: pytest.LogCaptureFixture
) -> None:
    """Plant numbers in a claims-like extract, quarantine the rows that leak one the way
    the bronze load will (rule + column names), log the counts, and scan everything that
    was written or logged for any valid number."""
    from common.logging import get_logger, safe

    planted = ["85.07.30-033.28", "05030101216", "92 26 00 041 36"]
    rows = [
        ("p1", "101010", "ok"),
        ("p2", planted[0], "ok"),
        ("p3", "101010", f"see {planted[1]}"),
        ("p4", "102012", planted[2]),
        ("p5", "85073003329", "check digits wrong"),
    ]
    df = spark.createDataFrame(rows, "pid string, nomenclature_code string, comment string")
    flagged = df.select("*", columns_with_niss(df).alias("_niss_columns"))
    quarantine = flagged.where(F.size("_niss_columns") > 0).select(
        F.lit("claims").alias("source"),
        F.lit("niss_leak").alias("rule"),
        F.concat(F.lit("national register number in column(s) "), F.array_join("_niss_columns", ", ")).alias(
            "reason"
        ),
    )
    loaded = flagged.where(F.size("_niss_columns") == 0).drop("_niss_columns")
    counts = {"quarantined": quarantine.count(), "loaded": loaded.count()}
    with caplog.at_level("INFO", logger="haven"):
        log = get_logger("tests.niss_scan")
        log.info("bronze_niss_scan", source=safe("claims"), **counts)
        # A careless call with a value is redacted by the safe logger.
        log.warning("careless", value=planted[0])
    assert counts == {"quarantined": 3, "loaded": 2}
    written = [" ".join(str(v) for v in r) for r in quarantine.collect()]
    assertDataFrameEqual(
        quarantine.select("reason"),
        spark.createDataFrame(
            [
                ("national register number in column(s) nomenclature_code",),
                ("national register number in column(s) comment",),
                ("national register number in column(s) comment",),
            ],
            "reason string",
        ),
    )
    leaks = sum(
        python_contains_niss(text) or any(p in text for p in planted) for text in [*written, caplog.text]
    )
    assert leaks == 0


def test_exact_columns_flag_only_whole_values(spark: SparkSession) -> None:
    # An opaque TTP token may hold a valid 11-digit run by chance; only a pid that *is* a
    # number is a leak.
    df = spark.createDataFrame(
        [
            ("r1", "ab85073003328c", "ok"),
            ("r2", " 85.07.30-033.28 ", "ok"),
            ("r3", "f00d", "85073003328"),
            ("r4", None, None),
        ],
        "id string, pid string, note string",
    )
    got = df.select(
        "id",
        is_niss("pid").alias("whole"),
        any_column_contains_niss(df, ["pid", "note"], exact=["pid"]).alias("leak"),
        columns_with_niss(df, ["note"], exact=["pid"]).alias("where"),
    )
    expected = spark.createDataFrame(
        [
            ("r1", False, False, []),
            ("r2", True, True, ["pid"]),
            ("r3", False, True, ["note"]),
            ("r4", False, False, []),
        ],
        "id string, whole boolean, leak boolean, where array<string>",
    )
    assertDataFrameEqual(got, expected)
