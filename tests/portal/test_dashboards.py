"""Policy dashboards in the portal: only released numbers, as a chart, as a table with
suppressed cells named, as CSV, SVG and PNG, with their provenance; specs beyond display
refused with the reason in the reader's language; no script through titles or notes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from catalog.airlock import releases
from catalog.dashboards import specs
from catalog.db.gateway import unit_of_work
from common.settings import Settings
from portal.dashboards import render
from tests.portal.conftest import ACCOUNTS, Clock, csrf_token, sign_in
from tests.portal.dashboard_factories import (
    ADA,
    MINISTRY,
    OLGA,
    RELEASED_CSV,
    TITLES,
    compose,
    dashboard_form,
    released_world,
)
from tests.portal.routes_dashboards import (  # noqa: F401 (pytest collects test_*.py only: run them here)
    test_every_dashboard_route_for_every_role,
    test_the_table_lists_every_route_once,
)
from tests.portal.spe_factories import SECOND_STEWARD, SECOND_STEWARD_NAME, SHOWS

ANA = ACCOUNTS["policy_analyst"]
RESEARCHER = ACCOUNTS["researcher"]
# The platform's disclosure control, as the release check applied it (spe.disclosure).
PLATFORM_RULES = {
    "min_persons": 10,
    "zeros_disclosive": True,
    "p_percent": 10.0,
    "nk_n": 2,
    "nk_k_percent": 90.0,
    "rounding_base": 0,
}
# What Vega says each drawn mark shows (axes and titles describe the scale, not data).
MARK = re.compile(r'aria-label="((?!X-axis|Y-axis|Title text)[^"]*)"')
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@pytest.fixture
def aggregate(settings: Settings, clock: Clock) -> str:
    return released_world(settings, clock())


def test_a_release_through_the_spe_enters_the_registry_with_the_file_the_data_user_downloads(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    with unit_of_work(settings) as store:
        found = store.find_released_aggregate(aggregate)
        request = store.get_output_request(aggregate)
    assert found is not None
    assert found.csv == RELEASED_CSV == releases.as_csv(request.result)
    assert found.sha256 == hashlib.sha256(RELEASED_CSV.encode()).hexdigest()
    assert (found.reviewers, found.disclosure, found.versions, found.description) == (
        (ACCOUNTS["steward"], SECOND_STEWARD),
        PLATFORM_RULES,
        {"claims": 0},
        SHOWS,
    )
    sign_in(client, RESEARCHER)
    downloaded = client.get(f"/outputs/{aggregate}/download")
    assert downloaded.content == RELEASED_CSV.encode()
    assert client.get(f"/released/{aggregate}.csv").content == RELEASED_CSV.encode()


def _cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in body.split("</tr>") if "<td" in row]


def test_the_page_shows_the_numbers_as_a_table_with_suppressed_cells_named_and_the_provenance(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    dashboard = compose(settings, ANA, aggregate, publish=True)
    page = client.get(f"/dashboards/{dashboard.dashboard_id}")
    assert page.status_code == 200
    assert _cells(page.text) == [["GP", "14"], ["SPEC", "suppressed"]]
    footer = page.text.split('class="provenance"', 1)[1]
    with unit_of_work(settings) as store:
        found = store.find_released_aggregate(aggregate)
        permit = store.get_application(found.permit_id)  # type: ignore[union-attr]
    for fact in (
        f"{permit.application_id}: Care use in 2025",
        "Scientific research",
        aggregate,
        f"Data steward, {SECOND_STEWARD_NAME}",  # by name, or by role when they have none
        "1 January 2025 to 31 December 2025",
        "claims, version 0",
        "claims: the build behind this version is not on record, so no label is claimed.",
        "Fewest persons behind a cell: 10; Zero cells treated as disclosive: Yes",
        found.sha256,  # type: ignore[union-attr]
    ):
        assert fact in footer, fact
    assert "@" not in footer  # no reviewer's username, which is an email address
    assert f'<img src="/dashboards/{dashboard.dashboard_id}/chart.svg"' in page.text


def _chart_numbers(svg: str) -> list[str]:
    return [n for label in MARK.findall(svg) for n in NUMBER.findall(label)]


@pytest.mark.parametrize(
    ("chart", "marks"),
    [
        ("", ["kind: GP; persons: 14"]),
        (
            '{"mark": "line", "encoding": {"x": {"field": "kind", "type": "ordinal"}, '
            '"y": {"field": "persons", "type": "quantitative"}}}',
            None,
        ),
        (
            '{"mark": "bar", "encoding": {"y": {"field": "kind", "type": "nominal", "sort": "-x"}, '
            '"x": {"field": "persons", "type": "quantitative", "title": "People"}}, '
            '"transform": [{"filter": {"field": "persons", "gte": 0}}]}',
            ["People: 14; kind: GP"],
        ),
    ],
)
def test_a_chart_draws_only_numbers_of_the_released_aggregate(
    client: TestClient, settings: Settings, aggregate: str, chart: str, marks: list[str] | None
) -> None:
    kind = "line" if '"line"' in chart else "bar"
    dashboard = compose(settings, ANA, aggregate, publish=True, chart=chart, kind=kind)
    svg = client.get(f"/dashboards/{dashboard.dashboard_id}/chart.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    released = {"14"}  # every number of the released file (SPEC's cell is suppressed)
    drawn = _chart_numbers(svg.text)
    assert drawn and set(drawn) <= released
    if marks is not None:
        assert MARK.findall(svg.text) == marks
    png = client.get(f"/dashboards/{dashboard.dashboard_id}/chart.png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    spec = client.get(f"/dashboards/{dashboard.dashboard_id}/chart.json").json()
    assert spec["data"] == {"values": [{"kind": "GP", "persons": 14}, {"kind": "SPEC", "persons": None}]}


def test_the_csv_holds_the_released_files_numbers_and_the_charts_filter(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    whole = compose(settings, ANA, aggregate, publish=True, kind="table")
    assert client.get(f"/dashboards/{whole.dashboard_id}/data.csv").text == RELEASED_CSV
    chart = (
        '{"mark": "bar", "encoding": {"x": {"field": "kind", "type": "nominal"}, '
        '"y": {"field": "persons", "type": "quantitative"}}, '
        '"transform": [{"filter": {"field": "kind", "oneOf": ["GP"]}}]}'
    )
    filtered = compose(settings, ANA, aggregate, publish=True, chart=chart)
    rows = list(csv.reader(io.StringIO(client.get(f"/dashboards/{filtered.dashboard_id}/data.csv").text)))
    assert rows == [["kind", "persons"], ["GP", "14"]]
    assert _cells(client.get(f"/dashboards/{filtered.dashboard_id}").text) == [["GP", "14"]]


def _post(client: TestClient, path: str, form: dict[str, object]) -> object:
    return client.post(path, data={**form, "csrf_token": csrf_token(client)}, follow_redirects=False)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"aggregates": ["out-2026-zzzzzzzzzz"]}, "out-2026-zzzzzzzzzz is not a released aggregate."),
        (
            {
                "chart": '{"mark": "bar", "encoding": {"x": {"field": "kind", "type": "nominal"}, '
                '"y": {"field": "persons", "type": "quantitative", "aggregate": "sum"}}}'
            },
            "aggregate computes new numbers: only display settings are allowed.",
        ),
        (
            {
                "chart": '{"mark": "bar", "encoding": {"x": {"field": "kind", "type": "nominal"}, '
                '"y": {"field": "persons", "type": "quantitative"}}, '
                '"transform": [{"calculate": "datum.persons * 10", "as": "persons"}]}'
            },
            "calculate computes new numbers: only display settings are allowed.",
        ),
        (
            {
                "chart": '{"mark": "bar", "data": {"url": "https://example.org/counts.csv"}, '
                '"encoding": {"x": {"field": "kind", "type": "nominal"}, '
                '"y": {"field": "persons", "type": "quantitative"}}}'
            },
            "data reads data or code from elsewhere: the chart shows only the aggregates.",
        ),
        ({"title_nl": ""}, "Write this text in every language."),
    ],
)
def test_a_bad_spec_is_refused_with_a_clear_message_and_nothing_is_stored(
    client: TestClient, settings: Settings, aggregate: str, overrides: dict[str, object], message: str
) -> None:
    sign_in(client, ANA)
    answer = _post(client, "/dashboards/new", dashboard_form(aggregate, **overrides))
    assert answer.status_code == 400  # type: ignore[attr-defined]
    summary = answer.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]  # type: ignore[attr-defined]
    assert message in summary.replace("&#39;", "'")
    with unit_of_work(settings) as store:
        assert store.list_dashboards() == []


def test_the_refusal_speaks_the_readers_language(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    sign_in(client, ANA)
    client.post("/language", data={"lang": "fr", "next": "/", "csrf_token": csrf_token(client)})
    answer = _post(client, "/dashboards/new", dashboard_form("out-2026-zzzzzzzzzz"))
    assert "out-2026-zzzzzzzzzz n&#39;est pas un agrégat publié." in answer.text  # type: ignore[attr-defined]


SCRIPTS = {
    "fr": '<script>alert("fr")</script>',
    "nl": '"><img src=x onerror=alert("nl")>',
    "de": "<svg onload=alert('de')>",
    "en": "</title><script>alert('en')</script>",
}


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_titles_and_notes_never_carry_script_in_any_language(
    client: TestClient, settings: Settings, aggregate: str, language: str
) -> None:
    payload = SCRIPTS[language]
    texts = {f"title_{lang}": f"{TITLES[lang]} {SCRIPTS[lang]}" for lang in SCRIPTS}
    texts |= {f"notes_{lang}": SCRIPTS[lang] for lang in SCRIPTS}
    dashboard = compose(settings, ANA, aggregate, publish=True, **texts)
    client.post("/language", data={"lang": language, "next": "/", "csrf_token": csrf_token(client)})
    for path in (
        "/dashboards",
        f"/dashboards/{dashboard.dashboard_id}",
        f"/dashboards/{dashboard.dashboard_id}/chart.svg",
    ):
        text = client.get(path).text
        assert payload not in text, path
        for tag in ("<script>alert", "<img src=x", "<svg onload"):
            assert tag not in text, (path, tag)
    page = client.get(f"/dashboards/{dashboard.dashboard_id}").text
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    assert escaped.replace("'", "&#39;") in page
    sign_in(client, ANA)
    form = client.get(f"/dashboards/{dashboard.dashboard_id}/edit").text
    assert payload not in form
    spec = client.get(f"/dashboards/{dashboard.dashboard_id}/chart.json")
    assert spec.headers["content-type"] == "application/json"
    assert spec.json()["title"] == f"{TITLES[language]} {payload}"


def test_forms_without_the_csrf_token_are_refused(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    draft = compose(settings, ANA, aggregate)
    sign_in(client, ANA)
    for path, data in (
        ("/dashboards/new", dashboard_form(aggregate)),
        (f"/dashboards/{draft.dashboard_id}/edit", dashboard_form(aggregate)),
        (f"/dashboards/{draft.dashboard_id}/publish", {}),
    ):
        answer = client.post(path, data=data, follow_redirects=False)
        assert answer.status_code == 403, path
    with unit_of_work(settings) as store:
        assert [d.state.value for d in store.list_dashboards()] == ["draft"]


def test_an_analyst_composes_publishes_and_the_public_and_the_organisation_see_what_they_may(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    sign_in(client, ADA)
    created = _post(client, "/dashboards/new", dashboard_form(aggregate, audience="organisation"))
    assert created.status_code == 303  # type: ignore[attr-defined]
    path = created.headers["location"]  # type: ignore[attr-defined]
    assert "Publish the dashboard" in client.get(path).text
    assert _post(client, f"{path}/publish", {}).headers["location"] == path  # type: ignore[attr-defined]
    assert _post(client, f"{path}/publish", {}).status_code == 303  # type: ignore[attr-defined]  (sent twice)
    sign_in(client, OLGA)  # same organisation
    assert client.get(path).status_code == 200
    assert TITLES["en"] in client.get("/dashboards").text
    sign_in(client, ANA)  # no organisation
    assert client.get(path).status_code == 404
    assert TITLES["en"] not in client.get("/dashboards").text
    public = compose(settings, ADA, aggregate, publish=True, title_en="Public persons per kind")
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    listing = client.get("/dashboards").text
    assert "Public persons per kind" in listing and f"/dashboards/{public.dashboard_id}" in listing
    assert client.get(path).status_code == 404
    with unit_of_work(settings) as store:
        assert store.get_user(ADA).organisation == MINISTRY


def test_a_revoked_permit_takes_its_numbers_off_published_dashboards(
    client: TestClient, settings: Settings, aggregate: str
) -> None:
    from catalog.permits import service as permits

    dashboard = compose(settings, ANA, aggregate, publish=True)
    with unit_of_work(settings) as store:
        permit_id = store.find_released_aggregate(aggregate).permit_id  # type: ignore[union-attr]
        permits.revoke(
            store, store.get_user(ACCOUNTS["steward"]), permit_id, reason="Terms of the permit broken."
        )
    page = client.get(f"/dashboards/{dashboard.dashboard_id}")
    assert "no longer shown" in page.text
    assert "<table" not in page.text and "chart.svg" not in page.text
    assert client.get(f"/dashboards/{dashboard.dashboard_id}/chart.svg").status_code == 404
    assert client.get(f"/released/{aggregate}.csv").status_code == 404


# ---- property: whatever spec the check accepts, the chart draws released numbers only ------

COLUMNS = ("kind", "persons")
# Two released tables' rows drawn together: GP twice (a stack or a sum would draw 34).
VALUES = [
    {"kind": "GP", "persons": 14},
    {"kind": "GP", "persons": 20},
    {"kind": "SPEC", "persons": None},
    {"kind": "LAB", "persons": 31},
]
RELEASED_NUMBERS = {"14", "20", "31"}


def _channel_specs() -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries(
        {
            "field": st.sampled_from([*COLUMNS, "other"]),
            "type": st.sampled_from(["nominal", "quantitative", "ordinal"]),
        },
        optional={
            "aggregate": st.sampled_from(["sum", "mean", "count"]),
            "bin": st.just(True),
            "sort": st.sampled_from(["-y", "ascending", "x"]),
            # Titles are the author's words: digits in them would read as numbers drawn.
            "title": st.text(st.characters(exclude_categories=("Nd", "No", "Nl", "Cs")), max_size=10),
            "format": st.sampled_from([",d", ".1f"]),
            "stack": st.sampled_from(["zero", "normalize"]),
        },
    )


TRANSFORMS = st.sampled_from(
    [
        {"filter": {"field": "kind", "oneOf": ["GP", "LAB"]}},
        {"filter": {"field": "persons", "gte": 15}},
        {"filter": "datum.persons > 1"},
        {"calculate": "datum.persons * 2", "as": "persons"},
        {"aggregate": [{"op": "sum", "field": "persons", "as": "persons"}], "groupby": ["kind"]},
        {"joinaggregate": [{"op": "sum", "field": "persons", "as": "persons"}]},
        {"window": [{"op": "sum", "field": "persons", "as": "persons"}]},
    ]
)
SPECS = st.fixed_dictionaries(
    {
        "mark": st.sampled_from(["bar", "line", {"type": "bar"}, {"type": "line", "point": True}, "arc"]),
        "encoding": st.fixed_dictionaries({"x": _channel_specs(), "y": _channel_specs()}),
    },
    optional={"transform": st.lists(TRANSFORMS, max_size=2)},
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chart=SPECS)
def test_any_accepted_chart_draws_only_released_numbers(chart: dict[str, object]) -> None:
    try:
        checked = specs.check_chart(chart, COLUMNS)
    except specs.InvalidSpec:
        return
    svg = render(specs.chart_with_data(checked, COLUMNS, VALUES, "t"), "svg").decode()
    assert set(_chart_numbers(svg)) <= RELEASED_NUMBERS, chart
