"""Running a suite on a Spark DataFrame with Great Expectations (GX Core 1.x).

Results are requested in the ``BASIC`` format with no partial unexpected values, and only
counts are kept from them (element, unexpected and missing counts, observed row counts),
so no row value leaves this module.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from pyspark.sql import DataFrame

from quality.checks import Check, Dimension, Severity

_RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0, "include_unexpected_rows": False}
_KEPT = ("element_count", "unexpected_count", "missing_count")


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str
    severity: Severity
    dimension: Dimension
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    missing_count: int | None = None
    observed_rows: int | None = None

    @property
    def pass_rate(self) -> float:
        """Share of the rows that met the expectation (1.0 or 0.0 for table-level ones)."""
        if self.element_count and self.unexpected_count is not None:
            return 1.0 - self.unexpected_count / self.element_count
        return 1.0 if self.success else 0.0


@dataclass(frozen=True)
class ValidationReport:
    source: str
    outcomes: tuple[ExpectationOutcome, ...]

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.severity is Severity.CRITICAL and not o.success]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.severity is Severity.WARNING and not o.success]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "passed": not self.critical_failures,
            "outcomes": [
                {**asdict(o), "severity": o.severity.value, "dimension": o.dimension.value}
                for o in self.outcomes
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        outcomes = tuple(
            ExpectationOutcome(
                **{**o, "severity": Severity(o["severity"]), "dimension": Dimension(o["dimension"])}
            )
            for o in data["outcomes"]
        )
        return cls(source=data["source"], outcomes=outcomes)


@lru_cache(maxsize=1)
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    # In memory, with no data docs site: nothing is rendered outside the platform's folders.
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_spark(name="haven")
    return context


def _batch_definition(source: str) -> Any:
    data_source = _context().data_sources.get("haven")
    try:
        asset = data_source.get_asset(source)
    except LookupError:
        asset = data_source.add_dataframe_asset(name=source)
    try:
        return asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        return asset.add_batch_definition_whole_dataframe("whole")


# GX's context and its in-memory stores are not made for threads: one validation at a time
# (the pipeline refines two sources side by side; the other's Spark writes go on meanwhile).
_ONE_AT_A_TIME = threading.Lock()


def validate(df: DataFrame, source: str, checks: list[Check]) -> ValidationReport:
    """Validate ``df`` against ``checks`` and keep counts only."""
    with _ONE_AT_A_TIME:
        return _validate(df, source, checks)


def _validate(df: DataFrame, source: str, checks: list[Check]) -> ValidationReport:
    import great_expectations as gx

    batch_definition = _batch_definition(source)  # creates the context suites need
    suite = gx.ExpectationSuite(name=f"{source}-suite")
    for index, check in enumerate(checks):
        check.expectation.meta = {**(check.expectation.meta or {}), "check_index": index}
        suite.add_expectation(check.expectation)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(suite, result_format=_RESULT_FORMAT)
    outcomes: list[tuple[int, ExpectationOutcome]] = []
    for item in result.results:
        index = int(item.expectation_config.meta["check_index"])
        check = checks[index]
        counts = {k: item.result.get(k) for k in _KEPT}
        observed = item.result.get("observed_value")
        outcomes.append(
            (
                index,
                ExpectationOutcome(
                    name=check.name,
                    severity=check.severity,
                    dimension=check.dimension,
                    success=bool(item.success),
                    observed_rows=observed
                    if isinstance(observed, int) and "row_count" in check.name
                    else None,
                    **{k: (int(v) if v is not None else None) for k, v in counts.items()},
                ),
            )
        )
    # In suite order, whatever order GX computed them in.
    return ValidationReport(source=source, outcomes=tuple(o for _, o in sorted(outcomes)))
