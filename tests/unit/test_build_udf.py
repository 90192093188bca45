"""infra/build_udf.py: builds haven-udf.jar once per source digest, and says in one line when
there is no javac."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from common.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "infra" / "build_udf.py"


def _build(out: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.mark.skipif(
    not any((Path(p) / "javac").is_file() for p in os.environ["PATH"].split(os.pathsep)), reason="needs javac"
)
def test_builds_the_jar_then_skips_while_sources_are_unchanged(tmp_path: Path) -> None:
    first = _build(tmp_path)
    assert first.returncode == 0, first.stderr[-500:]
    with zipfile.ZipFile(tmp_path / "haven-udf.jar") as jar:
        assert "be/haven/udf/KeyedHash.class" in jar.namelist()
    second = _build(tmp_path)
    assert second.returncode == 0 and "up to date" in second.stdout


def test_without_javac_it_fails_with_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path / "empty")
    result = _build(tmp_path / "jars", env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "javac not found" in lines[0] and "JDK 17+" in lines[0]
    assert not (tmp_path / "jars" / "haven-udf.jar").exists()
