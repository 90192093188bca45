"""The catalogue export validates against the official DCAT-AP 3.0.1 and HealthDCAT-AP r8 shapes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

from catalog.datasets import descriptions
from catalog.datasets.domain import DatasetRecord, QualityLabel
from catalog.datasets.rdf import DCAT_VERSION, DCATAP, DQV, ELI, HAVEN, HEALTH, OA, catalogue_graph, export
from catalog.db.engine import open_catalog
from catalog.db.store import SqlStore
from common.layout import Source
from common.settings import PROJECT_ROOT, Settings
from jobs.catalogue_facts import rule_facts
from tests.catalog.factories import LAKE

STANDARDS = PROJECT_ROOT / ".." / "shared" / "standards"
SHAPE_SETS = {
    "dcat-ap-3.0.1": ["dcat-ap-3.0.1/dcat-ap-SHACL.ttl"],
    "healthdcat-ap-r8-non-public": ["dcat-ap-3.0.0/shapes.ttl", "healthdcat-ap-r8/non-public-shapes.ttl"],
}
LABEL = {
    "scale": "A (excellent) > B (good) > C (fair) > D (poor)",
    "documentation": {"score": 1.0, "grade": "A"},
    "technical_quality": {
        "completeness": {"score": 1.0, "grade": "A", "expectations": 2},
        "validity": {"score": 0.97, "grade": "C", "expectations": 1},
    },
    "quality_management": {"score": 0.86, "grade": "B", "basis": "suite"},
    "coverage": {"persons": 900, "population": 1000, "period": ["2025-01-01", "2025-12-31"], "grade": "B"},
    "access_delays": {"grade": "not assessed"},
    "enrichments": {"grade": "B", "basis": "linkable"},
}
EHDS = URIRef("http://data.europa.eu/eli/reg/2025/327/oj")


def _lake_catalogue(home: Path) -> list[DatasetRecord]:
    """All seven datasets as the pipeline publishes them: claims at two silver versions, the
    others at one, each with its facts, and a measured quality label for claims."""
    catalog = open_catalog(Settings(home=home))
    with catalog.session() as session:
        store = SqlStore(session)
        for source in LAKE:
            for version in (2, 3) if source is Source.CLAIMS else (3,):
                facts = replace(
                    rule_facts(source),
                    silver_version=version,
                    records=1000 + version,
                    persons=400,
                    first_date=date(2025, 1, 1) if rule_facts(source).date_column else None,
                    last_date=date(2025, 12, 31) if rule_facts(source).date_column else None,
                )
                descriptions.publish(store, source.value, facts)
        store.add_quality_label("claims", QualityLabel(3, "run-1", datetime(2026, 2, 1, tzinfo=UTC), LABEL))
        records = store.list_datasets()
    catalog.dispose()
    return records


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[DatasetRecord]:
    return _lake_catalogue(tmp_path_factory.mktemp("rdf"))


@pytest.fixture(scope="module")
def exported(records: list[DatasetRecord]) -> Graph:
    """The whole lake's catalogue, exported once as Turtle and read back (SQLite: the export
    is backend-free)."""
    return Graph().parse(data=export(records, "turtle"), format="turtle")


# The official DCAT-AP 3.0.1 SHACL file lists two property shapes of dcat:DataService that it
# never defines; pyshacl refuses such a graph, so those two references are dropped (and a test
# below fails if the published file changes).
_DATA_SERVICE = "https://semiceu.github.io/DCAT-AP/releases/3.0.1#dcat:DataServiceShape/"
KNOWN_DANGLING = {
    "dcat-ap-3.0.1": {
        f"{_DATA_SERVICE}dc08f4dca4377fade57f89454e3fa06a8389d314",
        f"{_DATA_SERVICE}eb3ac4e4fdde2e2588a9502c5956060a18c5c99f",
    },
}


def _shapes(files: list[str]) -> tuple[Graph, set[str]]:
    """The shape files as one graph, without property shapes that are referenced but not defined."""
    shapes = Graph()
    for name in files:
        path = STANDARDS / name
        if not path.is_file():
            pytest.fail(f"shape file missing: {path} (the shared standards folder sits next to the repo)")
        shapes.parse(path)
    dangling = [(s, o) for s, o in shapes.subject_objects(SH.property) if (o, None, None) not in shapes]
    for subject, shape in dangling:
        shapes.remove((subject, SH.property, shape))
    return shapes, {str(o) for _, o in dangling}


def _results(data: Graph, files: list[str]) -> list[tuple[str, str, str]]:
    shapes, _dangling = _shapes(files)
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return sorted(
        (
            str(report.value(r, SH.resultSeverity)),
            str(report.value(r, SH.resultPath)),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )


@pytest.mark.parametrize("shape_set", sorted(SHAPE_SETS))
def test_only_the_known_undefined_shape_is_dropped(shape_set: str) -> None:
    assert _shapes(SHAPE_SETS[shape_set])[1] == KNOWN_DANGLING.get(shape_set, set())


@pytest.mark.parametrize("shape_set", sorted(SHAPE_SETS))
def test_export_has_no_shacl_results(exported: Graph, shape_set: str) -> None:
    assert _results(exported, SHAPE_SETS[shape_set]) == []


def test_validation_would_catch_a_missing_mandatory_property(exported: Graph) -> None:
    broken = Graph()
    for triple in exported:
        if triple[1] != HEALTH.healthCategory:
            broken.add(triple)
    results = _results(broken, SHAPE_SETS["healthdcat-ap-r8-non-public"])
    # Once per dataset and per published version: 7 datasets, 8 versions.
    assert [r[1] for r in results] == [str(HEALTH.healthCategory)] * 15


BASE = "https://haven.example.be/"


def test_the_export_describes_the_whole_lake(exported: Graph) -> None:
    datasets = {str(o) for o in exported.objects(URIRef(f"{BASE}catalogue"), DCAT.dataset)}
    assert datasets == {f"{BASE}dataset/{s.value}" for s in LAKE}
    spe = URIRef(f"{BASE}spe")
    for source in LAKE:
        dataset = URIRef(f"{BASE}dataset/{source.value}")
        [distribution] = exported.objects(dataset, DCAT.distribution)
        assert (distribution, DCAT.accessService, spe) in exported
        assert (spe, DCAT.servesDataset, dataset) in exported
        assert {t.language for t in exported.objects(dataset, DCTERMS.description)} == {
            "fr",
            "nl",
            "de",
            "en",
        }
    wellness = URIRef(f"{BASE}dataset/wellness")
    assert (wellness, HAVEN.patientEntered, Literal(True)) in exported
    assert (URIRef(f"{BASE}dataset/claims"), HAVEN.patientEntered, Literal(False)) in exported


def test_each_published_silver_version_is_a_linked_version(exported: Graph) -> None:
    claims = URIRef(f"{BASE}dataset/claims")
    v2, v3 = URIRef(f"{claims}/version/2"), URIRef(f"{claims}/version/3")
    assert set(exported.objects(claims, DCAT.hasVersion)) == {v2, v3}
    assert (claims, DCAT.hasCurrentVersion, v3) in exported
    assert (v3, DCAT.previousVersion, v2) in exported
    assert (v2, DCAT.previousVersion, None) not in exported
    count = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
    assert (v2, HEALTH.numberOfRecords, Literal(1002, datatype=count)) in exported
    assert (v3, DCTERMS.identifier, Literal("claims@3")) in exported


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_the_export_round_trips(records: list[DatasetRecord]) -> None:
    """Turtle and JSON-LD read back to the graph that was serialised, and the facts in it are
    the catalogue's: a second export of what was read is the same graph again."""
    from rdflib.compare import isomorphic

    graph = catalogue_graph(records)
    for fmt, parser in (("turtle", "turtle"), ("jsonld", "json-ld")):
        read = Graph().parse(data=export(records, fmt), format=parser)
        assert isomorphic(read, graph), fmt
    read = Graph().parse(data=export(records, "turtle"), format="turtle")
    titles = {
        (str(ds).rsplit("/", 1)[-1], t.language): str(t)
        for ds in read.objects(URIRef(f"{BASE}catalogue"), DCAT.dataset)
        for t in read.objects(ds, DCTERMS.title)
    }
    assert titles == {
        (r.dataset_id, lang): r.metadata["title"][lang] for r in records for lang in ("fr", "nl", "de", "en")
    }


