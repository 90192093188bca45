"""Steps of the application pages, as a browser takes them: start a draft, answer sections,
check, submit; and the steward's forms. Shared by the application tests."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from tests.portal.conftest import ACCOUNTS, csrf_token

RITA = ACCOUNTS["researcher"]
ANSWERS: dict[str, dict[str, Any]] = {
    "purpose": {
        "title": "Antibiotic use after day surgery",
        "organisation": "Demo University",
        "organisation_type": "academic",
        "purpose": "scientific_research",
        "summary": "Do people who had day surgery get antibiotics more often in the month afterwards?",
        "commercial": "no",
    },
    "datasets": {"variables": ["claims.nomenclature_code", "claims.service_date"]},
    "cohort": {
        "cohort": "Adults with a day-surgery nomenclature code in 2025",
        "age_min": "18",
        "codes_claims": "7680",
    },
    "period": {"start": "2025-01-01", "end": "2025-12-31", "duration_months": "24"},
    "data_form": {"data_form": "anonymised", "birth": "band5", "place": "province"},
    "disclosure": {"rounding_base": "5"},
    "data_users": {"data_users": RITA},
}
# The application file these answers make: the same structure as catalog/examples/application.yaml.
APPLICATION_FILE: dict[str, Any] = {
    "title": "Antibiotic use after day surgery",
    "applicant": RITA,
    "organisation": {"name": "Demo University", "type": "academic"},
    "purpose": {
        "category": "scientific_research",
        "summary": "Do people who had day surgery get antibiotics more often in the month afterwards?",
    },
    "commercial": False,
    "datasets": [{"name": "claims", "variables": ["nomenclature_code", "service_date"]}],
    "cohort": "Adults with a day-surgery nomenclature code in 2025",
    "cohort_rules": {"age": {"min": 18}, "codes": [{"source": "claims", "prefixes": ["7680"]}]},
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
    "data_form": "anonymised",
    "anonymisation": {"birth": "band5", "place": "province"},
    "disclosure": {"rounding_base": 5},
    "data_users": [RITA],
    "duration_months": "24",
}
DRAFT = re.compile(r"/applications/drafts/([A-Za-z0-9_-]{32,64})")


def start_draft(client: TestClient) -> str:
    page = client.get("/applications/new").text
    key = re.search(r'name="draft_key" value="([^"]+)"', page)
    assert key is not None
    started = client.post(
        "/applications/new",
        data={"draft_key": key.group(1), "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert started.status_code == 303
    found = DRAFT.search(started.headers["location"])
    assert found is not None
    return found.group(1)


def save(
    client: TestClient, draft: str, section: str, values: dict[str, Any], action: str = "continue"
) -> Any:
    return client.post(
        f"/applications/drafts/{draft}/sections/{section}",
        data={**values, "action": action, "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def fill(client: TestClient, draft: str, **changes: dict[str, Any]) -> None:
    for section, values in ANSWERS.items():
        answer = save(client, draft, section, {**values, **changes.get(section, {})})
        assert answer.status_code == 303, (section, answer.text[:2000])


def submit(client: TestClient, draft: str) -> Any:
    return client.post(
        f"/applications/drafts/{draft}/submit",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def steward_form(client: TestClient, application_id: str, action: str, **fields: Any) -> Any:
    page = client.get(f"/review/{application_id}").text
    state = re.search(r'name="state" value="(\w+)"', page)
    data = {"csrf_token": csrf_token(client), "state": state.group(1) if state else "", **fields}
    return client.post(f"/review/{application_id}/{action}", data=data, follow_redirects=False)
