"""The catalogue: cards and dataset pages from the catalogue's own records, with the quality
label and, for a signed-in researcher, their access: none, application pending, permit in
force."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from catalog.datasets.quality import record_label
from catalog.db.gateway import unit_of_work
from catalog.permits import service
from common.settings import Settings
from tests.catalog.factories import submit
from tests.portal.conftest import ACCOUNTS, sign_in

RITA, SAM = ACCOUNTS["researcher"], ACCOUNTS["steward"]
DECIDED = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)  # before the portal clock of the tests
LABEL: dict[str, Any] = {
    "scale": "A (excellent) > B (good) > C (fair) > D (poor)",
    "documentation": {"score": 1.0, "grade": "A"},
    "technical_quality": {
        "completeness": {"score": 0.998, "grade": "A", "expectations": 3},
        "uniqueness": {"score": 0.985, "grade": "B", "expectations": 1},
        "accuracy": {"score": None, "grade": "not assessed", "expectations": 0},
        "validity": {"score": 0.92, "grade": "C", "expectations": 4},
        "timeliness": {"score": None, "grade": "not assessed", "expectations": 0},
        "consistency": {"score": 0.5, "grade": "D", "expectations": 2},
    },
    "quality_management": {"score": 0.6667, "grade": "C", "basis": "..."},
    "coverage": {"persons": 90, "population": 100, "period": ["2025-01-01", "2025-12-31"], "grade": "B"},
    "access_delays": {"grade": "not assessed"},
    "enrichments": {"grade": "B", "basis": "linkable to other sources by platform pseudonym"},
}


def access_of(client: TestClient) -> dict[str, Any]:
    return {d["id"]: d["access"] for d in client.get("/api/datasets").json()}


def card_access(html: str, dataset: str) -> str | None:
    card = html.split(f'<a href="/datasets/{dataset}">')[1].split("</li>")[0]
    found = re.search(r'<p class="access access-(\w+)"><strong>Your access:</strong> ([^<]+)</p>', card)
    return None if found is None else f"{found.group(1)}: {found.group(2)}"


def test_a_researchers_access_goes_from_none_to_pending_to_a_permit_in_force(
    client: TestClient, settings: Settings
) -> None:
    sign_in(client, RITA)
    assert list(access_of(client).values()) == [{"code": "none", "label": "No access"}] * 7
    assert card_access(client.get("/datasets").text, "claims") == "none: No access"
    with unit_of_work(settings) as store:
        pending = submit(store, store.get_user(RITA), data_users=[RITA])
    assert access_of(client)["claims"] == {"code": "pending", "label": "Application pending"}
    assert access_of(client)["pharmacy"]["code"] == "none"
    html = client.get("/datasets").text
    assert card_access(html, "claims") == "pending: Application pending"
    assert card_access(html, "pharmacy") == "none: No access"
    with unit_of_work(settings) as store:
        service.decide(
            store,
            store.get_user(SAM),
            pending.application_id,
            approve=True,
            reason="Permitted purpose, minimal data.",
            now=DECIDED,
        )
    assert access_of(client)["claims"] == {"code": "in_force", "label": "Permit in force"}
    page = client.get("/datasets/claims").text
    assert '<p class="access access-in_force"><strong>Your access:</strong> Permit in force</p>' in page
    assert "Datasets you may use under a permit in force: 1" in client.get("/").text


@pytest.mark.parametrize("role", ["signed out", "steward", "citizen"])
def test_only_researchers_see_an_access_state(client: TestClient, role: str) -> None:
    if role != "signed out":
        sign_in(client, ACCOUNTS[role])
    assert list(access_of(client).values()) == [None] * 7
    assert "Your access:" not in client.get("/datasets").text


def test_cards_show_title_description_themes_and_the_patient_entered_flag(client: TestClient) -> None:
    cards = {d["id"]: d for d in client.get("/api/datasets?lang=de").json()}
    assert sorted(cards) == [
        "claims",
        "clinical_notes",
        "hospital_stays",
        "lab_results",
        "pharmacy",
        "population",
        "wellness",
    ]
    wellness = cards["wellness"]
    assert wellness["title"] == "Von Personen selbst erfasste Wellnessdaten"
    assert wellness["patient_entered"] is True and cards["claims"]["patient_entered"] is False
    assert wellness["themes"] == [{"code": "HEAL", "label": "Gesundheit"}]
    assert [t["code"] for t in cards["population"]["themes"]] == ["HEAL", "SOCI"]
    html = client.get("/datasets").text
    assert html.count("<strong>Patient-entered data:</strong>") == 1
    assert "Showing 7 of 7 datasets." in html


def test_the_filter_works_without_javascript(client: TestClient) -> None:
    html = client.get("/datasets?theme=SOCI").text
    assert "Showing 1 of 7 datasets." in html and 'href="/datasets/population"' in html
    html = client.get("/datasets?q=WATCH").text
    assert "Showing 1 of 7 datasets." in html and 'href="/datasets/wellness"' in html
    assert 'hx-get="/datasets"' in html  # htmx only enhances the same form


def test_the_dataset_page_shows_variables_coverage_publisher_versions_and_the_label(
    client: TestClient, settings: Settings
) -> None:
    with unit_of_work(settings) as store:
        record_label(store, "claims", 3, "run-1", LABEL, at=datetime(2026, 2, 1, tzinfo=UTC))
        store.add_dataset_version("claims", 3, datetime(2026, 2, 1, tzinfo=UTC), 4321)
    html = client.get("/datasets/claims").text
    assert '<th scope="row"><code>amount_reimbursed</code></th>' in html
    assert re.search(r"<code>service_date</code></th>\s*<td>[^<]+</td>\s*<td>date</td>", html)
    assert "<dt>Publisher</dt>" in html and ">Health Data Agency</a>" in html
    assert '<tr><th scope="row">3</th><td>1 February 2026</td><td>4,321</td></tr>' in html
    # The label drawn (hidden from screen readers) and as a table (what they read).
    assert html.count('<span class="chart-bar level-4"></span>') == 2  # documentation, completeness
    assert '<span class="chart-bar level-1"></span>' in html and html.count("level-0") == 3
    assert '<tr><th scope="row">Completeness</th><td>A: excellent</td><td>99.8%</td></tr>' in html
    assert '<tr><th scope="row">Consistency</th><td>D: poor</td><td>50%</td></tr>' in html
    assert '<tr><th scope="row">Access delays</th><td>not assessed</td><td>–</td></tr>' in html
    detail = client.get("/api/datasets/claims?lang=fr").json()
    assert detail["publisher"]["name"] == "Agence des données de (soins de) santé"
    grades = {g["element"]: (g["grade"], g["level"]) for g in detail["quality"]["elements"]}
    assert grades["validity"] == ("C", 2) and grades["timeliness"] == ("not assessed", 0)
    assert [v["version"] for v in detail["versions"]] == [3]
    types = {v["name"]: v["datatype"]["label"] for v in detail["variables"]}
    assert types["service_date"] == "date" and types["amount_reimbursed"] == "nombre décimal"
