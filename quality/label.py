"""The EHDS data quality and utility label (Art 78), derived from what was measured.

Each element gets a grade on a small published scale, from what the pipeline actually
measured: the validation outcomes per technical dimension, coverage of the population and
period, and the documentation of the columns. Elements that nothing measures yet are
reported as ``not assessed`` rather than guessed.

Scale (per element): A (excellent), B (good), C (fair), D (poor). Technical dimensions
are graded on the mean pass rate of their expectations: A ≥ 99.5 %, B ≥ 98 %, C ≥ 90 %,
else D. Coverage: A ≥ 95 % of the population, B ≥ 75 %, C ≥ 50 %, else D. Documentation:
the share of columns with a description, same thresholds as coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quality.checks import Dimension
from quality.validate import ValidationReport

NOT_ASSESSED = "not assessed"
TECHNICAL_THRESHOLDS = ((0.995, "A"), (0.98, "B"), (0.90, "C"))
SHARE_THRESHOLDS = ((0.95, "A"), (0.75, "B"), (0.50, "C"))


def grade(value: float | None, thresholds: tuple[tuple[float, str], ...]) -> str:
    if value is None:
        return NOT_ASSESSED
    for floor, letter in thresholds:
        if value >= floor:
            return letter
    return "D"


@dataclass(frozen=True)
class Coverage:
    persons: int
    population: int | None
    first_date: str | None
    last_date: str | None

    @property
    def share(self) -> float | None:
        return self.persons / self.population if self.population else None


def technical_quality(report: ValidationReport) -> dict[str, Any]:
    """Per dimension: the mean pass rate of its expectations and its grade."""
    out: dict[str, Any] = {}
    for dimension in Dimension:
        rates = [o.pass_rate for o in report.outcomes if o.dimension is dimension]
        mean = sum(rates) / len(rates) if rates else None
        out[dimension.value] = {
            "score": round(mean, 4) if mean is not None else None,
            "grade": grade(mean, TECHNICAL_THRESHOLDS),
            "expectations": len(rates),
        }
    return out


def label(
    report: ValidationReport, coverage: Coverage, documented_share: float, *, linkable: bool
) -> dict[str, Any]:
    """The label of one dataset version; ``linkable``: rows carry the platform pseudonym."""
    dimensions_checked = {o.dimension for o in report.outcomes}
    return {
        "scale": "A (excellent) > B (good) > C (fair) > D (poor)",
        "documentation": {
            "score": round(documented_share, 4),
            "grade": grade(documented_share, SHARE_THRESHOLDS),
        },
        "technical_quality": technical_quality(report),
        "quality_management": {
            "score": round(len(dimensions_checked) / len(Dimension), 4),
            "grade": grade(len(dimensions_checked) / len(Dimension), SHARE_THRESHOLDS),
            "basis": "share of technical dimensions covered by a versioned suite with a gate",
        },
        "coverage": {
            "persons": coverage.persons,
            "population": coverage.population,
            "period": [coverage.first_date, coverage.last_date],
            "grade": grade(coverage.share, SHARE_THRESHOLDS),
        },
        "access_delays": {"grade": NOT_ASSESSED},
        "enrichments": {
            "grade": "B" if linkable else "D",
            "basis": "linkable to other sources by platform pseudonym" if linkable else "not linkable",
        },
    }
