"""HealthDCAT-AP metadata of a catalogue dataset, validated (pydantic).

Every text a citizen reads is given in French, Dutch, German and English. Vocabulary terms
are kept as codes here and become IRIs in the RDF export (``catalog.datasets.rdf``); how a
description is assembled and published is ``catalog.datasets.descriptions``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from catalog.audit.store import AuditStore
from catalog.datasets.domain import DatasetRecord
from catalog.datasets.store import DatasetStore

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,80}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Multilingual(_Model):
    """One text in Belgium's three languages and English."""

    fr: Text
    nl: Text
    de: Text
    en: Text


LANGUAGES = ("fr", "nl", "de", "en")


class Agent(_Model):
    """An organisation (publisher, health data access body, custodian) and how to reach it."""

    id: Code
    name: Multilingual
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")]
    homepage: Annotated[str, StringConstraints(pattern=r"^https://\S+$")]
    type: Literal[
        "NationalAuthority",
        "Academia-ScientificOrganisation",
        "NonProfitOrganisation",
        "Company",
        "RegionalAuthority",
    ] = "NationalAuthority"


class Variable(_Model):
    """One column of the dataset's column dictionary, as the data has it."""

    name: Code
    title: Text
    description: Text
    datatype: Literal["string", "integer", "decimal", "date", "boolean"]
    code_list: Code | None = None  # the reference table its codes must come from
    coding_system: Code | None = None  # key of CODING_SYSTEMS
    values: list[Text] = []  # the allowed values, where the rules fix them
    free_text: bool = False  # de-identified text: only for pseudonymised permits that ask


# Terminologies used in Belgian health data, by a stable IRI: the FHIR canonical URI where one
# exists; Haven's own vocabulary IRI for the RIZIV/INAMI nomenclature, which has none.
HAVEN_VOCAB = "https://haven.example.be/vocab/"
CODING_SYSTEMS: dict[str, tuple[str, str]] = {
    "icd-10-cm": ("http://hl7.org/fhir/sid/icd-10-cm", "ICD-10-CM (diagnoses, Minimal Hospital Data)"),
    "icd-10-pcs": ("http://www.cms.gov/Medicare/Coding/ICD10", "ICD-10-PCS (procedures)"),
    "atc": ("http://www.whocc.no/atc", "Anatomical Therapeutic Chemical classification (ATC)"),
    "riziv-inami-nomenclature": (
        f"{HAVEN_VOCAB}coding-system/riziv-inami-nomenclature",
        "RIZIV/INAMI nomenclature of health care services",
    ),
    "cnk": (f"{HAVEN_VOCAB}coding-system/cnk", "CNK codes of medicinal products (Belgium)"),
    "apr-drg": (f"{HAVEN_VOCAB}coding-system/apr-drg", "All Patient Refined Diagnosis Related Groups"),
    "loinc": ("http://loinc.org", "LOINC (laboratory tests)"),
    "ucum": ("http://unitsofmeasure.org", "UCUM (units of measure)"),
}
# Health categories (EHDS Art 51 data categories) in Haven's vocabulary, until the
# HealthDCAT-AP controlled vocabulary's IRIs are pinned here.
HEALTH_CATEGORIES: dict[str, str] = {
    "EHR": "Electronic health records",
    "ADMINISTRATIVE_CLAIMS": "Healthcare-related administrative data, including claims and reimbursement",
    "DISPENSATION": "Medicinal product dispensation data",
    "REGISTRY": "Population-based health data registries",
    "WELLNESS": "Data from wellness applications entered by people themselves",
    "DETERMINANTS": "Data on factors affecting health, including socio-economic and environmental",
    "LABORATORY": "Laboratory results and medical imaging",
}
# The EU data themes (Publications Office authority table) a dataset may be filed under.
THEMES = frozenset(
    {
        "AGRI",
        "ECON",
        "EDUC",
        "ENER",
        "ENVI",
        "GOVE",
        "HEAL",
        "INTR",
        "JUST",
        "OP_DATPRO",
        "REGI",
        "SOCI",
        "TECH",
        "TRAN",
    }
)


