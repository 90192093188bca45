"""`haven permit|catalog|audit` through the real command, with its exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from catalog.db.gateway import unit_of_work
from common.settings import PROJECT_ROOT
from tests.catalog.factories import describe_lake

EXAMPLES = PROJECT_ROOT / "catalog" / "examples"


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=PROJECT_ROOT,
    )


# The commands are thin; the backends are covered by the service tests, so SQLite only here.
@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
def test_apply_decide_list_export_verify(catalog_url: str, tmp_path: Path) -> None:
    # A new instance holds no demonstration, and no dataset before the pipeline published one.
    early = haven("catalog", "seed-demo")
    assert early.returncode == 1
    assert (
        "the demo permit asks for claims, pharmacy, hospital_stays, not in the catalogue yet" in early.stderr
    )
    with unit_of_work() as store:
        describe_lake(store)
    # Then the command loads it, once.
    seeded = haven("catalog", "seed-demo")
    assert (seeded.returncode, seeded.stdout.split(":")[0]) == (0, "loaded the demonstration"), seeded.stderr
    assert haven("catalog", "seed-demo").stdout == "the demonstration is already loaded (demo-permit)\n"
    applied = haven("permit", "apply", "--file", str(EXAMPLES / "application.yaml"), "--json")
    assert applied.returncode == 0, applied.stderr
    app_id = json.loads(applied.stdout)["id"]
    assert json.loads(applied.stdout) == {"id": app_id, "state": "submitted", "reason": None}

    refused = haven("permit", "apply", "--file", str(EXAMPLES / "prohibited.yaml"))
    assert refused.returncode == 2
    assert "refused: decisions on employment, insurance premiums or credit are prohibited" in refused.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "application.yaml").read_text().replace("duration_months: 24", ""))
    invalid = haven("permit", "apply", "--file", str(bad))
    assert invalid.returncode == 1
    assert invalid.stderr.strip() == f"error: {bad}: duration_months: Field required"

    self_decided = haven(
        "permit", "decide", app_id, "--approve", "--reason", "Looks fine to me.", "--as", "researcher@demo"
    )
    assert self_decided.returncode == 1
    assert "may not decide: needs role steward" in self_decided.stderr
    no_reason = haven("permit", "decide", app_id, "--reject", "--reason", "no", "--as", "steward@demo")
    assert no_reason.returncode == 1 and "needs a reason" in no_reason.stderr
    decided = haven(
        "permit",
        "decide",
        app_id,
        "--approve",
        "--reason",
        "Permitted purpose, minimal data.",
        "--as",
        "steward@demo",
    )
    assert decided.returncode == 0, decided.stderr
    assert decided.stdout.startswith(f"{app_id} approved until ")

    listed = haven("permit", "list", "--json")
    states = {e["application_id"]: (e["state"], e["decision_reason"]) for e in json.loads(listed.stdout)}
    assert states[app_id] == ("approved", "Permitted purpose, minimal data.")
    assert states["demo-permit"][0] == "active"
    assert [s for s, _ in states.values()].count("rejected") == 1

    exported = haven("catalog", "export", "--format", "turtle")
    assert exported.returncode == 0
    assert len(Graph().parse(data=exported.stdout, format="turtle")) > 100

    verified = haven("audit", "verify", "--json")
    result = json.loads(verified.stdout)
    assert (verified.returncode, result["ok"], result["problem"]) == (0, True, None)
    assert result["entries"] >= 12
    tampered = haven("audit", "verify", "--expect-head", "0" * 64)
    assert tampered.returncode == 1 and "head differs" in tampered.stderr
