"""`haven permit revoke|sweep|builds` and `haven query` after a sweep, through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.catalog.test_cli_catalog import haven


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
def test_a_revoked_permits_workspace_is_swept_and_queries_are_refused(
    catalog_url: str, demo: Path, haven_home: Path
) -> None:
    workspace = haven_home / "lake" / "permits" / "demo-permit"
    (workspace / "claims" / "_delta_log").mkdir(parents=True)
    (workspace / "claims" / "_delta_log" / "00000000000000000000.json").write_text("{}\n")
    (workspace / "claims" / "part-0000.parquet").write_bytes(b"PAR1")
    assert json.loads(haven("permit", "sweep", "--json").stdout) == {}  # the permit is active
    assert workspace.is_dir()

    revoked = haven(
        "permit",
        "revoke",
        "demo-permit",
        "--reason",
        "Results shared outside the SPE.",
        "--as",
        "steward@demo",
    )
    assert (revoked.returncode, revoked.stdout.strip()) == (0, "demo-permit revoked"), revoked.stderr
    swept = haven("permit", "sweep", "--json")
    assert swept.returncode == 0, swept.stderr
    assert json.loads(swept.stdout) == {"demo-permit": {"state": "revoked", "files_removed": 2}}
    assert not workspace.exists()

    builds = json.loads(haven("permit", "builds", "demo-permit", "--json").stdout)
    assert [(b["outcome"], b["report"]) for b in builds] == [
        ("removed", {"state": "revoked", "files_removed": 2})
    ]
    denied = haven("query", "--permit", "demo-permit", "--as", "researcher@demo", "SELECT 1 AS x")
    assert denied.returncode == 1
    assert "permit demo-permit is revoked and its workspace is removed" in denied.stderr
