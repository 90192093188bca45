"""Every silver dataset described in the catalogue: repository files, stewards' corrections, facts.

A dataset's description has three parts, and each has one owner:

- what the health data access body says about it (titles, descriptions and keywords in
  FR/NL/DE/EN, themes, health categories, publisher, custodian, legal basis, ...): a data file
  per source in ``catalog/datasets/sources/`` plus ``_common.yaml``, reviewed like code;
- a steward's corrections of that part (``haven catalog edit``), versioned and audited, kept
  in the catalogue and applied over the file each time the dataset is described again;
- the facts of one silver version (temporal coverage, persons and records, the variables
  with their types and code lists): computed by the pipeline, never written by hand.

The pipeline calls ``publish`` after each silver version passed the quality gate. A file that
does not validate raises ``InvalidDescription`` naming the file and the field, and nothing is
written: the previous catalogue entry stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from catalog.audit import trail
from catalog.datasets.domain import DatasetRecord, DatasetRevision
from catalog.datasets.metadata import Agent, CatalogueStore, DatasetMetadata
from catalog.errors import InvalidDescription, NotFound
from catalog.people.domain import SYSTEM, User
from catalog.people.roles import Operation, check_can
from common.layout import Source
from common.schemas import SCHEMAS
from common.yaml_text import load_yaml

SOURCES_DIR = Path(__file__).resolve().parent / "sources"
COMMON_FILE = "_common.yaml"

# What a source's file and a steward may say; everything else comes from the data.
DESCRIPTIVE = frozenset(
    {
        "title",
        "description",
        "keywords",
        "themes",
        "health_categories",
        "publisher",
        "hdab",
        "custodian",
        "provenance",
        "population_coverage",
        "min_typical_age",
        "max_typical_age",
        "coding_systems",
        "code_values",
        "personal_data",
        "legal_basis",
        "purpose",
        "retention_years",
        "applicable_legislation",
        "access_rights",
        "spatial",
        "dataset_type",
    }
)
COMMON_KEYS = frozenset(
    {
        "agents",
        "publisher",
        "hdab",
        "access_rights",
        "applicable_legislation",
        "spatial",
        "dataset_type",
        "legal_basis",
        "purpose",
    }
)
DERIVED = frozenset(
    {
        "identifier",
        "source",
        "temporal_start",
        "temporal_end",
        "number_of_records",
        "number_of_unique_individuals",
        "variables",
        "date_column",
        "patient_entered",
    }
)
AGENT_FIELDS = ("publisher", "hdab", "custodian")
# The coding system of each reference table (``common.reference``), where one is published.
CODE_LIST_SYSTEMS = {
    "nomenclature": "riziv-inami-nomenclature",
    "cnk": "cnk",
    "atc": "atc",
    "icd10cm": "icd-10-cm",
    "icd10pcs": "icd-10-pcs",
    "apr_drg": "apr-drg",
    "loinc": "loinc",
}
_DATATYPES = {
    "int": "integer",
    "bigint": "integer",
    "double": "decimal",
    "date": "date",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class DatasetFacts:
    """What the data of one silver version says about itself (the pipeline measures it)."""

    silver_version: int | None = None
    records: int | None = None
    persons: int | None = None
    first_date: date | None = None
    last_date: date | None = None
    date_column: str | None = None  # the column that dates a row, if the data has one
    code_lists: Mapping[str, str] = field(default_factory=dict)  # column -> reference table
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # column -> allowed values


def variables(source: str, facts: DatasetFacts) -> list[dict[str, Any]]:
    """The dataset's variables: the data's columns but the TTP pseudonym (a permit gets its own)."""
    out = []
    for column in SCHEMAS[Source(source)].columns:
        if column.name == "pid":
            continue
        table = facts.code_lists.get(column.name)
        out.append(
            {
                "name": column.name,
                "title": column.name.replace("_", " "),
                "description": column.description,
                "datatype": "decimal"
                if column.type.startswith("decimal")
                else _DATATYPES.get(column.type, "string"),
                "code_list": table,
                "coding_system": CODE_LIST_SYSTEMS.get(table) if table else None,
                "values": list(facts.values.get(column.name, ())),
                "free_text": column.free_text,
            }
        )
    return out


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InvalidDescription(f"{path.name}: no such description file in {path.parent}")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidDescription(f"{path.name}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise InvalidDescription(f"{path.name}: must be a mapping of fields")
    return data


def _agents(common: Mapping[str, Any], name: str) -> dict[str, dict[str, Any]]:
    agents = common.get("agents")
    if not isinstance(agents, dict) or not agents:
        raise InvalidDescription(f"{name}: agents: a mapping of organisations is required")
    for key, agent in agents.items():
        try:
            Agent.model_validate({"id": key, **(agent or {})})
        except ValidationError as exc:
            raise InvalidDescription(f"{name}: agents.{key}: {_problems(exc)}") from None
    return {key: {"id": key, **agent} for key, agent in agents.items()}


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors())


def _with_agents(
    data: dict[str, Any], agents: Mapping[str, dict[str, Any]], origin: Mapping[str, str]
) -> None:
    """Replace organisations named by their id in ``_common.yaml`` with their description."""
    for key in AGENT_FIELDS:
        value = data.get(key)
        if isinstance(value, str):
            if value not in agents:
                known = ", ".join(agents)
                raise InvalidDescription(
                    f"{origin[key]}: {key}: no organisation {value!r} in {COMMON_FILE} (known: {known})"
                )
            data[key] = agents[value]


def _variables(source: str, facts: DatasetFacts, overrides: Any, name: str) -> list[dict[str, Any]]:
    found = variables(source, facts)
    if overrides is None:
        return found
    if not isinstance(overrides, dict):
        raise InvalidDescription(f"{name}: variables: a mapping of column name to title and description")
    by_name = {v["name"]: v for v in found}
    for column, texts in overrides.items():
        if column not in by_name:
            raise InvalidDescription(f"{name}: variables.{column}: the {source} data has no such column")
        unknown = set(texts or {}) - {"title", "description"}
        if unknown:
            raise InvalidDescription(
                f"{name}: variables.{column}: only title and description can be written, not "
                + ", ".join(sorted(unknown))
            )
        by_name[column].update(texts or {})
    return found


def describe(
    source: str,
    facts: DatasetFacts,
    corrected: Mapping[str, Any] | None = None,
    folder: Path | None = None,
) -> DatasetMetadata:
    """The whole description of ``source``'s dataset: file, corrections, then facts."""
    folder = folder or SOURCES_DIR
    if source not in {s.value for s in SCHEMAS if s is not Source.OPTOUT}:
        raise InvalidDescription(f"{source!r} is not a dataset of the lake")
    common, own = _read(folder / COMMON_FILE), _read(folder / f"{source}.yaml")
    own_name = f"{source}.yaml"
    for name, data, allowed in (
        (COMMON_FILE, common, COMMON_KEYS),
        (own_name, own, DESCRIPTIVE | {"identifier", "variables"}),
    ):
        extra = sorted(set(data) - allowed)
        if extra:
            raise InvalidDescription(f"{name}: {', '.join(extra)}: not a field this file may set")
    if own.get("identifier", source) != source:
        raise InvalidDescription(f"{own_name}: identifier: must be {source!r}, the file's name")
    agents = _agents(common, COMMON_FILE)
    merged: dict[str, Any] = {k: v for k, v in common.items() if k != "agents"}
    merged.update({k: v for k, v in own.items() if k not in {"identifier", "variables"}})
    origin = {key: COMMON_FILE for key in common} | {key: own_name for key in own}
    for key, value in (corrected or {}).items():
        merged[key] = value
        origin[key] = "a steward's correction"
    _with_agents(merged, agents, origin)
    schema = SCHEMAS[Source(source)]
    merged.update(
        identifier=source,
        source=source,
        variables=_variables(source, facts, own.get("variables"), own_name),
        date_column=facts.date_column,
        temporal_start=facts.first_date,
        temporal_end=facts.last_date,
        number_of_records=facts.records,
        number_of_unique_individuals=facts.persons,
        patient_entered="patient_entered" in schema.names,
    )
    try:
        return DatasetMetadata.model_validate(merged)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = ".".join(str(p) for p in error["loc"])
            where = origin.get(str(error["loc"][0]), own_name) if error["loc"] else own_name
            problems.append(f"{where}: {loc or 'description'}: {error['msg']}")
        raise InvalidDescription("; ".join(problems)) from None


