"""The quality page for stewards: each dataset's latest validation results (as the pipeline
kept them, which ``haven quality report`` reads too) and its quality and utility label for
every silver version, the values equal to the stored ones."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from starlette.testclient import TestClient

from catalog.datasets.quality import record_label
from catalog.db.gateway import unit_of_work
from common.quality_results import QualityStore
from common.settings import Settings
from tests.portal.conftest import ACCOUNTS, sign_in
from tests.portal.test_catalogue import LABEL

FIRST, SECOND = datetime(2026, 2, 1, 6, 0, tzinfo=UTC), datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
OUTCOMES = [
    {"name": "pid_not_null", "severity": "critical", "dimension": "completeness", "success": True,
     "element_count": 1000, "unexpected_count": 0, "missing_count": 0, "observed_rows": None},
    {"name": "claim_id_unique", "severity": "critical", "dimension": "uniqueness", "success": False,
     "element_count": 1000, "unexpected_count": 12, "missing_count": 0, "observed_rows": None},
    {"name": "volume_vs_previous", "severity": "warning", "dimension": "consistency", "success": False,
     "element_count": None, "unexpected_count": None, "missing_count": None, "observed_rows": 1000},
]  # fmt: skip


def _second_label() -> dict[str, Any]:
    label = copy.deepcopy(LABEL)
    label["technical_quality"]["uniqueness"] = {"score": 0.988, "grade": "C", "expectations": 1}
    label["documentation"] = {"score": 0.8, "grade": "B"}
    return label


def _store(settings: Settings) -> None:
    with unit_of_work(settings) as store:
        record_label(store, "claims", 1, "run-1", LABEL, at=FIRST)
        record_label(store, "claims", 2, "run-2", _second_label(), at=SECOND)
    QualityStore(settings.home / "quality").save(
        "claims",
        "run-2",
        {
            "run_id": "run-2",
            "validation": {"source": "claims", "passed": False, "outcomes": OUTCOMES},
            "summary": "-",
        },
    )


def _grades(label: dict[str, Any]) -> list[str]:
    """The label's grades in the order the label lists its elements."""
    technical = [v["grade"] for v in label["technical_quality"].values()]
    rest = [label[k]["grade"] for k in ("quality_management", "coverage", "access_delays", "enrichments")]
    return [label["documentation"]["grade"], *technical, *rest]


def test_the_api_gives_the_stored_labels_per_version_and_the_latest_validation(
    client: TestClient, settings: Settings
) -> None:
    _store(settings)
    sign_in(client, ACCOUNTS["steward"])
    report = {d["id"]: d for d in client.get("/api/quality").json()}
    assert (
        len(report) == 7 and report["pharmacy"]["validation"] is None and report["pharmacy"]["labels"] == []
    )
    claims = report["claims"]
    assert [label["silver_version"] for label in claims["labels"]] == [2, 1]
    assert [e["grade"] for e in claims["labels"][0]["elements"]] == _grades(_second_label())
    assert [e["grade"] for e in claims["labels"][1]["elements"]] == _grades(LABEL)
    assert claims["labels"][1]["elements"][2] == {
        "element": "uniqueness",
        "name": "Uniqueness",
        "grade": "B",
        "grade_label": "B: good",
        "score": 0.985,
        "level": 3,
    }
    run = claims["validation"]
    assert (run["run_id"], run["passed"], run["critical_failures"], run["warnings"]) == ("run-2", False, 1, 1)
    assert [
        (o["name"], o["severity"]["code"], o["success"], o["unexpected_count"]) for o in run["outcomes"]
    ] == [
        ("pid_not_null", "critical", True, 0),
        ("claim_id_unique", "critical", False, 12),
        ("volume_vs_previous", "warning", False, None),
    ]


def test_the_page_draws_the_latest_label_and_tables_every_version(
    client: TestClient, settings: Settings
) -> None:
    _store(settings)
    sign_in(client, ACCOUNTS["operator"])
    html = client.get("/quality").text
    claims = html.split('<section aria-labelledby="dataset-claims"')[1].split("</section>")[0]
    assert "Quality and utility label, silver version 2, measured on 1 March 2026" in claims
    assert '<span class="chart-bar level-2"></span>' in claims  # uniqueness C, drawn
    rows = re.findall(r'<tr>\s*<th scope="row">Version (\d), [^<]+</th>\s*((?:<td>[^<]*</td>)+)', claims)
    grades = {int(v): re.findall(r"<td>([^<]*)</td>", cells) for v, cells in rows}
    assert grades == {2: _grades(_second_label()), 1: _grades(LABEL)}
    assert '<strong class="result-failed">Held back by the quality gate.</strong>' in claims
    assert "Critical expectations failed: 1. Warnings: 1." in claims
    assert '<th scope="row"><code>claim_id_unique</code></th>' in claims and "12 of 1,000" in claims
    pharmacy = html.split('<section aria-labelledby="dataset-pharmacy"')[1].split("</section>")[0]
    assert "No validation yet" in pharmacy and "No quality label yet" in pharmacy
    german = client.get("/quality?lang=de").text
    assert "12 von 1.000" in german and "Vom Qualitätstor zurückgehalten." in german
