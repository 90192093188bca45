"""Every silver dataset is described from the repository's files, corrected by stewards, and
refused with the file and field named when a description is wrong."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from catalog.audit import trail
from catalog.datasets import descriptions
from catalog.datasets.descriptions import SOURCES_DIR, DatasetFacts
from catalog.db.engine import Catalog
from catalog.db.gateway import unit_of_work
from catalog.db.store import SqlStore
from catalog.errors import InvalidDescription, NotAuthorised
from common.layout import Source
from common.schemas import SCHEMAS
from common.settings import Settings
from jobs.catalogue_facts import rule_facts
from tests.catalog.factories import LAKE, describe_lake, make_world
from tests.catalog.test_cli_catalog import haven


@pytest.mark.parametrize("source", LAKE, ids=str)
def test_every_source_file_describes_its_dataset_in_four_languages(source: Source) -> None:
    meta = descriptions.describe(source.value, rule_facts(source))
    for text in (meta.title, meta.description, meta.provenance):
        assert len({text.fr, text.nl, text.de, text.en}) >= 3  # translated, not copied
    assert set(meta.keywords) == {"fr", "nl", "de", "en"}
    assert meta.publisher.id == meta.hdab.id == "hda"
    names = [v.name for v in meta.variables]
    assert names == [c.name for c in SCHEMAS[source].columns if c.name != "pid"]
    assert meta.patient_entered is (source is Source.WELLNESS)


def test_variables_carry_types_code_lists_values_and_free_text() -> None:
    stays = {
        v.name: v
        for v in descriptions.describe("hospital_stays", rule_facts(Source.HOSPITAL_STAYS)).variables
    }
    assert (stays["main_diagnosis"].code_list, stays["main_diagnosis"].coding_system) == (
        "icd10cm",
        "icd-10-cm",
    )
    assert (stays["procedures"].code_list, stays["procedures"].coding_system) == ("icd10pcs", "icd-10-pcs")
    assert stays["stay_type"].values == ["classic", "day", "emergency"]
    assert (stays["severity"].datatype, stays["admission_date"].datatype) == ("integer", "date")
    notes = {
        v.name: v
        for v in descriptions.describe("clinical_notes", rule_facts(Source.CLINICAL_NOTES)).variables
    }
    assert notes["text"].free_text and not notes["note_type"].free_text
    claims = descriptions.describe("claims", rule_facts(Source.CLAIMS))
    assert {v.name: v.title for v in claims.variables}["nomenclature_code"] == "RIZIV/INAMI nomenclature code"


def test_facts_come_from_the_data() -> None:
    facts = replace(
        rule_facts(Source.PHARMACY),
        silver_version=4,
        records=120,
        persons=50,
        first_date=date(2025, 1, 3),
        last_date=date(2025, 12, 30),
    )
    meta = descriptions.describe("pharmacy", facts)
    assert (meta.number_of_records, meta.number_of_unique_individuals) == (120, 50)
    assert (meta.temporal_start, meta.temporal_end, meta.date_column) == (
        date(2025, 1, 3),
        date(2025, 12, 30),
        "delivery_date",
    )
    population = descriptions.describe("population", rule_facts(Source.POPULATION))
    assert (population.date_column, population.temporal_start) == (None, None)


def _folder(
    tmp_path: Path, source: str, change: dict[str, object] | None = None, drop: str | None = None
) -> Path:
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, folder)
    path = folder / f"{source}.yaml"
    data = yaml.safe_load(path.read_text())
    data.update(change or {})
    if drop:
        head, _, tail = drop.partition(".")
        if tail:
            del data[head][tail]
        else:
            del data[head]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return folder


@pytest.mark.parametrize(
    ("change", "drop", "message"),
    [
        (None, "title.de", "claims.yaml: title.de: Field required"),
        (None, "keywords.nl", "claims.yaml: description: Value error, keywords: none in nl"),
        ({"themes": ["HEALTH"]}, None, "claims.yaml: description: Value error, unknown theme: HEALTH"),
        ({"health_categories": ["GENOMICS"]}, None, "unknown coding system or health category: GENOMICS"),
        (
            {"variables": {"diagnosis": {"title": "diagnosis"}}},
            None,
            "claims.yaml: variables.diagnosis: the claims data has no such column",
        ),
        ({"custodian": "nobody"}, None, "claims.yaml: custodian: no organisation 'nobody' in _common.yaml"),
        ({"number_of_records": 5}, None, "claims.yaml: number_of_records: not a field this file may set"),
        ({"identifier": "insurance"}, None, "claims.yaml: identifier: must be 'claims'"),
    ],
)
def test_a_wrong_description_names_the_file_and_the_field(
    tmp_path: Path, change: dict[str, object] | None, drop: str | None, message: str
) -> None:
    folder = _folder(tmp_path, "claims", change, drop)
    with pytest.raises(InvalidDescription) as raised:
        descriptions.describe("claims", rule_facts(Source.CLAIMS), folder=folder)
    assert message in str(raised.value)


def test_a_missing_or_broken_file_is_named(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "claims")
    (folder / "wellness.yaml").unlink()
    with pytest.raises(InvalidDescription, match=r"wellness.yaml: no such description file"):
        descriptions.describe("wellness", rule_facts(Source.WELLNESS), folder=folder)
    (folder / "claims.yaml").write_text("title: [unclosed\n")
    with pytest.raises(InvalidDescription, match=r"claims.yaml: not valid YAML at line 2"):
        descriptions.describe("claims", rule_facts(Source.CLAIMS), folder=folder)
    with pytest.raises(InvalidDescription, match="'optout' is not a dataset of the lake"):
        descriptions.describe("optout", DatasetFacts())


def test_a_refused_description_keeps_the_previous_entry(
    catalog: Catalog, settings: Settings, tmp_path: Path
) -> None:
    with unit_of_work(settings) as store:
        describe_lake(store, Source.CLAIMS)
        before = store.get_dataset("claims")
    broken = _folder(tmp_path, "claims", drop="title.de")
    with pytest.raises(InvalidDescription), unit_of_work(settings) as store:
        descriptions.publish(store, "claims", replace(rule_facts(Source.CLAIMS), silver_version=1), broken)
    with unit_of_work(settings) as store:
        after = store.get_dataset("claims")
        assert (after.metadata, after.versions) == (before.metadata, before.versions)
        assert [e.action for e in store.audit_entries()] == ["dataset.described"]


def test_a_steward_corrects_the_description_and_the_pipeline_keeps_it(
    catalog: Catalog, settings: Settings
) -> None:
    with catalog.session() as session:
        people = make_world(SqlStore(session))
    title = {
        "fr": "Soins remboursés",
        "nl": "Terugbetaalde zorg",
        "de": "Erstattete Versorgung",
        "en": "Care paid",
    }
    with unit_of_work(settings) as store:
        descriptions.edit(store, people["sam"], "claims", {"title": title})
        descriptions.edit(
            store, people["sam"], "claims", {"themes": ["HEAL", "SOCI"], "custodian": "fps-health"}
        )
    with unit_of_work(settings) as store:
        descriptions.publish(
            store, "claims", replace(rule_facts(Source.CLAIMS), silver_version=2, records=10)
        )
        record = store.get_dataset("claims")
        revisions = store.dataset_revisions("claims")
        audit = [(e.actor, e.action, e.details) for e in store.audit_entries()]
        assert trail.verify(store).ok
    assert record.metadata["title"] == title and record.metadata["themes"] == ["HEAL", "SOCI"]
    assert record.metadata["custodian"]["id"] == "fps-health" and record.metadata["number_of_records"] == 10
    assert [(r.revision, r.actor, sorted(r.changes), sorted(r.corrected)) for r in revisions] == [
        (1, "sam", ["title"], ["title"]),
        (2, "sam", ["custodian", "themes"], ["custodian", "themes", "title"]),
    ]
    assert audit[-3:] == [
        ("sam", "dataset.edited", {"revision": 1, "fields": ["title"]}),
        ("sam", "dataset.edited", {"revision": 2, "fields": ["custodian", "themes"]}),
        ("system", "dataset.published", {"version": 2, "records": 10, "persons": None}),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number_of_records": 1}, "number_of_records: derived from the data"),
        ({"variables": []}, "variables: derived from the data"),
        ({"colour": "blue"}, "colour: not a field of a dataset description"),
        ({"title": {"fr": "Titre"}}, "title.nl: Field required"),
        ({}, "no field to change"),
    ],
)
def test_facts_and_unknown_fields_cannot_be_edited(
    catalog: Catalog, settings: Settings, changes: dict[str, object], message: str
) -> None:
    with catalog.session() as session:
        people = make_world(SqlStore(session))
    with pytest.raises(InvalidDescription, match=message), unit_of_work(settings) as store:
        descriptions.edit(store, people["sam"], "claims", changes)
    with unit_of_work(settings) as store:
        assert store.dataset_revisions("claims") == []
        with pytest.raises(NotAuthorised):
            descriptions.edit(store, people["rita"], "claims", {"themes": ["SOCI"]})


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
def test_edit_and_show_through_the_command(catalog_url: str, tmp_path: Path) -> None:
    with unit_of_work() as store:
        describe_lake(store)
        make_world(store)  # type: ignore[arg-type]
    correction = tmp_path / "wellness.yaml"
    correction.write_text(
        "keywords:\n  fr: [bien-être]\n  nl: [welzijn]\n  de: [Wohlbefinden]\n  en: [wellbeing]\n"
    )
    edited = haven("catalog", "edit", "wellness", "--file", str(correction), "--as", "sam")
    assert (edited.returncode, edited.stdout) == (0, "wellness revision 1: keywords\n"), edited.stderr
    refused = haven("catalog", "edit", "wellness", "--file", str(correction), "--as", "rita")
    assert refused.returncode == 1 and "needs role" in refused.stderr
    correction.write_text("temporal_start: 2020-01-01\n")
    derived = haven("catalog", "edit", "wellness", "--file", str(correction), "--as", "sam")
    assert derived.returncode == 1
    assert f"error: {correction}: temporal_start: derived from the data" in derived.stderr
    shown = haven("catalog", "show", "wellness", "--json")
    out = json.loads(shown.stdout)
    assert (
        out["metadata"]["keywords"]["de"] == ["Wohlbefinden"] and out["metadata"]["patient_entered"] is True
    )
    assert [(r["revision"], r["by"], r["fields"]) for r in out["revisions"]] == [(1, "sam", ["keywords"])]
    text = haven("catalog", "show", "wellness").stdout
    assert text.splitlines()[0] == "wellness: Wellness data entered by people themselves"
    assert "patient-entered yes" in text
    missing = haven("catalog", "show", "genomes")
    assert missing.returncode == 1 and "no dataset 'genomes'" in missing.stderr
