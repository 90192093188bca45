"""The quality gate: a delivery whose critical expectations fail does not reach silver.

``check_gate`` raises ``QualityGateFailed`` with a readable summary (expectation names and
counts, never values); ``passes_gate`` is the same rule as a bool.
"""

from __future__ import annotations

from quality.errors import QualityGateFailed
from quality.validate import ExpectationOutcome, ValidationReport


def describe(outcome: ExpectationOutcome) -> str:
    if outcome.unexpected_count is not None and outcome.element_count:
        return f"{outcome.name}: {outcome.unexpected_count} of {outcome.element_count} rows"
    if outcome.observed_rows is not None:
        return f"{outcome.name}: {outcome.observed_rows} rows"
    return f"{outcome.name}: failed"


def summary(report: ValidationReport) -> str:
    failures = report.critical_failures
    if not failures:
        return f"{report.source}: passed ({len(report.warnings)} warning(s))"
    return f"{report.source}: {len(failures)} critical expectation(s) failed: " + "; ".join(
        describe(o) for o in failures
    )


def check_gate(report: ValidationReport) -> None:
    if report.critical_failures:
        raise QualityGateFailed(summary(report))


def passes_gate(report: ValidationReport) -> bool:
    return not report.critical_failures
