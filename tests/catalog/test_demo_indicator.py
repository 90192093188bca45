"""The demonstration's standing indicator and its dashboard (``catalog.demo.seed_indicator``,
``seed_dashboard``, which ``haven demo`` runs around its permit build): the indicator approved
by both demo stewards and audited as any approval; the dashboard published by the demo
analyst once the indicator has a release; each seeded once."""

from __future__ import annotations

from catalog.dashboards import indicators, service
from catalog.dashboards.domain import Audience, ChartKind, DashboardState
from catalog.dashboards.indicators import IndicatorState, Terms
from catalog.db.engine import Catalog
from catalog.db.gateway import unit_of_work
from catalog.demo import (
    ANALYST,
    DEMO_DASHBOARD,
    DEMO_INDICATOR,
    DEMO_INDICATOR_SQL,
    DEMO_PERMIT_ID,
    RESEARCHER,
    SECOND_STEWARD,
    STEWARD,
    seed_dashboard,
    seed_indicator,
)
from common.layout import LakeLayout
from common.settings import Settings
from spe.indicators import run_indicators
from tests.spe.factories import write_rows

# Persons per provider type in the permit's claims, each type its own persons: the three
# types of the indicator above its 100 persons, and midwives, whom it leaves out (40 persons
# would hold it for review).
PERSONS = {"GP": 154, "dentist": 121, "midwife": 40, "physiotherapist": 108}


def test_the_demo_indicator_is_approved_by_both_demo_stewards_and_audited(
    demo_catalog: Catalog, settings: Settings
) -> None:
    iid = seed_indicator(settings)
    assert iid is not None
    with unit_of_work(settings) as store:
        indicator = indicators.get(store, iid)
        assert (indicator.permit_id, indicator.sql, indicator.proposed_by, indicator.approvals) == (
            DEMO_PERMIT_ID,
            DEMO_INDICATOR_SQL,
            RESEARCHER,
            (STEWARD, SECOND_STEWARD),
        )
        assert (
            indicator.state is IndicatorState.APPROVED
            and indicator.description.get("fr") == DEMO_INDICATOR["fr"]
        )
        assert indicator.terms == Terms(settings.indicator_min_persons, settings.indicator_rounding_base)
        assert [(e.actor, e.action) for e in store.audit_entries() if e.object_id == iid] == [
            (RESEARCHER, "indicator.proposed"),
            (STEWARD, "indicator.approval_recorded"),
            (SECOND_STEWARD, "indicator.approved"),
        ]
    assert seed_indicator(settings) is None
    with unit_of_work(settings) as store:
        assert [i.indicator_id for i in store.list_indicators()] == [iid]


def test_the_demo_dashboard_shows_the_indicators_release_once_there_is_one(
    demo_catalog: Catalog, settings: Settings
) -> None:
    assert seed_dashboard(settings) is None  # no indicator yet
    iid = seed_indicator(settings)
    assert seed_dashboard(settings) is None  # approved, never run: nothing to show
    rows = [(f"{kind}-{i}", kind) for kind, n in PERSONS.items() for i in range(n)]
    write_rows(
        LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims"),
        rows,
        columns=("person_id", "provider_type"),
    )
    assert iid is not None and run_indicators(settings)[iid]["outcome"] == "released"

    dashboard_id = seed_dashboard(settings)
    assert dashboard_id is not None
    with unit_of_work(settings) as store:
        shown = service.view(store, None, dashboard_id)  # signed out: the public sees it
        dashboard = shown.dashboard
        assert (dashboard.owner, dashboard.state, dashboard.spec.audience, dashboard.spec.kind) == (
            ANALYST,
            DashboardState.PUBLISHED,
            Audience.PUBLIC,
            ChartKind.BAR,
        )
        assert dashboard.spec.aggregates == (iid,) and dashboard.spec.title.get("nl") == DEMO_DASHBOARD["nl"]
        [(aggregate, _permit)] = shown.aggregates
        assert aggregate.rows == (("GP", 150), ("dentist", 120), ("physiotherapist", 110))
        assert [e.action for e in store.audit_entries() if e.object_id == dashboard_id] == [
            "dashboard.composed",
            "dashboard.published",
        ]
    assert seed_dashboard(settings) is None
