"""Cohort criteria, anonymisation and disclosure terms of a permit, as data (EHDS Art 68: the
permit states which people's data, in which form).

They come from the application file (``cohort_rules:``, ``anonymisation:``, ``disclosure:``),
are validated there with the place of every problem, stored in the catalogue as JSON and
published in the register. The publishing job (``jobs.publishing``) turns the first two
into Spark filters, the SPE (``spe.service``) applies the third; nothing here touches data.

Codes are matched by prefix in the coded silver sources of ``CODED_SOURCES``, on rows dated
inside the permit's data period. Ages are computed at the reference date from the birth
year and month (the day is unknown), counting the birthday as reached in its month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from common.layout import Source
from common.thresholds import DISCLOSURE


@dataclass(frozen=True)
class CodedSource:
    """A silver source whose rows carry codes a cohort can select on."""

    coding: str
    date_column: str
    code_columns: tuple[str, ...]  # a column may hold several codes separated by ``|``


CODED_SOURCES: dict[Source, CodedSource] = {
    Source.CLAIMS: CodedSource("RIZIV/INAMI nomenclature", "service_date", ("nomenclature_code",)),
    Source.PHARMACY: CodedSource("ATC", "delivery_date", ("atc_code",)),
    Source.HOSPITAL_STAYS: CodedSource(
        "ICD-10-CM", "admission_date", ("main_diagnosis", "secondary_diagnoses")
    ),
    Source.LAB_RESULTS: CodedSource("LOINC", "sample_date", ("loinc_code",)),
}
CodedSourceName = Literal["claims", "pharmacy", "hospital_stays", "lab_results"]
CodePrefix = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,9}$")
]
ProvinceCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgeRange(_Model):
    """Ages in whole years at ``at`` (default: the first day of the permit's data period)."""

    min: int | None = Field(default=None, ge=0, le=120)
    max: int | None = Field(default=None, ge=0, le=120)
    at: date | None = None

    @model_validator(mode="after")
    def _bounds(self) -> AgeRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError("max is below min")
        return self


class CodeCriterion(_Model):
    """Has at least one code starting with one of ``prefixes`` in ``source`` during the period."""

    source: CodedSourceName = Field(
        description="claims (nomenclature), pharmacy (ATC) or hospital_stays (ICD-10-CM diagnoses)"
    )
    prefixes: Annotated[tuple[CodePrefix, ...], Field(min_length=1, max_length=50)]


class CohortRules(_Model):
    """Who is in the study population; every criterion given must hold (they combine with AND)."""

    age: AgeRange | None = None
    sex: Annotated[tuple[Literal["M", "F"], ...], Field(min_length=1)] | None = None
    provinces: Annotated[tuple[ProvinceCode, ...], Field(min_length=1)] | None = Field(
        default=None, description="NIS codes of provinces (04000 for Brussels-Capital)"
    )
    codes: tuple[CodeCriterion, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> CohortRules:
        if self.age is None and self.sex is None and self.provinces is None and not self.codes:
            raise ValueError("give at least one criterion (age, sex, provinces or codes)")
        return self

    @property
    def needs_population(self) -> bool:
        return self.age is not None or self.sex is not None or self.provinces is not None

    def sources(self) -> tuple[Source, ...]:
        """The silver sources the cohort is computed from, population first."""
        coded = tuple(dict.fromkeys(Source(c.source) for c in self.codes))
        return ((Source.POPULATION,) if self.needs_population else ()) + coded


class Anonymisation(_Model):
    """How an anonymised permit's data are generalised, and the k its build must reach.

    ``k`` can only raise the platform's minimum (``HAVEN_K_ANONYMITY``), never lower it.
    """

    k: int | None = Field(default=None, ge=2, le=1000)
    birth: Literal["year", "band5"] = "band5"
    place: Literal["arrondissement", "province"] = "province"

    def required_k(self, minimum: int) -> int:
        return max(minimum, self.k or 0)


class Disclosure(_Model):
    """A permit's stricter disclosure control in the SPE; unset fields keep the platform's.

    Each field can only make the platform's rule stricter (more persons per cell, a larger
    p %, a larger n or a smaller k % in the nk dominance rule, coarser rounding), never looser.
    """

    min_persons: int | None = Field(default=None, ge=1, le=1000)
    p_percent: float | None = Field(default=None, ge=0, le=100)
    nk_n: int | None = Field(default=None, ge=1, le=10)
    nk_k_percent: float | None = Field(default=None, gt=0, le=100)
    rounding_base: int | None = Field(default=None, ge=0, le=1000)

    def overrides(self) -> dict[str, float]:
        """The fields the permit sets."""
        return {name: value for name, value in self.model_dump().items() if value is not None}

    def looser_than(self, platform: dict[str, float]) -> list[str]:
        """The fields that would relax ``platform``'s rule of the same name."""
        return [
            name
            for name, value in self.overrides().items()
            if DISCLOSURE[name].is_looser(value, platform[name])
        ]


def describe(rules: CohortRules) -> str:
    """One line for people: the criteria, no data."""
    parts = []
    if rules.age is not None:
        at = f" at {rules.age.at}" if rules.age.at else " at the period start"
        low = "" if rules.age.min is None else f"{rules.age.min}"
        high = "" if rules.age.max is None else f"{rules.age.max}"
        parts.append(f"aged {low or '0'}-{high or 'any'}{at}")
    if rules.sex is not None:
        parts.append("sex " + "/".join(rules.sex))
    if rules.provinces is not None:
        parts.append("provinces " + ",".join(rules.provinces))
    for criterion in rules.codes:
        coding = CODED_SOURCES[Source(criterion.source)].coding
        parts.append(
            f"any {coding} code {'|'.join(p + '*' for p in criterion.prefixes)} "
            f"in {criterion.source} during the period"
        )
    return "; ".join(parts)
