"""What the portal shows of the catalogue, in one language: the JSON API's response models,
which the HTML pages render too (so both always show the same)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class Named(BaseModel):
    """A code and its name in the response's language."""

    code: str
    label: str


class Grade(BaseModel):
    """One element of the EHDS quality and utility label."""

    element: str
    name: str
    grade: str = Field(description="A, B, C, D or 'not assessed'")
    grade_label: str
    score: float | None = Field(default=None, description="the measured share behind the grade, 0 to 1")
    level: int = Field(ge=0, le=4, description="4 for A down to 1 for D; 0 when not assessed")


class QualityLabel(BaseModel):
    silver_version: int
    measured_at: datetime
    elements: list[Grade]


class DatasetCard(BaseModel):
    """A dataset as the catalogue lists it."""

    id: str
    language: str
    title: str
    description: str
    themes: list[Named]
    health_categories: list[Named]
    patient_entered: bool = Field(description="data people entered themselves (wellness apps)")
    records: int | None
    quality: QualityLabel | None
    access: Named | None = Field(
        default=None, description="the signed-in researcher's access: none, pending or in_force"
    )


class Organisation(BaseModel):
    id: str
    name: str
    email: str
    homepage: str


class Variable(BaseModel):
    name: str
    title: str
    description: str
    datatype: Named
    code_list: str | None
    coding_system: str | None
    values: list[str]
    free_text: bool


class Version(BaseModel):
    version: int
    published_at: datetime
    rows: int | None


class DatasetPage(DatasetCard):
    """A dataset's whole HealthDCAT-AP description, in one language."""

    keywords: list[str]
    provenance: str
    population_coverage: str | None
    publisher: Organisation
    hdab: Organisation
    custodian: Organisation | None
    temporal_start: date | None
    temporal_end: date | None
    persons: int | None
    min_typical_age: int | None
    max_typical_age: int | None
    coding_systems: list[Named]
    variables: list[Variable]
    versions: list[Version]
    access_rights: str
    applicable_legislation: list[str]
    retention_years: int | None


class Me(BaseModel):
    """The signed-in user, and the CSRF token their state-changing API calls must send."""

    username: str
    display_name: str
    roles: list[Named]
    language: str
    csrf_token: str = Field(description="send it as the X-CSRF-Token header on PUT, POST and DELETE")


class LanguageChoice(BaseModel):
    language: Literal["fr", "nl", "de", "en"]
