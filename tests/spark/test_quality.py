"""Great Expectations suites, the gate and the label on real Spark DataFrames."""

from datetime import date

import pytest
from pyspark.sql import SparkSession

from jobs import silver
from quality.gate import QualityGateFailed, check_gate, passes_gate, summary
from quality.label import Coverage, label
from quality.suites import SuiteContext, claims_suite, prepare
from quality.validate import ValidationReport, validate
from tests.factories import CLAIM_HEADER, claim_row

BRONZE_COLUMNS = [*CLAIM_HEADER, "_malformed", "_extract_id", "_run_id"]
RUN_DATE = date(2026, 2, 1)


def frame(spark: SparkSession, rows: list[list[str]], malformed: int = 0):
    data = [(*r, False, "e1", "r1") for r in rows] + [(*claim_row(pid=f"m{i}"), True, "e1", "r1")
                                                      for i in range(malformed)]
    schema = ", ".join(f"{c} {'boolean' if c == '_malformed' else 'string'}" for c in BRONZE_COLUMNS)
    checked = silver.check_claims(spark.createDataFrame(data, schema))
    return prepare(silver.typed_claims_all(checked), None)


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
    report = validate(frame(spark, rows, malformed=4), "claims",
                      claims_suite(SuiteContext(run_date=RUN_DATE)))
    assert not passes_gate(report)
    assert [o.name for o in report.critical_failures] == [
        "expect_column_values_to_be_null(_reject_reason)",
        "expect_column_values_to_be_between(service_date)",
    ]
    text = summary(report)
    assert text == ("claims: 2 critical expectation(s) failed: "
                    "expect_column_values_to_be_null(_reject_reason): 4 of 44 rows; "
                    "expect_column_values_to_be_between(service_date): 5 of 44 rows")
    with pytest.raises(QualityGateFailed, match="2 critical"):
        check_gate(report)


def test_duplicates_and_volume_are_warnings(spark: SparkSession) -> None:
    rows = [claim_row(pid="same")] * 10
    report = validate(frame(spark, rows), "claims",
                      claims_suite(SuiteContext(run_date=RUN_DATE, previous_rows=100)))
    assert passes_gate(report)
    assert sorted(o.name for o in report.warnings) == [
        "expect_compound_columns_to_be_unique(pid,nomenclature_code,service_date,provider_id,"
        "amount_reimbursed)",
        "expect_table_row_count_to_be_between",
    ]


def test_label_grades_follow_the_measurements(spark: SparkSession) -> None:
    rows = [claim_row(pid=f"p{i}", provider_id="" if i < 4 else "PRV1") for i in range(40)]
    report = validate(frame(spark, rows), "claims", claims_suite(SuiteContext(run_date=RUN_DATE)))
    result = label(report, Coverage(persons=40, population=50, first_date="2025-03-01",
                                    last_date="2025-03-01"), documented_share=1.0, linkable=True)
    tech = result["technical_quality"]
    # Row count met (1.0), provider_id blank in 4 of 40 rows (0.9): mean 0.95 -> C.
    assert tech["completeness"] == {"score": 0.95, "grade": "C", "expectations": 2}
    assert tech["timeliness"]["grade"] == "A"
    assert result["coverage"]["grade"] == "B"
    assert result["documentation"]["grade"] == "A"
    assert ValidationReport.from_dict(report.as_dict()) == report
