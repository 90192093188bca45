"""Great Expectations suites, the gate and the label on real Spark DataFrames."""

from datetime import date, datetime

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from common.layout import Source
from jobs import silver
from pseudonymisation.keyed_hash import hmac_hex
from quality import row_checks
from quality.errors import QualityGateFailed
from quality.gate import check_gate, passes_gate, summary
from quality.label import Coverage, label
from quality.suites import SuiteContext, claims_suite, derived, prepare
from quality.validate import ValidationReport, validate
from tests.factories import CLAIM_HEADER, claim_row, make_key

BRONZE_COLUMNS = [*CLAIM_HEADER, "_malformed", "_extract_id", "_run_id"]
RUN_DATE = date(2026, 2, 1)


def frame(spark: SparkSession, rows: list[list[str]], malformed: int = 0):
    data = [(*r, False, "e1", "r1") for r in rows] + [
        (*claim_row(pid=f"m{i}"), True, "e1", "r1") for i in range(malformed)
    ]
    schema = ", ".join(f"{c} {'boolean' if c == '_malformed' else 'string'}" for c in BRONZE_COLUMNS)
    checked = row_checks.check_claims(spark.createDataFrame(data, schema))
    return prepare(row_checks.typed_all(checked, Source.CLAIMS), None)


def outcome(report: ValidationReport, name: str):
    (found,) = [o for o in report.outcomes if o.name == name]
    return found


def test_clean_delivery_passes_with_counts(spark: SparkSession) -> None:
    rows = [claim_row(pid=f"p{i}", provider_id=f"PRV{i:05d}") for i in range(40)]
    report = validate(frame(spark, rows), "claims", claims_suite(SuiteContext(run_date=RUN_DATE)))
    assert passes_gate(report)
    assert [o.name for o in report.outcomes] == [
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_be_null(_reject_reason)",
        "expect_column_values_to_be_between(service_date)",
        "expect_column_values_to_not_be_null(provider_id)",
        "expect_column_values_to_be_between(amount_reimbursed)",
        "expect_compound_columns_to_be_unique(pid,nomenclature_code,service_date,provider_id,"
        "amount_reimbursed)",
    ]
    assert outcome(report, "expect_table_row_count_to_be_between").observed_rows == 40
    null_reason = outcome(report, "expect_column_values_to_be_null(_reject_reason)")
    assert (null_reason.element_count, null_reason.unexpected_count) == (40, 0)


def test_too_many_quarantined_rows_and_future_dates_stop_the_gate(spark: SparkSession) -> None:
    rows = [claim_row(pid=f"p{i}", day="2026-06-01" if i < 5 else "2025-06-01") for i in range(40)]
    report = validate(
        frame(spark, rows, malformed=4), "claims", claims_suite(SuiteContext(run_date=RUN_DATE))
    )
    assert not passes_gate(report)
    assert [o.name for o in report.critical_failures] == [
        "expect_column_values_to_be_null(_reject_reason)",
        "expect_column_values_to_be_between(service_date)",
    ]
    text = summary(report)
    assert text == (
        "claims: 2 critical expectation(s) failed: "
        "expect_column_values_to_be_null(_reject_reason): 4 of 44 rows; "
        "expect_column_values_to_be_between(service_date): 5 of 44 rows"
    )
    with pytest.raises(QualityGateFailed, match="2 critical"):
        check_gate(report)


def test_duplicates_and_volume_are_warnings(spark: SparkSession) -> None:
    rows = [claim_row(pid="same")] * 10
    report = validate(
        frame(spark, rows), "claims", claims_suite(SuiteContext(run_date=RUN_DATE, previous_rows=100))
    )
    assert passes_gate(report)
    assert sorted(o.name for o in report.warnings) == [
        "expect_compound_columns_to_be_unique(pid,nomenclature_code,service_date,provider_id,"
        "amount_reimbursed)",
        "expect_table_row_count_to_be_between",
    ]