def _latest_correction(store: CatalogueStore, dataset_id: str) -> dict[str, Any]:
    try:
        store.get_dataset(dataset_id)
    except NotFound:
        return {}
    revisions = store.dataset_revisions(dataset_id)
    return dict(revisions[-1].corrected) if revisions else {}


def publish(
    store: CatalogueStore,
    source: str,
    facts: DatasetFacts,
    folder: Path | None = None,
    actor: User = SYSTEM,
) -> DatasetRecord:
    """Describe ``source``'s dataset at a silver version and record that version (the pipeline
    calls this as the platform itself).

    Raises ``InvalidDescription`` before writing anything when the description does not
    validate, so the previous entry stays.
    """
    check_can(actor, Operation.RECORD_PUBLICATION)
    meta = describe(source, facts, _latest_correction(store, source), folder)
    store.put_dataset(DatasetRecord(meta.identifier, meta.source, meta.model_dump(mode="json")))
    details: dict[str, Any] = {"records": facts.records, "persons": facts.persons}
    if facts.silver_version is not None:
        store.add_dataset_version(meta.identifier, facts.silver_version, datetime.now(UTC), facts.records)
        details["version"] = facts.silver_version
    trail.append(
        store,
        actor=actor.username,
        action="dataset.published" if facts.silver_version is not None else "dataset.described",
        object_type="dataset",
        object_id=meta.identifier,
        details=details,
    )
    return store.get_dataset(meta.identifier)


