"""What the pipeline records: dataset versions, permit publications, activation of approved permits."""

from __future__ import annotations

import json
from dataclasses import replace

from rdflib import Graph, Literal, URIRef

from catalog.audit import trail
from catalog.datasets import descriptions
from catalog.datasets.quality import record_label
from catalog.datasets.rdf import DCAT_VERSION, export
from catalog.db.engine import Catalog
from catalog.db.gateway import unit_of_work
from catalog.db.store import SqlStore
from catalog.permits.builds import record_publication
from catalog.permits.vocabulary import PermitState
from common.layout import Source
from common.settings import Settings
from jobs.catalogue_facts import rule_facts
from quality.store import QualityStore
from tests.catalog.factories import approved, make_world
from tests.catalog.test_cli_catalog import haven


def test_publication_records_builds_activates_and_audits(catalog: Catalog, settings: Settings) -> None:
    with catalog.session() as session:
        permit = approved(SqlStore(session), make_world(SqlStore(session)))
    with unit_of_work(settings) as store:
        record_publication(store, {permit.application_id: {"claims": 1234}})
    with catalog.session() as session:
        store = SqlStore(session)
        assert store.get_application(permit.application_id).state is PermitState.ACTIVE
        entries = [(e.actor, e.action, e.object_id, e.details) for e in store.audit_entries()[-2:]]
        assert entries == [
            ("system", "permit.datasets_published", permit.application_id, {"claims": 1234}),
            ("system", "permit.activated", permit.application_id, {"from": "approved", "to": "active"}),
        ]
        assert trail.verify(store).ok
    # A second run records the build again without a second activation.
    with unit_of_work(settings) as store:
        record_publication(store, {permit.application_id: {"claims": 1234}})
    with catalog.session() as session:
        assert [e.action for e in SqlStore(session).audit_entries()[-2:]] == [
            "permit.activated",
            "permit.datasets_published",
        ]


def test_each_silver_version_is_published_once_with_its_facts(catalog: Catalog, settings: Settings) -> None:
    facts = replace(rule_facts(Source.CLAIMS), silver_version=7, records=950, persons=300)
    for _ in range(2):  # a task retried publishes the same version again
        with unit_of_work(settings) as store:
            descriptions.publish(store, "claims", facts)
    with catalog.session() as session:
        store = SqlStore(session)
        record = store.get_dataset("claims")
        assert [(v, rows) for v, _, rows in record.versions] == [(7, 950)]
        assert (record.metadata["number_of_records"], record.metadata["number_of_unique_individuals"]) == (
            950,
            300,
        )
        entries = [(e.actor, e.action, e.object_id, e.details) for e in store.audit_entries()[-2:]]
        assert (
            entries
            == [("system", "dataset.published", "claims", {"version": 7, "records": 950, "persons": 300})] * 2
        )
        graph = Graph().parse(data=export(store.list_datasets(), "turtle"), format="turtle")
    assert (URIRef("https://haven.example.be/dataset/claims"), DCAT_VERSION, Literal("7")) in graph


def test_a_quality_label_is_stored_with_its_silver_version_and_audited(
    catalog: Catalog, settings: Settings
) -> None:
    label = {
        "scale": "A > B > C > D",
        "documentation": {"grade": "A"},
        "technical_quality": {},
        "quality_management": {"grade": "B"},
        "coverage": {"grade": "C"},
        "access_delays": {"grade": "not assessed"},
        "enrichments": {"grade": "B"},
    }
    with catalog.session() as session:
        make_world(SqlStore(session))
    # Airflow's run ids hold a timestamp: stored with the label, kept out of the audit details.
    with unit_of_work(settings) as store:
        record_label(store, "claims", 4, "manual__2026-02-01T10:00:00+00:00", label)
    with catalog.session() as session:
        store = SqlStore(session)
        quality = store.get_dataset("claims").quality
        assert quality is not None
        assert (quality.silver_version, quality.run_id, quality.label) == (
            4,
            "manual__2026-02-01T10:00:00+00:00",
            label,
        )
        last = store.audit_entries()[-1]
        assert (last.actor, last.action, last.object_id, last.details) == (
            "system",
            "dataset.quality_labelled",
            "claims",
            {"silver_version": 4},
        )
    # `haven quality report` shows the run's validation results with the label kept once, in
    # the catalogue: the run's JSON files hold no label.
    QualityStore(settings.home / "quality").save(
        "claims", "run-1", {"run_id": "run-1", "summary": "claims: passed", "validation": {"outcomes": []}}
    )
    reported = haven("quality", "report", "--json")
    assert reported.returncode == 0, reported.stderr
    assert json.loads(reported.stdout) == {
        "claims": {
            "run_id": "run-1",
            "summary": "claims: passed",
            "validation": {"outcomes": []},
            "silver_version": 4,
            "label": label,
        }
    }
    stored = [p.read_text() for p in (settings.home / "quality").rglob("*.json")]
    assert stored and not [text for text in stored if '"label"' in text]