def test_label_grades_follow_the_measurements(spark: SparkSession) -> None:
    rows = [claim_row(pid=f"p{i}", provider_id="" if i < 4 else "PRV1") for i in range(40)]
    report = validate(frame(spark, rows), "claims", claims_suite(SuiteContext(run_date=RUN_DATE)))
    result = label(
        report,
        Coverage(persons=40, population=50, first_date="2025-03-01", last_date="2025-03-01"),
        documented_share=1.0,
        linkable=True,
    )
    tech = result["technical_quality"]
    # Row count met (1.0), provider_id blank in 4 of 40 rows (0.9): mean 0.95 -> C.
    assert tech["completeness"] == {"score": 0.95, "grade": "C", "expectations": 2}
    assert tech["timeliness"]["grade"] == "A"
    assert result["coverage"]["grade"] == "B"
    assert result["documentation"]["grade"] == "A"
    assert ValidationReport.from_dict(report.as_dict()) == report


def test_people_outside_the_population_and_care_after_death_are_flagged(spark: SparkSession) -> None:
    key = make_key()
    rows = [claim_row(pid=f"p{i}", provider_id="PRV1") for i in range(20)] + [
        claim_row(pid="ghost", provider_id="PRV1"),
        claim_row(pid="dead", provider_id="PRV1", day="2025-09-01"),
        claim_row(pid="gone", provider_id="PRV1"),
    ]
    data = [(*r, False, "e1", "r1") for r in rows]
    schema = ", ".join(f"{c} {'boolean' if c == '_malformed' else 'string'}" for c in BRONZE_COLUMNS)
    typed = row_checks.typed_all(row_checks.check_claims(spark.createDataFrame(data, schema)), Source.CLAIMS)
    population = spark.createDataFrame(
        [(hmac_hex(key, f"p{i}"), None) for i in range(20)] + [(hmac_hex(key, "dead"), date(2025, 8, 1))],
        "person_id string, death_date date",
    )
    opted_out = spark.createDataFrame([("gone", datetime(2025, 1, 1))], "pid string, opted_out_at timestamp")

    judged = silver.with_population_facts(typed, population, opted_out, key, "service_date")

    facts = judged.where("pid in ('p0', 'ghost', 'dead', 'gone')").select(
        "pid", "_known_person", "_after_death"
    )
    expected = spark.createDataFrame(
        [("p0", True, False), ("ghost", False, None), ("dead", True, True), ("gone", None, None)],
        "pid string, _known_person boolean, _after_death boolean",
    )
    assertDataFrameEqual(facts, expected)
    report = validate(
        prepare(judged), "claims", claims_suite(SuiteContext(run_date=RUN_DATE, population_known=True))
    )
    assert passes_gate(report)  # warnings: shown, recorded, not blocking
    assert {(o.name, o.unexpected_count) for o in report.warnings} == {
        ("expect_column_values_to_be_in_set(_known_person)", 1),
        ("expect_column_values_to_be_in_set(_after_death)", 1),
    }


def test_lab_units_and_implausible_values_are_flagged(spark: SparkSession) -> None:
    # HbA1c (4548-4) is reported in %, plausible from 3.5 to 16 (common/reference_tables/loinc.csv).
    df = spark.createDataFrame(
        [("4548-4", 6.1, "%"), ("4548-4", 61.0, "%"), ("4548-4", 6.1, "mmol/mol"), ("4548-4", None, "%")],
        "loinc_code string, value double, unit string",
    )
    got = derived(Source.LAB_RESULTS, df)
    expected = spark.createDataFrame(
        [
            ("4548-4", 6.1, "%", True, True),
            ("4548-4", 61.0, "%", True, False),
            ("4548-4", 6.1, "mmol/mol", False, True),
            ("4548-4", None, "%", True, None),
        ],
        "loinc_code string, value double, unit string, _expected_unit boolean, _plausible_value boolean",
    )
    assertDataFrameEqual(got, expected)
