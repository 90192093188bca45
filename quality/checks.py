"""Expectations with their severity and quality dimension, kept in the suite definition.

A ``Check`` wraps one Great Expectations expectation; its severity (critical checks gate
silver, warnings are recorded) and its EHDS quality dimension travel in the expectation's
``meta``, so the suite itself says what matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import great_expectations.expectations as gxe


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"


class Dimension(StrEnum):
    """Technical quality dimensions of the EHDS data quality and utility label (Art 78)."""

    COMPLETENESS = "completeness"
    UNIQUENESS = "uniqueness"
    ACCURACY = "accuracy"
    VALIDITY = "validity"
    TIMELINESS = "timeliness"
    CONSISTENCY = "consistency"


@dataclass(frozen=True)
class Check:
    expectation: gxe.Expectation
    severity: Severity
    dimension: Dimension

    @property
    def name(self) -> str:
        """A stable, value-free name: expectation type and the columns it looks at."""
        exp = self.expectation
        columns = (
            getattr(exp, "column", None)
            or getattr(exp, "column_list", None)
            or [c for c in (getattr(exp, "column_A", None), getattr(exp, "column_B", None)) if c]
        )
        label = ",".join(columns) if isinstance(columns, list) else str(columns)
        return f"{exp.expectation_type}({label})" if label else exp.expectation_type


def _with_meta(exp: gxe.Expectation, severity: Severity, dimension: Dimension) -> Check:
    exp.meta = {**(exp.meta or {}), "severity": severity.value, "dimension": dimension.value}
    return Check(exp, severity, dimension)


def critical(exp: gxe.Expectation, dimension: Dimension) -> Check:
    """A check whose failure stops the source from reaching silver."""
    return _with_meta(exp, Severity.CRITICAL, dimension)


def warning(exp: gxe.Expectation, dimension: Dimension) -> Check:
    """A check whose failure is recorded and shown, but lets the data through."""
    return _with_meta(exp, Severity.WARNING, dimension)
