"""The catalogue export validates against the official DCAT-AP 3.0.1 and HealthDCAT-AP r8 shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from catalog.datasets import metadata
from catalog.datasets.domain import QualityLabel
from catalog.datasets.rdf import DCAT_VERSION, DCATAP, DQV, ELI, HEALTH, OA, catalogue_graph, export
from catalog.db.engine import open_catalog
from catalog.db.store import SqlStore
from catalog.people.domain import SYSTEM
from common.settings import PROJECT_ROOT

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


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """The demo catalogue, exported once as Turtle and read back (SQLite: the export is backend-free)."""
    home = tmp_path_factory.mktemp("rdf")
    from catalog.demo import seed
    from common.settings import Settings

    settings = Settings(home=home)
    seed(settings)  # what `haven catalog seed-demo` loads
    catalog = open_catalog(settings)
    with catalog.session() as session:
        store = SqlStore(session)
        # A published version, as the pipeline records it, so that its properties are validated too.
        metadata.record_version(store, SYSTEM, "claims", 3, 1000)
        store.add_quality_label("claims", QualityLabel(3, "run-1", datetime(2026, 2, 1, tzinfo=UTC), LABEL))
        text = export(store.list_datasets(), "turtle")
    catalog.dispose()
    return Graph().parse(data=text, format="turtle")


def _results(data: Graph, files: list[str]) -> list[tuple[str, str, str]]:
    shapes = Graph()
    for name in files:
        path = STANDARDS / name
        if not path.is_file():
            pytest.fail(f"shape file missing: {path} (the shared standards folder sits next to the repo)")
        shapes.parse(path)
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
def test_export_has_no_shacl_results(exported: Graph, shape_set: str) -> None:
    assert _results(exported, SHAPE_SETS[shape_set]) == []


def test_validation_would_catch_a_missing_mandatory_property(exported: Graph) -> None:
    broken = Graph()
    for triple in exported:
        if triple[1] != HEALTH.healthCategory:
            broken.add(triple)
    results = _results(broken, SHAPE_SETS["healthdcat-ap-r8-non-public"])
    assert [r[1] for r in results] == [str(HEALTH.healthCategory)]


def test_export_content_is_multilingual_and_self_contained(exported: Graph) -> None:
    dataset = URIRef("https://haven.example.be/dataset/claims")
    assert {t.language for t in exported.objects(dataset, DCTERMS.title)} == {"fr", "nl", "en"}
    assert (dataset, DCATAP.applicableLegislation, EHDS) in exported
    assert (EHDS, RDF.type, ELI.LegalResource) in exported
    variables = {str(o) for o in exported.objects(None, URIRef("http://www.w3.org/ns/csvw#name"))}
    assert "nomenclature_code" in variables and "pid" not in variables
    assert (dataset, HEALTH.hasStructuredData, Literal(True)) in exported
    assert (dataset, DCAT_VERSION, Literal("3")) in exported
    count = Literal(1000, datatype=URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))
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


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_jsonld_is_the_same_graph(tmp_path: Path) -> None:
    from rdflib.compare import isomorphic

    from catalog.demo import seed
    from common.settings import Settings

    seed(Settings(home=tmp_path))
    catalog = open_catalog(Settings(home=tmp_path))
    with catalog.session() as session:
        records = SqlStore(session).list_datasets()
    catalog.dispose()
    assert [r.dataset_id for r in records] == ["claims"]
    text = export(records, "jsonld")
    json.loads(text)
    assert isomorphic(
        Graph().parse(data=text, format="json-ld"),
        Graph().parse(data=export(records, "turtle"), format="turtle"),
    )


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export([], "xml")
    assert len(catalogue_graph([])) > 0