def edit(
    store: CatalogueStore,
    actor: User,
    dataset_id: str,
    changes: Mapping[str, Any],
    folder: Path | None = None,
    name: str = "the correction",
) -> DatasetRecord:
    """A steward corrects the descriptive part of a dataset; a new revision, audited.

    Facts derived from the data (coverage, counts, variables) cannot be edited: the
    correction is refused naming the field.
    """
    check_can(actor, Operation.EDIT_DATASET)
    record = store.get_dataset(dataset_id)
    if not changes:
        raise InvalidDescription(f"{name}: no field to change")
    fixed = sorted(set(changes) & DERIVED)
    if fixed:
        raise InvalidDescription(
            f"{name}: {', '.join(fixed)}: derived from the data at each silver version, not editable by hand"
        )
    unknown = sorted(set(changes) - DESCRIPTIVE)
    if unknown:
        raise InvalidDescription(f"{name}: {', '.join(unknown)}: not a field of a dataset description")
    revisions = store.dataset_revisions(dataset_id)
    corrected = {**(revisions[-1].corrected if revisions else {}), **changes}
    agents = _agents(_read((folder or SOURCES_DIR) / COMMON_FILE), COMMON_FILE)
    merged = {**record.metadata, **corrected}
    _with_agents(merged, agents, {key: name for key in merged})
    try:
        meta = DatasetMetadata.model_validate(merged)
    except ValidationError as exc:
        raise InvalidDescription(f"{name}: {_problems(exc)}") from None
    revision = DatasetRevision(
        dataset_id, len(revisions) + 1, actor.username, datetime.now(UTC), dict(changes), corrected
    )
    store.put_dataset(DatasetRecord(record.dataset_id, record.source, meta.model_dump(mode="json")))
    store.add_dataset_revision(revision)
    trail.append(
        store,
        actor=actor.username,
        action="dataset.edited",
        object_type="dataset",
        object_id=dataset_id,
        details={"revision": revision.revision, "fields": sorted(changes)},
    )
    return store.get_dataset(dataset_id)
