"""The Python daemon Spark starts in local mode: it builds the engine before forking, keeps its
standard output (the JVM's channel) clean while it does, and still starts when it cannot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from common.settings import Settings
from common.spark import spark_conf

PRELOAD = "from pseudonymisation.spark_daemon import preload; import sys; sys.exit(0 if preload() else 3)"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )


def test_preload_builds_the_engine_and_writes_nothing_on_standard_output() -> None:
    done = _run(
        PRELOAD.replace(
            "sys.exit(0 if preload() else 3)",
            "ok = preload(); from pseudonymisation.engine import get_engine; "
            "print('cached' if get_engine.cache_info().currsize else 'not cached', file=sys.stderr); "
            "sys.exit(0 if ok else 3)",
        )
    )
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr.strip().splitlines()[-1] == "cached"


def test_a_daemon_that_cannot_build_the_engine_says_so_on_standard_error_and_goes_on() -> None:
    # The engine's module cannot be imported: preload reports it and returns False.
    done = _run("import sys; sys.modules['pseudonymisation.engine'] = None; " + PRELOAD)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.startswith("haven: de-identification engine not preloaded: ModuleNotFoundError at ")


def test_local_spark_starts_workers_from_haven_s_daemon(tmp_path: Path) -> None:
    conf = spark_conf(Settings(home=tmp_path, spark_master="local[2]"))
    assert conf["spark.python.daemon.module"] == "pseudonymisation.spark_daemon"
