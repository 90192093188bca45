"""A map of Belgian provinces on a dashboard, from a table released through the SPE: one shape
per province, coloured by its number (a bigger number never paler), a suppressed number drawn
grey and named "suppressed", the rows no map can draw counted on the page and kept in the
table, in the four languages; the CSV stays the released file; without the boundaries
installed, the page says what to run and still shows the table."""

from __future__ import annotations

import html
import re
from itertools import pairwise
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from catalog.dashboards import maps
from catalog.db.gateway import unit_of_work
from common import reference
from common.settings import Settings
from portal import provinces
from tests.portal.conftest import Clock, csrf_token, sign_in
from tests.portal.dashboard_factories import ADA, MAP_TITLES, compose, dashboard_form, released_world
from tests.portal.test_dashboards import _cells, _post

RELEASED = "province,persons\r\n10000,40\r\n30000,12\r\n40000,\r\n60000,25\r\nother,15\r\n"
SHAPE = re.compile(r'<path\b[^>]*aria-roledescription="geoshape"[^>]*>')
RGB = re.compile(r"rgb\((\d+), (\d+), (\d+)\)")
NONE = "no number in the results"
NOT_ON_MAP = {
    "en": "Rows not on the map: 1.",
    "fr": "Lignes absentes de la carte : 1.",
    "nl": "Rijen niet op de kaart: 1.",
    "de": "Zeilen nicht auf der Karte: 1.",
}


@pytest.fixture(autouse=True)
def boundaries() -> None:
    """The provinces' boundaries that setup vendors (make test does it first): a missing file
    fails these tests, saying what to run, rather than hiding the map."""
    if provinces.shapes() is None:
        pytest.fail(f"the provinces' boundaries are missing ({provinces.SHAPES}): run `{provinces.SETUP}`")


@pytest.fixture
def aggregate(settings: Settings, clock: Clock) -> str:
    return released_world(settings, clock(), provinces=True)


def _map(settings: Settings, aggregate: str, **overrides: object) -> str:
    titles = {f"title_{lang}": title for lang, title in MAP_TITLES.items()}
    return compose(settings, ADA, aggregate, publish=True, kind="map", **titles, **overrides).dashboard_id


def _shapes(svg: str) -> dict[str, str]:
    """Each drawn province's label (its accessible name) and fill."""
    out = {}
    for path in SHAPE.findall(svg):
        label = html.unescape(re.search(r'aria-label="([^"]*)"', path).group(1))  # type: ignore[union-attr]
        assert label not in out, label
        out[label] = re.search(r'fill="([^"]*)"', path).group(1)  # type: ignore[union-attr]
    return out


