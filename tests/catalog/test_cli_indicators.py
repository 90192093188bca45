"""`haven indicator` through the real command: propose, two approvals, run, list."""

from __future__ import annotations

import json
import re

import pytest

from catalog.demo import DEMO_PERMIT_ID, RESEARCHER, SECOND_STEWARD, STEWARD
from common.layout import LakeLayout
from common.settings import get_settings
from tests.catalog.test_cli_catalog import haven
from tests.spe.factories import persons, write_rows

pytestmark = pytest.mark.usefixtures("demo")

SQL = "SELECT kind, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind ORDER BY kind"
TEXTS = (
    "--en",
    "Persons per kind",
    "--fr",
    "Personnes par type",
    "--nl",
    "Personen per soort",
    "--de",
    "Personen je Art",
)


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
def test_propose_approve_twice_run_and_list(catalog_url: str) -> None:
    table = LakeLayout(get_settings().lake).permit_table(DEMO_PERMIT_ID, "claims")
    write_rows(table, persons("GP", 104) + persons("SPEC", 126, start=1000))

    low = haven(
        "indicator",
        "propose",
        "--permit",
        DEMO_PERMIT_ID,
        "--as",
        RESEARCHER,
        *TEXTS,
        "--min-persons",
        "5",
        SQL,
    )
    assert low.returncode == 1 and "at least 10 persons per cell" in low.stderr
    deleting = haven(
        "indicator", "propose", "--permit", DEMO_PERMIT_ID, "--as", RESEARCHER, *TEXTS, "DELETE FROM claims"
    )
    assert deleting.returncode == 1 and "only SELECT queries are allowed" in deleting.stderr
    proposed = haven("indicator", "propose", "--permit", DEMO_PERMIT_ID, "--as", RESEARCHER, *TEXTS, SQL)
    assert proposed.returncode == 0, proposed.stderr
    found = re.search(r"\bind-\d{4}-[2-9a-z]{10}\b", proposed.stdout)
    assert found is not None
    iid = found.group(0)
    assert f"{iid} proposed (at least 100 persons per cell, counts rounded to 10)" in proposed.stdout

    assert (
        haven("indicator", "approve", iid, "--as", STEWARD).stdout.strip()
        == f"{iid} proposed (1 of 2 approvals)"
    )
    twice = haven("indicator", "approve", iid, "--as", STEWARD)
    assert twice.returncode == 1 and "already approved" in twice.stderr
    second = haven("indicator", "approve", iid, "--as", SECOND_STEWARD)
    assert second.stdout.strip() == f"{iid} approved (2 of 2 approvals)"

    ran = haven("indicator", "run", "--json")
    assert ran.returncode == 0, ran.stderr
    outcome = json.loads(ran.stdout)[iid]
    assert (outcome["outcome"], outcome["rules"], outcome["suppressed"]) == ("released", [], 0)

    listed = json.loads(haven("indicator", "list", "--json").stdout)
    assert [
        (e["id"], e["state"], e["latest_release"], e["last_run"], e["awaiting_review"]) for e in listed
    ] == [(iid, "approved", outcome["request"], "released", False)]
    again = haven("indicator", "run", iid)
    assert again.stdout.splitlines() == [f"{iid} unchanged", "(1 indicators)"]
    assert haven("indicator", "retire", iid, "--as", STEWARD).stdout.strip() == f"{iid} retired"
    assert json.loads(haven("indicator", "run", "--json").stdout) == {}  # a retired one runs no more