def test_export_content_is_multilingual_and_self_contained(exported: Graph) -> None:
    dataset = URIRef("https://haven.example.be/dataset/claims")
    assert {t.language for t in exported.objects(dataset, DCTERMS.title)} == {"fr", "nl", "de", "en"}
    assert (dataset, DCATAP.applicableLegislation, EHDS) in exported
    assert (EHDS, RDF.type, ELI.LegalResource) in exported
    variables = {str(o) for o in exported.objects(None, URIRef("http://www.w3.org/ns/csvw#name"))}
    assert "nomenclature_code" in variables and "pid" not in variables
    assert (dataset, HEALTH.hasStructuredData, Literal(True)) in exported
    assert (dataset, DCAT_VERSION, Literal("3")) in exported
    count = Literal(1003, datatype=URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))
    assert (dataset, HEALTH.numberOfRecords, count) in exported


def test_the_measured_quality_label_is_the_datasets_quality_annotation(exported: Graph) -> None:
    dataset = URIRef("https://haven.example.be/dataset/claims")
    [annotation] = exported.objects(dataset, DQV.hasQualityAnnotation)
    [body] = exported.objects(annotation, OA.hasBody)
    assert str(body) == (
        "EHDS quality and utility label, silver version 3 (scale A (excellent) > B (good) > C (fair) > "
        "D (poor)): documentation A; technical quality: completeness A, validity C; quality management "
        "B; coverage B; access delays not assessed; enrichments B"
    )
    assert (annotation, OA.motivatedBy, DQV.qualityAssessment) in exported


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export([], "xml")
    assert len(catalogue_graph([])) > 0
