"""HealthDCAT-AP metadata of a catalogue dataset, validated (pydantic), and the catalogue service.

Every text a citizen reads is given in French, Dutch and English. Vocabulary terms are kept
as codes here and become IRIs in the RDF export (``catalog.datasets.rdf``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from catalog.audit import trail
from catalog.audit.store import AuditStore
from catalog.datasets.domain import DatasetRecord
from catalog.datasets.store import DatasetStore
from catalog.people.domain import User
from catalog.people.roles import Operation, check_can

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,80}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Multilingual(_Model):
    """One text in the three languages of Belgium's public services."""

    fr: Text
    nl: Text
    en: Text


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
    """One column of the dataset's column dictionary."""

    name: Code
    title: Text
    description: Text
    datatype: Literal["string", "integer", "decimal", "date", "boolean"]


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
}
# Health categories (EHDS Art 51 data categories) in Haven's vocabulary, until the
# HealthDCAT-AP controlled vocabulary's IRIs are pinned here.
HEALTH_CATEGORIES: dict[str, str] = {
    "EHR": "Electronic health records",
    "ADMINISTRATIVE_CLAIMS": "Healthcare-related administrative data, including claims and reimbursement",
    "DISPENSATION": "Medicinal product dispensation data",
    "REGISTRY": "Population-based health data registries",
    "WELLNESS": "Data from wellness applications entered by people themselves",
}


class DatasetMetadata(_Model):
    """What the catalogue publishes about one dataset (HealthDCAT-AP, NON_PUBLIC level)."""

    identifier: Code
    source: Code = Field(description="the lake source the dataset is built from")
    title: Multilingual
    description: Multilingual
    keywords: dict[Literal["fr", "nl", "en"], list[Text]]
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
    temporal_start: date
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
    date_column: Code = Field(description="the variable that dates a row (permit periods apply to it)")
    patient_entered: bool = Field(default=False, description="data entered by patients (wellness apps)")
    quality_label: Text | None = None

    @model_validator(mode="after")
    def _coherent(self) -> DatasetMetadata:
        unknown = [c for c in self.coding_systems if c not in CODING_SYSTEMS]
        unknown += [c for c in self.health_categories if c not in HEALTH_CATEGORIES]
        if unknown:
            raise ValueError(f"unknown coding system or health category: {', '.join(unknown)}")
        if self.date_column not in {v.name for v in self.variables}:
            raise ValueError(f"date_column {self.date_column!r} is not one of the variables")
        if self.temporal_end is not None and self.temporal_end < self.temporal_start:
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


def put_dataset(store: CatalogueStore, actor: User, metadata: DatasetMetadata) -> DatasetRecord:
    """Create or replace a dataset's metadata (stewards and operators)."""
    check_can(actor, Operation.EDIT_DATASET)
    record = DatasetRecord(
        dataset_id=metadata.identifier, source=metadata.source, metadata=metadata.model_dump(mode="json")
    )
    store.put_dataset(record)
    trail.append(
        store,
        actor=actor.username,
        action="dataset.described",
        object_type="dataset",
        object_id=metadata.identifier,
    )
    return store.get_dataset(metadata.identifier)


def record_version(
    store: CatalogueStore,
    actor: User,
    dataset_id: str,
    version: int,
    rows: int | None,
    at: datetime | None = None,
) -> DatasetRecord:
    """Record that Delta version ``version`` of a dataset was published (the pipeline calls this)."""
    check_can(actor, Operation.RECORD_PUBLICATION)
    when = at or datetime.now(UTC)
    store.add_dataset_version(dataset_id, version, when, rows)
    trail.append(
        store,
        actor=actor.username,
        action="dataset.published",
        object_type="dataset",
        object_id=dataset_id,
        at=when,
        details={"version": version, "rows": rows},
    )
    return store.get_dataset(dataset_id)


def metadata_of(record: DatasetRecord) -> DatasetMetadata:
    return DatasetMetadata.model_validate(record.metadata)
