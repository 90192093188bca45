"""Maps of Belgian provinces as a dashboard's chart: the spec names a column of province NIS
codes and a numeric column and nothing else (no data, URL, lookup or computing setting);
composing checks that the column holds provinces, once each after the filters; the rows a
map can draw are placed by province and the others counted."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from catalog.airlock.domain import CheckedResult
from catalog.dashboards import maps, registry, service, specs
from catalog.dashboards.domain import ChartKind
from catalog.db.dashboards import SqlDashboardStore
from catalog.errors import InvalidSpec
from catalog.people.domain import User
from common.reference import provinces
from tests.catalog.fixtures import catalog, catalog_url  # noqa: F401 (fixtures)
from tests.catalog.test_released_aggregates import THRESHOLDS, form, released, store  # noqa: F401

COLUMNS = ("province", "year", "persons", "note")
NUMERIC = ("year", "persons")
MAP = {
    "mark": "geoshape",
    "encoding": {
        "shape": {"field": "province", "type": "geojson", "title": "Province"},
        "color": {"field": "persons", "type": "quantitative", "legend": {"title": "Persons"}, "format": ",d"},
    },
    "transform": [{"filter": {"field": "year", "equal": 2025}}],
    "width": 500,
    "description": "Persons per province",
}


def _map(**encoding: Any) -> dict[str, Any]:
    return {"mark": "geoshape", "encoding": {**MAP["encoding"], **encoding}}


def test_a_map_that_only_names_columns_is_accepted_as_written() -> None:
    assert specs.check_chart(json.loads(json.dumps(MAP)), COLUMNS, NUMERIC) == MAP
    assert specs.check_chart({**MAP, "mark": {"type": "geoshape"}}, COLUMNS, NUMERIC)["mark"] == {
        "type": "geoshape"
    }


BAD_MAPS: list[tuple[dict[str, Any], str]] = [
    (_map(shape={"field": "region", "type": "geojson"}), "must be a column of the aggregates"),
    (_map(color={"field": "deaths", "type": "quantitative"}), "must be a column of the aggregates"),
    (_map(color={"field": "note", "type": "quantitative"}), "must be a numeric column: year, persons"),
    (_map(color={"field": "province", "type": "quantitative"}), "must name different columns"),
    (_map(shape={"field": "province", "type": "nominal"}), "shape channel's type must be geojson"),
    (_map(color={"field": "persons", "type": "nominal"}), "color channel's type must be quantitative"),
    (
        _map(color={"field": "persons", "type": "quantitative", "scale": {"domain": [0, 1]}}),
        "scale is not a display setting",
    ),
    (_map(color={"field": "persons", "type": "quantitative", "axis": None}), "axis is not a display setting"),
    (_map(shape={"field": "province", "type": "geojson", "sort": "x"}), "sort is not a display setting"),
    (_map(x={"field": "persons", "type": "quantitative"}), "x is not a display setting"),
    (_map(tooltip={"field": "note", "type": "nominal"}), "tooltip is not a display setting"),
    ({"mark": "geoshape", "encoding": {"shape": MAP["encoding"]["shape"]}}, "A map needs the shape channel"),
    ({"mark": "geoshape", "encoding": {"x": {"field": "persons"}}}, "A map needs the shape channel"),
    ({**MAP, "data": {"url": "https://example.org/be.json"}}, "data reads data or code from elsewhere"),
    ({**MAP, "datasets": {"shapes": []}}, "datasets reads data or code from elsewhere"),
    ({**MAP, "projection": {"type": "mercator"}}, "projection is not a display setting"),
    (
        {
            **MAP,
            "transform": [
                {"lookup": "province", "from": {"data": {"url": "x.json"}, "key": "id", "fields": ["geo"]}}
            ],
        },
        "lookup computes new numbers",
    ),
    ({**MAP, "transform": [{"filter": "datum.year == 2025"}]}, "not by an expression"),
    ({**MAP, "mark": "arc"}, "must be bar, line or geoshape"),
]


@pytest.mark.parametrize(("chart", "why"), BAD_MAPS)
def test_a_map_naming_anything_but_its_columns_is_refused_with_the_reason(
    chart: dict[str, Any], why: str
) -> None:
    with pytest.raises(InvalidSpec, match=why):
        specs.check_chart(chart, COLUMNS, NUMERIC)


def test_without_numeric_columns_no_map_is_accepted() -> None:
    with pytest.raises(InvalidSpec, match="must be a numeric column: -"):
        specs.check_chart(MAP, COLUMNS)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("04000", "04000"),
        ("10000", "10000"),
        (" 20001 ", "20001"),
        (4000, "04000"),
        ("4000", "04000"),
        (90000, "90000"),
        ("11000", None),  # an arrondissement, not a province
        ("20000", None),  # the former province of Brabant
        ("other", None),
        ("", None),
        (None, None),
        (True, None),
        (10000.0, None),
    ],
)
def test_province_codes_are_the_nis_codes_of_the_reference_table(value: Any, code: str | None) -> None:
    assert maps.province_code(value) == code


def test_the_reference_table_has_the_eleven_provinces() -> None:
    assert sorted(provinces()) == [
        "04000",
        "10000",
        "20001",
        "20002",
        "30000",
        "40000",
        "50000",
        "60000",
        "70000",
        "80000",
        "90000",
    ]


ROWS = (
    ("10000", 2025, 40, "a"),
    ("other", 2025, 15, None),
    ("60000", 2025, None, None),
    (None, 2025, 9, "b"),
)


def test_the_province_column_and_the_numeric_columns_are_found_in_the_rows() -> None:
    assert maps.province_column(COLUMNS, ROWS) == "province"
    assert maps.numeric_columns(COLUMNS, ROWS) == ("year", "persons")
    assert maps.province_column(("kind", "persons"), (("GP", 14), ("SPEC", None))) is None
    # A column mostly of other codes is no province column, even with one province in it.
    assert maps.province_column(("code",), (("10000",), ("11000",), ("12000",))) is None


def test_each_province_with_one_row_is_placed_and_every_other_row_is_counted() -> None:
    rows = [
        maps.MapRow({"province": "10000", "persons": 40}, suppressed=False),
        maps.MapRow({"province": "40000", "persons": None}, suppressed=True),
        maps.MapRow({"province": "other", "persons": 15}, suppressed=False),
        maps.MapRow({"province": None, "persons": 9}, suppressed=False),
        maps.MapRow({"province": "60000", "persons": 25}, suppressed=False),
        maps.MapRow({"province": 60000, "persons": 26}, suppressed=False),
    ]
    placed = maps.place(rows, "province")
    assert placed == maps.Placed({"10000": rows[0], "40000": rows[1]}, off_map=4)


# ---- composing a map from a released aggregate ----------------------------------------------

PROVINCES_RESULT = CheckedResult(
    columns=("province", "year", "persons"),
    rows=(
        ("10000", 2024, 38),
        ("10000", 2025, 40),
        ("40000", 2025, None),
        ("60000", 2025, 25),
        ("other", 2025, 15),
    ),
    suppressed=({"row": 2, "column": "persons", "rule": "threshold"},),
)
BY_YEAR = '{"filter": {"field": "year", "equal": 2025}}'


@pytest.fixture
def world(store: SqlDashboardStore) -> tuple[dict[str, User], str]:  # noqa: F811
    people, request = released(store, PROVINCES_RESULT)
    registry.record_release(store, request, disclosure=THRESHOLDS)
    people["ana"] = replace(people["ana"], organisation="Ministry of Health")
    return people, request.request_id


def _chart(transform: str = BY_YEAR, key: str = "province", colour: str = "persons") -> str:
    return (
        f'{{"mark": "geoshape", "encoding": {{"shape": {{"field": "{key}", "type": "geojson"}}, '
        f'"color": {{"field": "{colour}", "type": "quantitative"}}}}, "transform": [{transform}]}}'
    )


def test_an_analyst_composes_a_map_filtered_to_one_row_per_province(
    store: SqlDashboardStore,  # noqa: F811
    world: tuple[dict[str, User], str],
) -> None:
    people, aggregate_id = world
    dashboard = service.compose(store, people["ana"], form(aggregate_id, kind="map", chart=_chart()))
    assert dashboard.spec.kind is ChartKind.MAP
    assert dashboard.spec.chart == json.loads(_chart())
    assert store.find_dashboard(dashboard.dashboard_id) == dashboard


def test_the_default_map_colours_the_province_column_by_the_last_numeric_column(
    store: SqlDashboardStore,  # noqa: F811
    world: tuple[dict[str, User], str],
) -> None:
    people, aggregate_id = world
    assert specs.default_chart(ChartKind.MAP, PROVINCES_RESULT.columns, PROVINCES_RESULT.rows) == {
        "mark": "geoshape",
        "encoding": {
            "shape": {"field": "province", "type": "geojson"},
            "color": {"field": "persons", "type": "quantitative"},
        },
    }
    # Without a filter the default draws Antwerp's two years on one shape: refused, with why.
    with pytest.raises(InvalidSpec) as refused:
        service.compose(store, people["ana"], form(aggregate_id, kind="map"))
    assert [(p.where, p.text()) for p in refused.value.problems] == [
        (
            "chart",
            "A map shows one number per province, and 10000 appear in several rows: "
            "filter the rows (by year, for example) so that each province appears once.",
        )
    ]
    assert store.list_dashboards() == []


@pytest.mark.parametrize(
    ("chart", "where", "why"),
    [
        (
            _chart(key="year"),
            "chart",
            "The column year holds no province NIS code (such as 10000 for Antwerp).",
        ),
        (_chart(colour="province"), "encoding", "The shape and color channels must name different columns."),
        (
            _chart().replace('"geoshape"', '"bar"'),
            "encoding",
            "Give at least the x and y channels.",
        ),
        (
            '{"mark": "bar", "encoding": {"x": {"field": "province", "type": "nominal"}, '
            '"y": {"field": "persons", "type": "quantitative"}}}',
            "chart",
            "The chart's mark must be the kind chosen: geoshape.",
        ),
    ],
)
def test_a_map_that_cannot_draw_the_provinces_is_refused(
    store: SqlDashboardStore,  # noqa: F811
    world: tuple[dict[str, User], str],
    chart: str,
    where: str,
    why: str,
) -> None:
    people, aggregate_id = world
    with pytest.raises(InvalidSpec) as refused:
        service.compose(store, people["ana"], form(aggregate_id, kind="map", chart=chart))
    assert [(p.where, p.text()) for p in refused.value.problems] == [(where, why)]


def test_results_without_provinces_have_no_default_map(store: SqlDashboardStore) -> None:  # noqa: F811
    people, request = released(store)  # persons per kind of claim
    registry.record_release(store, request, disclosure=THRESHOLDS)
    with pytest.raises(InvalidSpec) as refused:
        service.compose(store, people["ana"], form(request.request_id, kind="map", audience="public"))
    assert [(p.where, p.text()) for p in refused.value.problems] == [("kind", service.NO_MAP)]
