"""The catalogue as RDF (rdflib): DCAT-AP 3 with the HealthDCAT-AP extension, NON_PUBLIC level.

The export is self-contained: every vocabulary term it references (legislation, themes,
dataset types, health categories, access rights, places, publisher types, DPV terms) is
typed and labelled in the graph itself, so SHACL validation needs no network. Publishes
metadata only: never a row, never a person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from catalog.datasets.domain import DatasetRecord
from catalog.datasets.metadata import (
    CODING_SYSTEMS,
    HAVEN_VOCAB,
    HEALTH_CATEGORIES,
    LANGUAGES,
    Agent,
    DatasetMetadata,
    Multilingual,
)

DCATAP = Namespace("http://data.europa.eu/r5r/")
HEALTH = Namespace("http://healthdataportal.eu/ns/health#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
CV = Namespace("http://data.europa.eu/m8g/")
GEODCATAP = Namespace("http://data.europa.eu/930/")
DPV = Namespace("https://w3id.org/dpv#")
DPV_PD = Namespace("https://w3id.org/dpv/pd#")
DPV_LEGAL = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS_PUBLISHER = Namespace("http://purl.org/adms/publishertype/")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
HAVEN = Namespace("https://haven.example.be/ns#")
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3; rdflib's DCAT namespace predates it
HEALTH_CATEGORY = Namespace(f"{HAVEN_VOCAB}health-category/")

LANGS = LANGUAGES
FORMATS = {"turtle": "turtle", "jsonld": "json-ld"}


def _texts(graph: Graph, node: URIRef | BNode, prop: URIRef, text: Multilingual) -> None:
    for lang in LANGS:
        graph.add((node, prop, Literal(getattr(text, lang), lang=lang)))


def _concept(graph: Graph, iri: URIRef, scheme: str, label: str, *extra_types: URIRef) -> URIRef:
    """A vocabulary term, typed and labelled so that the export is self-contained."""
    graph.add((iri, RDF.type, SKOS.Concept))
    for kind in extra_types:
        graph.add((iri, RDF.type, kind))
    graph.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
    graph.add((iri, SKOS.inScheme, URIRef(scheme)))
    graph.add((URIRef(scheme), RDF.type, SKOS.ConceptScheme))
    graph.add((URIRef(scheme), DCTERMS.title, Literal(scheme.rstrip("#/").rsplit("/", 1)[-1], lang="en")))
    return iri


def _authority(graph: Graph, table: str, code: str, *extra_types: URIRef) -> URIRef:
    return _concept(graph, URIRef(f"{AUTHORITY}{table}/{code}"), f"{AUTHORITY}{table}", code, *extra_types)


def _legislation(graph: Graph, iri: str) -> URIRef:
    node = URIRef(iri)
    graph.add((node, RDF.type, ELI.LegalResource))
    graph.add((node, RDFS.label, Literal("Regulation (EU) 2025/327 (European Health Data Space)", lang="en")))
    return node


def _agent(graph: Graph, base: str, agent: Agent) -> URIRef:
    node = URIRef(f"{base}agent/{agent.id}")
    if (node, RDF.type, FOAF.Agent) in graph:
        return node
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    _texts(graph, node, FOAF.name, agent.name)
    graph.add(
        (
            node,
            DCTERMS.type,
            _concept(graph, ADMS_PUBLISHER[agent.type], "http://purl.org/adms/publishertype/1.0", agent.type),
        )
    )
    contact = BNode()
    graph.add((node, CV.contactPoint, contact))
    graph.add((contact, RDF.type, CV.ContactPoint))
    graph.add((contact, CV.email, Literal(agent.email)))
    graph.add((contact, CV.contactPage, URIRef(agent.homepage)))
    graph.add((node, FOAF.homepage, URIRef(agent.homepage)))
    return node


def _period(graph: Graph, start: object, end: object | None) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((node, DCAT.startDate, Literal(start, datatype=XSD.date)))
    if end is not None:
        graph.add((node, DCAT.endDate, Literal(end, datatype=XSD.date)))
    return node


def _variables(graph: Graph, meta: DatasetMetadata) -> BNode:
    group, table = BNode(), BNode()
    graph.add((group, RDF.type, CSVW.TableGroup))
    graph.add((group, DCTERMS.title, Literal(f"Column dictionary of {meta.identifier}", lang="en")))
    graph.add((group, CSVW.table, table))
    graph.add((table, RDF.type, CSVW.Table))
    graph.add((table, DCTERMS.title, Literal(meta.identifier)))
    for variable in meta.variables:
        column = BNode()
        graph.add((table, CSVW.column, column))
        graph.add((column, RDF.type, CSVW.Column))
        graph.add((column, CSVW.name, Literal(variable.name)))
        graph.add((column, CSVW.title, Literal(variable.title, lang="en")))
        graph.add((column, DCTERMS.description, Literal(variable.description, lang="en")))
        graph.add((column, CSVW.datatype, Literal(variable.datatype)))
        if variable.coding_system is not None:
            iri, label = CODING_SYSTEMS[variable.coding_system]
            graph.add(
                (
                    column,
                    DCTERMS.conformsTo,
                    _concept(graph, URIRef(iri), f"{HAVEN_VOCAB}coding-system/", label),
                )
            )
        if variable.code_list is not None:
            graph.add((column, HAVEN.codeList, Literal(variable.code_list)))
        for value in variable.values:
            graph.add((column, HAVEN.allowedValue, Literal(value)))
        graph.add((column, HAVEN.freeText, Literal(variable.free_text)))
    return group


def _describe(
    graph: Graph,
    base: str,
    ds: URIRef,
    meta: DatasetMetadata,
    publisher: URIRef,
    identifier: str | None = None,
) -> None:
    """What the dataset is, who holds it and under which rules: the DCAT-AP core."""
    add = graph.add
    add((ds, RDF.type, DCAT.Dataset))
    add((ds, DCTERMS.identifier, Literal(identifier or meta.identifier)))
    _texts(graph, ds, DCTERMS.title, meta.title)
    _texts(graph, ds, DCTERMS.description, meta.description)
    for lang, words in meta.keywords.items():
        for word in words:
            add((ds, DCAT.keyword, Literal(word, lang=lang)))
    add((ds, DCTERMS.publisher, publisher))
    add((ds, HEALTH.hdab, _agent(graph, base, meta.hdab)))
    if meta.custodian is not None:
        add((ds, GEODCATAP.custodian, _agent(graph, base, meta.custodian)))
    add(
        (
            ds,
            DCTERMS.accessRights,
            _authority(graph, "access-right", meta.access_rights, DCTERMS.RightsStatement),
        )
    )
    for iri in meta.applicable_legislation:
        add((ds, DCATAP.applicableLegislation, _legislation(graph, iri)))
    for theme in meta.themes:
        add((ds, DCAT.theme, _authority(graph, "data-theme", theme)))
    add((ds, DCTERMS.type, _authority(graph, "dataset-type", meta.dataset_type)))


def _health(graph: Graph, ds: URIRef, meta: DatasetMetadata) -> None:
    """The HealthDCAT-AP properties: categories, population, codings, personal data, variables."""
    add = graph.add
    for category in meta.health_categories:
        add(
            (
                ds,
                HEALTH.healthCategory,
                _concept(graph, HEALTH_CATEGORY[category], str(HEALTH_CATEGORY), HEALTH_CATEGORIES[category]),
            )
        )
    provenance = BNode()
    add((ds, DCTERMS.provenance, provenance))
    add((provenance, RDF.type, DCTERMS.ProvenanceStatement))
    _texts(graph, provenance, RDFS.label, meta.provenance)
    if meta.temporal_start is not None:
        add((ds, DCTERMS.temporal, _period(graph, meta.temporal_start, meta.temporal_end)))
    add((ds, DCTERMS.spatial, _authority(graph, "country", meta.spatial, DCTERMS.Location)))
    contact = BNode()
    add((ds, DCAT.contactPoint, contact))
    add((contact, RDF.type, VCARD.Kind))
    add((contact, VCARD.fn, Literal(meta.hdab.name.en)))
    add((contact, VCARD.hasEmail, URIRef(f"mailto:{meta.hdab.email}")))
    counts = {
        HEALTH.numberOfRecords: meta.number_of_records,
        HEALTH.numberOfUniqueIndividuals: meta.number_of_unique_individuals,
        HEALTH.minTypicalAge: meta.min_typical_age,
        HEALTH.maxTypicalAge: meta.max_typical_age,
    }
    for prop, value in counts.items():
        if value is not None:
            add((ds, prop, Literal(value, datatype=XSD.nonNegativeInteger)))
    if meta.population_coverage is not None:
        _texts(graph, ds, HEALTH.populationCoverage, meta.population_coverage)
    for key in meta.coding_systems:
        iri, label = CODING_SYSTEMS[key]
        add((ds, HEALTH.hasCodingSystem, _concept(graph, URIRef(iri), f"{HAVEN_VOCAB}coding-system/", label)))
    for code in meta.code_values:
        add((ds, HEALTH.hasCodeValues, Literal(code)))
    for term, prop, space in (
        (meta.personal_data, DPV.hasPersonalData, DPV_PD),
        (meta.legal_basis, DPV.hasLegalBasis, DPV_LEGAL),
        (meta.purpose, DPV.hasPurpose, DPV),
    ):
        for code in term:
            add((ds, prop, _concept(graph, space[code], str(space), code)))
    if meta.retention_years is not None and meta.temporal_start is not None:
        start = meta.temporal_start
        add(
            (
                ds,
                HEALTH.retentionPeriod,
                _period(graph, start, start.replace(year=start.year + meta.retention_years)),
            )
        )
    add((ds, HEALTH.hasStructuredData, Literal(True)))
    add((ds, HEALTH.hasVariables, _variables(graph, meta)))
    add((ds, HAVEN.patientEntered, Literal(meta.patient_entered)))


def _quality(graph: Graph, ds: URIRef, record: DatasetRecord, meta: DatasetMetadata) -> None:
    add = graph.add
    # The measured label wins over a label written by hand in the metadata.
    body = record.quality.summary() if record.quality is not None else meta.quality_label
    if body is not None:
        annotation = BNode()
        add((ds, DQV.hasQualityAnnotation, annotation))
        add((annotation, RDF.type, DQV.QualityAnnotation))
        add((annotation, OA.hasTarget, ds))
        add((annotation, OA.hasBody, Literal(body, lang="en")))
        add((annotation, OA.motivatedBy, DQV.qualityAssessment))
        if record.quality is not None:
            add(
                (
                    annotation,
                    DCTERMS.created,
                    Literal(record.quality.measured_at.astimezone(UTC).isoformat(), datatype=XSD.dateTime),
                )
            )


def _versions(graph: Graph, base: str, ds: URIRef, record: DatasetRecord, meta: DatasetMetadata) -> None:
    """Each published silver version as a dataset of its own (``dcat:hasVersion``), chained by
    ``dcat:previousVersion``; the dataset itself says which is current and when it changed."""
    add = graph.add
    previous: URIRef | None = None
    for version, published_at, rows in record.versions:
        node = URIRef(f"{ds}/version/{version}")
        facts = meta.model_copy(update={"number_of_records": rows, "number_of_unique_individuals": None})
        _describe(
            graph,
            base,
            node,
            facts,
            _agent(graph, base, meta.publisher),
            identifier=f"{meta.identifier}@{version}",
        )
        _health(graph, node, facts)
        _distribution(graph, base, node, meta)
        add((node, DCAT_VERSION, Literal(str(version))))
        add((node, DCTERMS.issued, Literal(published_at.astimezone(UTC).isoformat(), datatype=XSD.dateTime)))
        if previous is not None:
            add((node, DCAT.previousVersion, previous))
        add((ds, DCAT.hasVersion, node))
        previous = node
    if record.versions:
        version, published_at, rows = record.versions[-1]
        add((ds, DCAT_VERSION, Literal(str(version))))
        add((ds, DCAT.hasCurrentVersion, URIRef(f"{ds}/version/{version}")))
        add((ds, DCTERMS.modified, Literal(published_at.astimezone(UTC).isoformat(), datatype=XSD.dateTime)))
        if rows is not None and meta.number_of_records is None:
            add((ds, HEALTH.numberOfRecords, Literal(rows, datatype=XSD.nonNegativeInteger)))


def _distribution(graph: Graph, base: str, ds: URIRef, meta: DatasetMetadata) -> None:
    """The one way to the data: the secure processing environment, under a permit."""
    add = graph.add
    distribution = URIRef(f"{base}dataset/{meta.identifier}/distribution/spe")
    add((ds, DCAT.distribution, distribution))
    add((_spe(graph, base, meta), DCAT.servesDataset, ds))
    if (distribution, RDF.type, DCAT.Distribution) in graph:
        return
    add((distribution, RDF.type, DCAT.Distribution))
    add((distribution, DCAT.accessURL, URIRef(f"{base}permits")))
    _texts(graph, distribution, DCTERMS.title, SPE_ACCESS)
    add((distribution, DCAT.accessService, _spe(graph, base, meta)))
    add(
        (
            distribution,
            DCTERMS.accessRights,
            _authority(graph, "access-right", meta.access_rights, DCTERMS.RightsStatement),
        )
    )
    for iri in meta.applicable_legislation:
        add((distribution, DCATAP.applicableLegislation, _legislation(graph, iri)))


SPE_ACCESS = Multilingual(
    fr="Accès dans l'environnement de traitement sécurisé, sous permis de données",
    nl="Toegang in de beveiligde verwerkingsomgeving, met een datavergunning",
    de="Zugang in der sicheren Verarbeitungsumgebung, mit einer Datengenehmigung",
    en="Access in the secure processing environment, under a data permit",
)
SPE_TITLE = Multilingual(
    fr="Environnement de traitement sécurisé (Haven)",
    nl="Beveiligde verwerkingsomgeving (Haven)",
    de="Sichere Verarbeitungsumgebung (Haven)",
    en="Secure processing environment (Haven)",
)


def _spe(graph: Graph, base: str, meta: DatasetMetadata) -> URIRef:
    """The secure processing environment: the one access service of every distribution."""
    node = URIRef(f"{base}spe")
    if (node, RDF.type, DCAT.DataService) in graph:
        return node
    graph.add((node, RDF.type, DCAT.DataService))
    _texts(graph, node, DCTERMS.title, SPE_TITLE)
    graph.add((node, DCAT.endpointURL, node))
    graph.add(
        (
            node,
            DCTERMS.accessRights,
            _authority(graph, "access-right", meta.access_rights, DCTERMS.RightsStatement),
        )
    )
    for iri in meta.applicable_legislation:
        graph.add((node, DCATAP.applicableLegislation, _legislation(graph, iri)))
    return node


def _dataset(graph: Graph, base: str, record: DatasetRecord, publisher: URIRef) -> URIRef:
    meta = DatasetMetadata.model_validate(record.metadata)
    ds = URIRef(f"{base}dataset/{meta.identifier}")
    _describe(graph, base, ds, meta, publisher)
    _health(graph, ds, meta)
    _quality(graph, ds, record, meta)
    _versions(graph, base, ds, record, meta)
    _distribution(graph, base, ds, meta)
    return ds


def catalogue_graph(
    records: Iterable[DatasetRecord], base: str = "https://haven.example.be/", issued: datetime | None = None
) -> Graph:
    """The whole catalogue as one graph."""
    graph = Graph()
    for prefix, space in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("dcatap", DCATAP),
        ("healthdcatap", HEALTH),
        ("csvw", CSVW),
        ("cv", CV),
        ("dpv", DPV),
        ("eli", ELI),
        ("skos", SKOS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("haven", HAVEN),
        ("dqv", DQV),
        ("oa", OA),
    ):
        graph.bind(prefix, space)
    items = list(records)
    catalogue = URIRef(f"{base}catalogue")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    _texts(
        graph,
        catalogue,
        DCTERMS.title,
        Multilingual(
            fr="Catalogue des données de santé (Haven)",
            nl="Catalogus van gezondheidsgegevens (Haven)",
            de="Katalog der Gesundheitsdaten (Haven)",
            en="Health data catalogue (Haven)",
        ),
    )
    _texts(
        graph,
        catalogue,
        DCTERMS.description,
        Multilingual(
            fr="Jeux de données de santé disponibles pour l'utilisation secondaire, sous permis.",
            nl="Gezondheidsdatasets beschikbaar voor secundair gebruik, met een vergunning.",
            de="Gesundheitsdatensätze für die Sekundärnutzung, mit einer Datengenehmigung.",
            en="Health datasets available for secondary use, under a data permit.",
        ),
    )
    if items:
        hda = DatasetMetadata.model_validate(items[0].metadata).hdab
        publisher = _agent(graph, base, hda)
        graph.add((catalogue, DCTERMS.publisher, publisher))
        for iri in DatasetMetadata.model_validate(items[0].metadata).applicable_legislation:
            graph.add((catalogue, DCATAP.applicableLegislation, _legislation(graph, iri)))
        for record in items:
            meta = DatasetMetadata.model_validate(record.metadata)
            publisher_node = _agent(graph, base, meta.publisher)
            graph.add((catalogue, DCAT.dataset, _dataset(graph, base, record, publisher_node)))
    if issued is not None:
        graph.add((catalogue, DCTERMS.modified, Literal(issued.isoformat(), datatype=XSD.dateTime)))
    return graph


def export(records: Iterable[DatasetRecord], fmt: str, extend: Callable[[Graph], None] | None = None) -> str:
    """The catalogue serialised as ``turtle`` or ``jsonld``; ``extend`` adds to the graph first
    (the released aggregates' distributions, ``catalog.dashboards.rdf``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    graph = catalogue_graph(records)
    if extend is not None:
        extend(graph)
    return graph.serialize(format=FORMATS[fmt])
