"""Everything an instance writes under HAVEN_HOME is owner-only, whatever the umask it was
started with: the real `haven` command (generate, pipeline with Airflow and Spark's JVM, an
SPE query) runs in subprocesses that begin with the usual permissive 022.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SQL = "SELECT provider_type, count(*) AS claims FROM claims GROUP BY provider_type"


def haven(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "HAVEN_"))}
    env["HAVEN_HOME"] = str(home)
    env["HAVEN_SPARK_MASTER"] = "local[2]"
    # The test session's own umask may already be private (the shared Spark fixture sets it);
    # the command must not pass because of it.
    return subprocess.run([sys.executable, "-m", "cli", *args], env=env, capture_output=True,
                          text=True, timeout=1800, check=False,
                          preexec_fn=lambda: os.umask(0o022))


def test_nothing_under_haven_home_is_readable_by_others(tmp_path: Path) -> None:
    home = tmp_path / "var"
    landing = home / "landing"
    gen = haven(home, "generate", "--out", str(landing), "--people", "40", "--seed", "3")
    assert gen.returncode == 0, gen.stderr[-2000:]
    run = haven(home, "pipeline", "run", "--landing", str(landing), "--json")
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout)["permits"], "the run must publish the demo permit"
    query = haven(home, "query", "--permit", "demo-permit", "--as", "researcher@demo", "--json", SQL)
    assert query.returncode == 0, query.stderr[-2000:]
    assert json.loads(query.stdout)["status"] == "ok"

    paths = [home, *home.rglob("*")]
    names = {p.relative_to(home).as_posix() for p in paths}
    # Every kind of state was written, so an empty walk cannot pass.
    assert {"airflow/airflow.db", "catalog.db", "keys/platform/CURRENT", "logs/haven.log",
            "lake/silver/claims/_delta_log/00000000000000000000.json",
            "spe/demo-permit.releases.sqlite", "landing/claims.csv"} <= names
    assert any(n.startswith("runs/") for n in names) and any(n.startswith("quality/") for n in names)
    assert any(n.endswith(".parquet.crc") for n in names)

    offenders = sorted(f"{oct(stat.S_IMODE(p.lstat().st_mode))} {p.relative_to(home).as_posix()}"
                       for p in paths if p.lstat().st_mode & 0o077)
    assert not offenders, f"{len(offenders)} of {len(paths)} paths readable by others:\n" + "\n".join(
        offenders[:50])
