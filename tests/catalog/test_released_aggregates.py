"""The registry of released aggregates and dashboards over it, on SQLite and PostgreSQL.

A released output's table enters the registry with its file, hash, permit, reviewers,
disclosure thresholds, versions and quality label; the HealthDCAT-AP export lists it as a
distribution while its permit allows publication; a dashboard's spec is refused, with the
reason, when it names anything but released aggregates or computes anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, XSD

from catalog.airlock.domain import CheckedResult
from catalog.audit.search import AuditFilter, search
from catalog.dashboards import registry, service
from catalog.dashboards.domain import DashboardState, SourceQuality
from catalog.dashboards.rdf import SPDX, released_distributions
from catalog.datasets.domain import QualityLabel
from catalog.datasets.rdf import export
from catalog.db.dashboards import SqlDashboardStore
from catalog.db.engine import Catalog
from catalog.errors import InvalidSpec, InvalidTransition, NotAuthorised, NotFound, RuleViolation
from catalog.people.domain import Role, User
from catalog.permits import service as permits
from catalog.permits.domain import PermitBuild
from tests.catalog.factories import describe_lake
from tests.catalog.fixtures import catalog, catalog_url  # noqa: F401 (fixtures)
from tests.catalog.output_factories import NOW, RESULT, airlock_world, file_request, vote
from tests.catalog.test_rdf import LABEL as RDF_LABEL
from tests.catalog.test_rdf import SHAPE_SETS, _results

THRESHOLDS = {"min_persons": 10, "p_percent": 10.0, "nk_n": 2, "nk_k_percent": 90.0, "rounding_base": 0}
LABEL_V7 = QualityLabel(7, "run-7", datetime(2026, 2, 1, tzinfo=UTC), RDF_LABEL)
LABEL_V8 = QualityLabel(
    8, "run-8", datetime(2026, 2, 8, tzinfo=UTC), {**RDF_LABEL, "documentation": {"score": 0.5, "grade": "C"}}
)


@pytest.fixture
def store(catalog: Catalog) -> Iterator[SqlDashboardStore]:  # noqa: F811
    with catalog.session() as session:
        yield SqlDashboardStore(session)


def released(store: SqlDashboardStore, result: CheckedResult = RESULT) -> tuple[dict[str, User], Any]:
    """The airlock world, its permit built from claims silver version 7 (labelled, like 8),
    and one request released by sam and sven; the people and the released request."""
    people, permit = airlock_world(store)
    store.add_permit_build(
        PermitBuild(permit.application_id, "published", NOW, "claims", {"claims": 7}, 3, 240)
    )
    store.add_quality_label("claims", LABEL_V7)
    store.add_quality_label("claims", LABEL_V8)
    request = file_request(store, people["rita"], permit, result=result)
    vote(store, people, "sam", request)
    decided = vote(store, people, "sven", request).request
    return people, decided


def test_a_released_request_becomes_an_aggregate_with_its_file_hash_reviewers_rules_versions_and_label(
    store: SqlDashboardStore,
) -> None:
    _people, request = released(store)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    aggregate = registry.record_release(store, request, disclosure=THRESHOLDS, at=at)
    stored = store.find_released_aggregate(request.request_id)
    assert stored == aggregate
    assert stored is not None
    assert stored.csv == "kind,persons\r\nGP,120\r\nLAB,\r\n"
    assert stored.sha256 == hashlib.sha256(stored.csv.encode("utf-8")).hexdigest()
    assert (stored.permit_id, stored.reviewers, stored.disclosure, stored.versions) == (
        request.permit_id,
        ("sam", "sven"),
        THRESHOLDS,
        {"claims": 3},
    )
    assert stored.sources == {"claims": (SourceQuality("claims", 7, LABEL_V7.summary()),)}
    assert (stored.columns, stored.rows) == (("kind", "persons"), (("GP", 120), ("LAB", None)))
    assert [stored.is_suppressed(1, "persons"), stored.is_suppressed(0, "persons")] == [True, False]
    assert (stored.period_start, stored.period_end, stored.released_at) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
        at,
    )
    [entry] = search(store.audit_entries(), AuditFilter(action=registry.REGISTERED_EVENT)).entries
    assert entry.details == {"permit": request.permit_id, "sha256": stored.sha256, "rows": 2}


def test_a_table_read_without_a_recorded_build_has_no_label_rather_than_a_wrong_one(
    store: SqlDashboardStore,
) -> None:
    people, permit = airlock_world(store)
    request = file_request(store, people["rita"], permit)
    vote(store, people, "sam", request)
    decided = vote(store, people, "sven", request).request
    assert registry.record_release(store, decided, disclosure=THRESHOLDS).sources == {"claims": ()}


def test_only_a_released_request_is_registered_and_only_once(store: SqlDashboardStore) -> None:
    people, permit = airlock_world(store)
    pending = file_request(store, people["rita"], permit)
    with pytest.raises(RuleViolation, match="only a released output"):
        registry.record_release(store, pending, disclosure=THRESHOLDS)
    vote(store, people, "sam", pending)
    rejected = vote(store, people, "sven", pending, approve=False).request
    with pytest.raises(RuleViolation, match="only a released output"):
        registry.record_release(store, rejected, disclosure=THRESHOLDS)
    _people, request = released_again(store, people, permit)
    registry.record_release(store, request, disclosure=THRESHOLDS)
    with pytest.raises(RuleViolation, match="already"):
        registry.record_release(store, request, disclosure=THRESHOLDS)
    assert [a.aggregate_id for a in store.list_released_aggregates()] == [request.request_id]


def released_again(store: SqlDashboardStore, people: dict[str, User], permit: Any) -> tuple[None, Any]:
    request = file_request(store, people["rita"], permit)
    vote(store, people, "sam", request)
    return None, vote(store, people, "sven", request).request


def _catalogue(store: SqlDashboardStore) -> Graph:
    describe_lake(store)
    records = store.list_datasets()
    return Graph().parse(
        data=export(records, "turtle", released_distributions(registry.publishable(store))), format="turtle"
    )


def test_the_catalogue_lists_a_published_aggregate_as_a_distribution_and_still_validates(
    store: SqlDashboardStore,
) -> None:
    _people, request = released(store)
    aggregate = registry.record_release(store, request, disclosure=THRESHOLDS)
    graph = _catalogue(store)
    node = URIRef(f"https://haven.example.be/released/{aggregate.aggregate_id}")
    assert (URIRef("https://haven.example.be/dataset/claims"), DCAT.distribution, node) in graph
    download = URIRef(f"https://haven.example.be/released/{aggregate.aggregate_id}.csv")
    assert (node, DCAT.downloadURL, download) in graph
    [checksum] = graph.objects(node, SPDX.checksum)
    assert (checksum, SPDX.checksumValue, Literal(aggregate.sha256, datatype=XSD.hexBinary)) in graph
    for shapes in SHAPE_SETS.values():
        assert _results(graph, shapes) == []


def test_a_revoked_permits_aggregate_is_neither_publishable_nor_exported(store: SqlDashboardStore) -> None:
    people, request = released(store)
    registry.record_release(store, request, disclosure=THRESHOLDS)
    assert registry.publication(store.get_application(request.permit_id)).allowed
    permits.revoke(store, people["sam"], request.permit_id, reason="The data user broke the permit's terms.")
    assert registry.publication(store.get_application(request.permit_id)) == registry.Publication(
        False, "the permit was revoked"
    )
    assert registry.publishable(store) == []
    graph = _catalogue(store)
    assert list(graph.subjects(DCAT.downloadURL, None)) == []


# ---- dashboards -----------------------------------------------------------------------------

TITLE = {"title_fr": "Personnes", "title_nl": "Personen", "title_de": "Personen", "title_en": "Persons"}


def form(aggregate_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "aggregates": [aggregate_id],
        "kind": "bar",
        "chart": "",
        "audience": "public",
        **TITLE,
        **overrides,
    }


@pytest.fixture
def world(store: SqlDashboardStore) -> tuple[dict[str, User], str]:
    people, request = released(store)
    registry.record_release(store, request, disclosure=THRESHOLDS)
    people["ana"] = replace(people["ana"], organisation="Ministry of Health")
    return people, request.request_id


def test_an_analyst_composes_a_draft_from_a_released_aggregate_with_the_default_chart(
    store: SqlDashboardStore, world: tuple[dict[str, User], str]
) -> None:
    people, aggregate_id = world
    dashboard = service.compose(store, people["ana"], form(aggregate_id), now=NOW)
    assert store.find_dashboard(dashboard.dashboard_id) == dashboard
    assert dashboard.state is DashboardState.DRAFT
    assert dashboard.spec.chart == {
        "mark": "bar",
        "encoding": {
            "x": {"field": "kind", "type": "nominal"},
            "y": {"field": "persons", "type": "quantitative"},
        },
    }
    assert dashboard.organisation == "Ministry of Health"


BAD_CHARTS: list[tuple[str, str]] = [
    (
        '{"mark": "bar", "transform": [{"aggregate": [{"op": "sum", "field": "persons", "as": "t"}]}]',
        "not valid JSON",
    ),
    (
        '{"mark": "bar", "encoding": {"x": {"field": "kind", "type": "nominal"}, '
        '"y": {"field": "persons", "type": "quantitative", "aggregate": "sum"}}}',
        "aggregate computes new numbers",
    ),
]
_XY = (
    '"encoding": {"x": {"field": "kind", "type": "nominal"}, '
    '"y": {"field": "persons", "type": "quantitative"}}'
)
for transform, why in [
    ('{"aggregate": [{"op": "sum", "field": "persons", "as": "t"}]}', "aggregate computes new numbers"),
    ('{"calculate": "datum.persons * 2", "as": "twice"}', "calculate computes new numbers"),
    (
        '{"joinaggregate": [{"op": "mean", "field": "persons", "as": "m"}]}',
        "joinaggregate computes new numbers",
    ),
    ('{"window": [{"op": "rank", "as": "r"}]}', "window computes new numbers"),
    ('{"lookup": "kind", "from": {"data": {"url": "x.csv"}, "key": "kind"}}', "lookup computes new numbers"),
    ('{"filter": "datum.persons > 3"}', "not by an expression"),
    ('{"filter": {"field": "persons", "lt": {"expr": "1"}}}', "not an expression"),
]:
    BAD_CHARTS.append((f'{{"mark": "bar", {_XY}, "transform": [{transform}]}}', why))
BAD_CHARTS += [
    (f'{{"mark": "bar", {_XY}, "data": {{"url": "https://example.org/x.csv"}}}}', "data reads data or code"),
    (f'{{"mark": "bar", {_XY}, "params": [{{"name": "p", "value": 1}}]}}', "params reads data or code"),
    (f'{{"mark": "arc", {_XY}}}', "must be bar, line or geoshape"),
    (f'{{"mark": "line", {_XY}}}', "must be the kind chosen"),
    (
        '{"mark": "bar", "encoding": {"x": {"field": "kind", "type": "nominal", "axis": {"labelExpr": "1"}}, '
        '"y": {"field": "secret", "type": "quantitative"}}}',
        "labelExpr is not a display setting",
    ),
    (
        '{"mark": "bar", "encoding": {"x": {"field": "kind", "type": "nominal"}, '
        '"y": {"field": "secret", "type": "quantitative"}}}',
        "must be a column of the aggregates: kind, persons",
    ),
]


@pytest.mark.parametrize(("chart", "why"), BAD_CHARTS)
def test_a_chart_beyond_display_is_refused_with_the_reason(
    store: SqlDashboardStore, world: tuple[dict[str, User], str], chart: str, why: str
) -> None:
    people, aggregate_id = world
    with pytest.raises(InvalidSpec, match=why):
        service.compose(store, people["ana"], form(aggregate_id, chart=chart))
    assert store.list_dashboards() == []


def test_display_transforms_pass(store: SqlDashboardStore, world: tuple[dict[str, User], str]) -> None:
    people, aggregate_id = world
    chart = (
        '{"mark": {"type": "bar", "point": false}, "encoding": {"x": {"field": "kind", "type": "nominal", '
        '"sort": "-y", "title": "Kind", "axis": {"labelAngle": 0}}, "y": {"field": "persons", '
        '"type": "quantitative", "format": ",d"}}, '
        '"transform": [{"filter": {"field": "kind", "oneOf": ["GP"]}}]}'
    )
    dashboard = service.compose(store, people["ana"], form(aggregate_id, chart=chart))
    assert dashboard.spec.chart is not None
    assert dashboard.spec.chart["transform"] == [{"filter": {"field": "kind", "oneOf": ["GP"]}}]


def test_an_aggregate_that_was_not_released_or_may_not_be_published_is_refused(
    store: SqlDashboardStore, world: tuple[dict[str, User], str]
) -> None:
    people, aggregate_id = world
    with pytest.raises(InvalidSpec, match="out-2026-nothere is not a released aggregate"):
        service.compose(store, people["ana"], form("out-2026-nothere"))
    permit = store.get_application(registry.get_aggregate(store, aggregate_id).permit_id)
    pending = file_request(store, people["rita"], permit)
    with pytest.raises(InvalidSpec, match=f"{pending.request_id} is not a released aggregate"):
        service.compose(store, people["ana"], form(pending.request_id))
    permits.revoke(store, people["sam"], pending.permit_id, reason="The data user broke the permit's terms.")
    with pytest.raises(InvalidSpec, match="its permit does not allow it"):
        service.compose(store, people["ana"], form(aggregate_id))


def test_titles_are_required_in_every_language_and_an_organisation_audience_needs_an_organisation(
    store: SqlDashboardStore, world: tuple[dict[str, User], str]
) -> None:
    people, aggregate_id = world
    with pytest.raises(InvalidSpec) as refused:
        service.compose(store, people["ana"], form(aggregate_id, title_de=" "))
    assert [(p.where, p.text()) for p in refused.value.problems] == [
        ("title_de", "Write this text in every language.")
    ]
    with pytest.raises(InvalidSpec, match="belongs to no organisation"):
        service.compose(
            store, replace(people["ana"], organisation=None), form(aggregate_id, audience="organisation")
        )


def test_only_analysts_compose_only_the_author_changes_and_drafts_show_to_the_author_alone(
    store: SqlDashboardStore, world: tuple[dict[str, User], str]
) -> None:
    people, aggregate_id = world
    for other in ("rita", "sam", "otto", "cito"):
        with pytest.raises(NotAuthorised):
            service.compose(store, people[other], form(aggregate_id))
    ana = people["ana"]
    ada = User("ada", frozenset({Role.POLICY_ANALYST}), organisation="Ministry of Health")
    store.add_user(ada, None)
    draft = service.compose(store, ana, form(aggregate_id, audience="organisation"))
    with pytest.raises(NotAuthorised, match="not its author"):
        service.edit(store, ada, draft.dashboard_id, form(aggregate_id))
    with pytest.raises(NotAuthorised, match="not its author"):
        service.move(store, ada, draft.dashboard_id, DashboardState.PUBLISHED)
    assert [service.can_view(u, draft) for u in (ana, ada, None)] == [True, False, False]
    with pytest.raises(NotFound):
        service.view(store, ada, draft.dashboard_id)
    published = service.move(store, ana, draft.dashboard_id, DashboardState.PUBLISHED, now=NOW)
    outsider = User("olaf", frozenset({Role.POLICY_ANALYST}), organisation="Another ministry")
    assert [service.can_view(u, published) for u in (ana, ada, outsider, None)] == [True, True, False, False]
    assert service.visible(store, None) == []
    public = service.edit(store, ana, draft.dashboard_id, form(aggregate_id, audience="public"))
    assert public.state is DashboardState.PUBLISHED
    assert [d.dashboard_id for d in service.visible(store, None)] == [draft.dashboard_id]
    with pytest.raises(InvalidTransition):
        service.move(store, ana, draft.dashboard_id, DashboardState.PUBLISHED)
    service.move(store, ana, draft.dashboard_id, DashboardState.DRAFT)
    assert service.visible(store, None) == []
    actions = [e.action for e in search(store.audit_entries(), AuditFilter(object_type="dashboard")).entries]
    assert sorted(actions) == sorted(
        ["dashboard.composed", "dashboard.published", "dashboard.edited", "dashboard.withdrawn"]
    )


def test_texts_are_kept_as_written_and_never_enter_the_audit_log(
    store: SqlDashboardStore, world: tuple[dict[str, User], str]
) -> None:
    people, aggregate_id = world
    script = '<script>alert("x")</script>'
    dashboard = service.compose(store, people["ana"], form(aggregate_id, title_en=script, notes_fr=script))
    assert (dashboard.spec.title.en, dashboard.spec.notes.fr) == (script, script)
    [entry] = search(store.audit_entries(), AuditFilter(object_type="dashboard")).entries
    assert "script" not in str(entry.details)


def test_the_migration_adds_the_registry_to_a_catalogue_of_the_previous_revision(tmp_path: Any) -> None:
    from sqlalchemy import inspect

    from catalog.db.engine import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0016_filing_order")
    assert not inspect(engine).has_table("released_aggregates")
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"released_aggregates", "dashboards"} <= tables
    assert "organisation" in {c["name"] for c in inspect(engine).get_columns("users")}
    engine.dispose()


def test_the_readme_shows_the_dashboards_lifecycle() -> None:
    from catalog.dashboards.lifecycle import LIFECYCLE
    from common.settings import PROJECT_ROOT

    assert LIFECYCLE.mermaid_diagram() in (PROJECT_ROOT / "README.md").read_text()
