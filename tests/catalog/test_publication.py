"""What the pipeline records: dataset versions, permit publications, activation of approved permits."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from catalog import audit
from catalog.db import Catalog
from catalog.enums import PermitState
from catalog.publication import record_publication
from catalog.rdf import DCAT_VERSION, export
from catalog.store import SqlStore
from common.settings import Settings
from tests.catalog.factories import approved, make_world


def test_publication_records_versions_activates_and_audits(catalog: Catalog, settings: Settings) -> None:
    with catalog.session() as session:
        permit = approved(SqlStore(session), make_world(SqlStore(session)))
    record_publication(settings, {"claims": (7, 950)}, {permit.application_id: {"claims": 1234}})
    with catalog.session() as session:
        store = SqlStore(session)
        assert store.get_application(permit.application_id).state is PermitState.ACTIVE
        assert [v[0] for v in store.get_dataset("claims").versions] == [7]
        entries = [(e.actor, e.action, e.object_id, e.details) for e in store.audit_entries()[-3:]]
        assert entries == [
            ("system", "dataset.published", "claims", {"version": 7, "rows": 950}),
            ("system", "permit.datasets_published", permit.application_id, {"claims": 1234}),
            ("system", "permit.activated", permit.application_id, {"from": "approved", "to": "active"}),
        ]
        assert audit.verify(store).ok
        graph = Graph().parse(data=export(store.list_datasets(), "turtle"), format="turtle")
    assert (URIRef("https://haven.example.be/dataset/claims"), DCAT_VERSION, Literal("7")) in graph
    # A second run records the same version again without a second activation.
    record_publication(settings, {"claims": (7, 950)}, {permit.application_id: {"claims": 1234}})
    with catalog.session() as session:
        assert [e.action for e in SqlStore(session).audit_entries()[-2:]] == [
            "dataset.published", "permit.datasets_published"]