class DatasetMetadata(_Model):
    """What the catalogue publishes about one dataset (HealthDCAT-AP, NON_PUBLIC level)."""

    identifier: Code
    source: Code = Field(description="the lake source the dataset is built from")
    title: Multilingual
    description: Multilingual
    keywords: dict[Literal["fr", "nl", "de", "en"], list[Text]]
    publisher: Agent
    hdab: Agent
    custodian: Agent | None = None
    access_rights: Literal["NON_PUBLIC"] = "NON_PUBLIC"
    # ELI of Regulation (EU) 2025/327 (EHDS), the legislation that makes the dataset available.
    applicable_legislation: list[str] = ["http://data.europa.eu/eli/reg/2025/327/oj"]
    health_categories: Annotated[list[Code], Field(min_length=1)]
    themes: Annotated[list[Code], Field(min_length=1)] = ["HEAL"]  # EU data themes
    dataset_type: Code = "PERSONAL_DATA"  # EU dataset types
    provenance: Multilingual
    temporal_start: date | None = None  # from the data; none for a dataset without event dates
    temporal_end: date | None = None
    spatial: Code = "BEL"  # EU countries authority table
    number_of_records: int | None = Field(default=None, ge=0)
    number_of_unique_individuals: int | None = Field(default=None, ge=0)
    min_typical_age: int | None = Field(default=None, ge=0)
    max_typical_age: int | None = Field(default=None, ge=0)
    population_coverage: Multilingual | None = None
    coding_systems: list[Code] = []  # keys of CODING_SYSTEMS
    code_values: list[Text] = []
    personal_data: list[Code] = []  # DPV personal data categories (dpv-pd)
    legal_basis: list[Code] = []  # DPV legal bases
    purpose: list[Code] = []  # DPV purposes
    retention_years: int | None = Field(default=None, ge=1)
    variables: Annotated[list[Variable], Field(min_length=1)]
    date_column: Code | None = Field(
        default=None, description="the variable that dates a row (permit periods apply to it), if any"
    )
    patient_entered: bool = Field(default=False, description="data entered by patients (wellness apps)")
    quality_label: Text | None = None

    @model_validator(mode="after")
    def _coherent(self) -> DatasetMetadata:
        systems = [*self.coding_systems, *(v.coding_system for v in self.variables if v.coding_system)]
        unknown = [c for c in systems if c not in CODING_SYSTEMS]
        unknown += [c for c in self.health_categories if c not in HEALTH_CATEGORIES]
        if unknown:
            raise ValueError(f"unknown coding system or health category: {', '.join(unknown)}")
        themes = [t for t in self.themes if t not in THEMES]
        if themes:
            raise ValueError(
                f"unknown theme: {', '.join(themes)} (EU data themes: {', '.join(sorted(THEMES))})"
            )
        missing = [lang for lang in LANGUAGES if not self.keywords.get(lang)]  # type: ignore[call-overload]
        if missing:
            raise ValueError(f"keywords: none in {', '.join(missing)}")
        if self.date_column is not None and self.date_column not in {v.name for v in self.variables}:
            raise ValueError(f"date_column {self.date_column!r} is not one of the variables")
        if self.temporal_end is not None and (
            self.temporal_start is None or self.temporal_end < self.temporal_start
        ):
            raise ValueError("temporal coverage ends before it starts")
        if (
            self.min_typical_age is not None
            and self.max_typical_age is not None
            and self.max_typical_age < self.min_typical_age
        ):
            raise ValueError("max_typical_age is below min_typical_age")
        return self


class CatalogueStore(DatasetStore, AuditStore, Protocol):
    """The stores the catalogue service writes."""


def metadata_of(record: DatasetRecord) -> DatasetMetadata:
    return DatasetMetadata.model_validate(record.metadata)
