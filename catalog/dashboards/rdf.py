"""Released aggregates in the HealthDCAT-AP catalogue: one distribution each, on every
dataset it was computed from, where its permit allows publication (``registry.publication``).

Each distribution is the released CSV file itself: its download address on the portal, its
SHA-256 (``spdx:checksum``), its release date, the public access right and the EHDS as its
legislation. Titles in the four languages name the release and its permit; nothing of the
data, the SQL or the author's words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from catalog.dashboards.domain import ReleasedAggregate
from catalog.datasets.metadata import Multilingual
from catalog.datasets.rdf import DCATAP, _authority, _legislation, _texts
from catalog.permits.domain import Application

SPDX = Namespace("http://spdx.org/rdf/terms#")
EHDS = "http://data.europa.eu/eli/reg/2025/327/oj"


def _title(aggregate: ReleasedAggregate, permit: Application) -> Multilingual:
    ids = {"release": aggregate.aggregate_id, "permit": permit.application_id}
    return Multilingual(
        fr="Agrégat publié {release} (permis {permit})".format(**ids),
        nl="Vrijgegeven aggregaat {release} (vergunning {permit})".format(**ids),
        de="Freigegebenes Aggregat {release} (Genehmigung {permit})".format(**ids),
        en="Released aggregate {release} (permit {permit})".format(**ids),
    )


def add_released(
    graph: Graph, base: str, items: Sequence[tuple[ReleasedAggregate, Application]]
) -> list[URIRef]:
    """Add each aggregate as a distribution of the datasets it read that the graph holds."""
    added = []
    for aggregate, permit in items:
        datasets = [
            URIRef(f"{base}dataset/{name}")
            for name in sorted(aggregate.versions)
            if (URIRef(f"{base}dataset/{name}"), RDF.type, DCAT.Dataset) in graph
        ]
        if not datasets:
            continue
        node = URIRef(f"{base}released/{aggregate.aggregate_id}")
        download = URIRef(f"{base}released/{aggregate.aggregate_id}.csv")
        graph.add((node, RDF.type, DCAT.Distribution))
        for ds in datasets:
            graph.add((ds, DCAT.distribution, node))
        graph.add((node, DCAT.accessURL, download))
        graph.add((node, DCAT.downloadURL, download))
        graph.add((node, DCAT.mediaType, _iana_csv(graph)))
        graph.add((node, DCTERMS.format, _authority(graph, "file-type", "CSV", DCTERMS.MediaTypeOrExtent)))
        _texts(graph, node, DCTERMS.title, _title(aggregate, permit))
        graph.add((node, DCTERMS.issued, Literal(aggregate.released_at.isoformat(), datatype=XSD.dateTime)))
        graph.add(
            (node, DCTERMS.accessRights, _authority(graph, "access-right", "PUBLIC", DCTERMS.RightsStatement))
        )
        graph.add((node, DCATAP.applicableLegislation, _legislation(graph, EHDS)))
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(aggregate.sha256, datatype=XSD.hexBinary)))
        added.append(node)
    return added


def _iana_csv(graph: Graph) -> URIRef:
    node = URIRef("http://www.iana.org/assignments/media-types/text/csv")
    graph.add((node, RDF.type, DCTERMS.MediaType))
    return node


def released_distributions(
    items: Sequence[tuple[ReleasedAggregate, Application]], base: str = "https://haven.example.be/"
) -> Callable[[Graph], None]:
    """What ``catalog.datasets.rdf.export`` calls to add ``items`` to the catalogue graph."""

    def extend(graph: Graph) -> None:
        add_released(graph, base, items)

    return extend