def _lightness(fill: str) -> float:
    red, green, blue = (int(c) for c in RGB.fullmatch(fill).groups())  # type: ignore[union-attr]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_the_map_draws_each_province_once_by_its_number_and_a_suppressed_one_as_suppressed(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    dashboard = _map(settings, aggregate)
    svg = client.get(f"/dashboards/{dashboard}/chart.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    shapes = _shapes(svg.text)
    assert sorted(shapes) == sorted(
        [
            "Antwerp: 40",
            "West Flanders: 12",
            "East Flanders: suppressed",
            "Liège: 25",
            f"Brussels-Capital Region: {NONE}",
            f"Flemish Brabant: {NONE}",
            f"Walloon Brabant: {NONE}",
            f"Hainaut: {NONE}",
            f"Limburg: {NONE}",
            f"Luxembourg: {NONE}",
            f"Namur: {NONE}",
        ]
    )
    assert shapes["East Flanders: suppressed"] == maps.SUPPRESSED_FILL
    assert {f for label, f in shapes.items() if label.endswith(NONE)} == {maps.NONE_FILL}
    # The bigger the number, the darker the province; none of them grey or white.
    assert (
        _lightness(shapes["Antwerp: 40"])
        < _lightness(shapes["Liège: 25"])
        < _lightness(shapes["West Flanders: 12"])
    )
    assert ">suppressed</text>" in svg.text and f">{NONE}</text>" in svg.text  # the legend names both
    png = client.get(f"/dashboards/{dashboard}/chart.png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_drawn_spec_joins_the_shapes_in_and_the_csv_stays_the_released_file(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    dashboard = _map(settings, aggregate)
    spec = client.get(f"/dashboards/{dashboard}/chart.json").json()
    values = spec["data"]["values"]
    assert [(v["province"], v["persons"], v["state"]) for v in values] == [
        ("04000", None, "none"),
        ("10000", 40, "shown"),
        ("20001", None, "none"),
        ("20002", None, "none"),
        ("30000", 12, "shown"),
        ("40000", None, "suppressed"),
        ("50000", None, "none"),
        ("60000", 25, "shown"),
        ("70000", None, "none"),
        ("80000", None, "none"),
        ("90000", None, "none"),
    ]
    assert all(v["shape"] == provinces.shapes()[v["province"]] for v in values)  # type: ignore[index]
    assert client.get(f"/dashboards/{dashboard}/data.csv").text == RELEASED
    with unit_of_work(settings) as store:
        assert store.find_released_aggregate(aggregate).csv == RELEASED  # type: ignore[union-attr]


@pytest.mark.parametrize("language", sorted(NOT_ON_MAP))
def test_the_page_counts_the_rows_not_on_the_map_and_keeps_them_in_the_table(
    client: TestClient, settings: Settings, aggregate: str, language: str
) -> None:
    dashboard = _map(settings, aggregate)
    client.post("/language", data={"lang": language, "next": "/", "csrf_token": csrf_token(client)})
    page = client.get(f"/dashboards/{dashboard}")
    assert page.status_code == 200
    suppressed = {"en": "suppressed", "fr": "masqué", "nl": "afgeschermd", "de": "unterdrückt"}[language]
    antwerp = {"en": "Antwerp", "fr": "Anvers", "nl": "Antwerpen", "de": "Antwerpen"}[language]

    def named(code: str) -> str:
        return f"{provinces.PROVINCES[code][language]} ({code})"

    # The table names each province in the reader's language, its code after it; a row whose
    # code is no province keeps what the data say.
    assert _cells(page.text) == [
        [f"{antwerp} (10000)", "40"],
        [named("30000"), "12"],
        [named("40000"), suppressed],
        [named("60000"), "25"],
        ["other", "15"],
    ]
    text = html.unescape(page.text)
    assert NOT_ON_MAP[language] in text
    assert f'<img src="/dashboards/{dashboard}/chart.svg"' in page.text
    assert f"<h1>{MAP_TITLES[language]}</h1>" in page.text
    svg = client.get(f"/dashboards/{dashboard}/chart.svg").text
    assert f"{antwerp}: 40" in _shapes(svg)
    assert f"{MAP_TITLES[language]}</text>" in svg


def test_without_the_boundaries_the_page_says_what_to_run_and_still_shows_the_table(
    client: TestClient, settings: Settings, aggregate: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dashboard = _map(settings, aggregate)
    monkeypatch.setattr(provinces, "SHAPES", tmp_path / "not-installed.geojson")
    page = client.get(f"/dashboards/{dashboard}")
    assert page.status_code == 200
    assert (
        "The map cannot be drawn: the provinces' boundaries are not installed on this server. "
        "An operator installs them with bash infra/browser/setup.sh --vendor-only."
        in html.unescape(page.text)
    )
    assert "Rows not on the map" not in page.text
    assert len(_cells(page.text)) == 5
    assert "<figure" not in page.text and "chart.svg" not in page.text
    for image in ("chart.svg", "chart.png", "chart.json"):
        assert client.get(f"/dashboards/{dashboard}/{image}").status_code == 404
    assert client.get(f"/dashboards/{dashboard}/data.csv").text == RELEASED


def test_a_map_of_a_number_that_is_no_number_is_refused_in_the_readers_language(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    sign_in(client, ADA)
    client.post("/language", data={"lang": "nl", "next": "/", "csrf_token": csrf_token(client)})
    chart = (
        '{"mark": "geoshape", "encoding": {"shape": {"field": "province", "type": "geojson"}, '
        '"color": {"field": "province", "type": "quantitative"}, "tooltip": {"field": "persons"}}}'
    )
    answer = _post(client, "/dashboards/new", dashboard_form(aggregate, kind="map", chart=chart))
    assert answer.status_code == 400  # type: ignore[attr-defined]
    summary = html.unescape(answer.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0])  # type: ignore[attr-defined]
    assert "De kanalen shape en color moeten verschillende kolommen noemen." in summary
    assert "tooltip is geen weergave-instelling" in summary
    with unit_of_work(settings) as store:
        assert store.list_dashboards() == []


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2


def test_the_vendored_boundaries_are_the_eleven_provinces_wound_as_d3_geo_reads_them() -> None:
    found = provinces.shapes()
    assert found is not None and sorted(found) == sorted(reference.provinces())
    for code, feature in found.items():
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        for exterior, *holes in polygons:
            # Clockwise outside, anticlockwise holes: the other way d3-geo draws the globe less the province.
            assert _signed_area(exterior) < 0, code
            assert all(_signed_area(hole) > 0 for hole in holes), code
    assert len(found["20001"]["geometry"]["coordinates"]) == 2  # Flemish Brabant, Brussels its hole
