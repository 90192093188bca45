"""The session options for a cluster: Haven's code shipped as an archive every executor
unpacks, the executors' interpreter and daemon, and a driver bound to loopback only when the
master is on this machine."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from common.errors import ConfigError
from common.settings import PROJECT_ROOT, Settings, get_settings, reset_settings
from common.spark import CLASS_ARCHIVE, loopback_master, spark_conf
from common.spark_code import CODE_DIR, code_archive


def test_a_cluster_session_ships_the_executors_packages_and_runs_haven_s_daemon(tmp_path: Path) -> None:
    conf = spark_conf(Settings(home=tmp_path, spark_master="spark://127.0.0.1:7077", spark_python="/opt/py"))
    archive, alias = conf["spark.archives"].split("#")
    assert alias == CODE_DIR and conf["spark.executorEnv.PYTHONPATH"] == CODE_DIR
    assert Path(archive).parent == tmp_path / "spark" / "code"
    assert (Path(archive).stat().st_mode & 0o777, Path(archive).parent.stat().st_mode & 0o777) == (
        0o600,
        0o700,
    )
    names = set(zipfile.ZipFile(archive).namelist())
    # Every file of the two packages, data files included, and nothing else.
    expected = {
        p.relative_to(PROJECT_ROOT).as_posix()
        for package in ("common", "pseudonymisation")
        for p in (PROJECT_ROOT / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert names == expected
    assert "pseudonymisation/spark_daemon.py" in names
    assert any(n.startswith("pseudonymisation/lexicons/") and n.endswith(".csv") for n in names)
    assert conf["spark.python.daemon.module"] == "pseudonymisation.spark_daemon"
    assert (conf["spark.pyspark.python"], conf["spark.executor.memory"]) == ("/opt/py", "1g")
    assert conf["spark.driver.bindAddress"] == "127.0.0.1"


def test_the_archive_is_built_once_per_version_of_the_code(tmp_path: Path) -> None:
    root = tmp_path / "src"
    (root / "pkg" / "__pycache__").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("X = 1\n")
    (root / "pkg" / "__pycache__" / "x.pyc").write_bytes(b"junk")
    first = code_archive(tmp_path / "out", root=root, packages=("pkg",))
    assert code_archive(tmp_path / "out", root=root, packages=("pkg",)) == first
    assert zipfile.ZipFile(first).namelist() == ["pkg/__init__.py"]
    (root / "pkg" / "__init__.py").write_text("X = 2\n")
    second = code_archive(tmp_path / "out", root=root, packages=("pkg",))
    assert second != first and zipfile.ZipFile(second).read("pkg/__init__.py") == b"X = 2\n"


def test_local_mode_ships_nothing(tmp_path: Path) -> None:
    conf = spark_conf(Settings(home=tmp_path, spark_master="local[2]"))
    assert "spark.archives" not in conf and "spark.executor.memory" not in conf
    assert not (tmp_path / "spark" / "code").exists()


@pytest.mark.parametrize(
    ("master", "loopback"),
    [
        ("spark://127.0.0.1:7077", True),
        ("spark://localhost:7077", True),
        ("spark://[::1]:7077", True),
        ("spark://127.0.0.1:7077,127.0.0.2:7078", True),
        ("spark://127.0.0.1:7077,spark-1.example:7077", False),
        ("spark://10.0.0.5:7077", False),
        ("k8s://https://127.0.0.1:6443", False),
        ("yarn", False),
    ],
)
def test_loopback_master(master: str, loopback: bool) -> None:
    assert loopback_master(master) is loopback


def test_a_remote_master_leaves_the_driver_s_address_to_spark(tmp_path: Path) -> None:
    conf = spark_conf(Settings(home=tmp_path, spark_master="spark://spark-1.example:7077"))
    assert "spark.driver.host" not in conf and "spark.driver.bindAddress" not in conf


def test_the_driver_maps_the_class_archive_make_jars_recorded_and_only_then(tmp_path: Path) -> None:
    jars = tmp_path / "jars"
    jars.mkdir()
    for name in ("delta-spark_4.2_2.13-4.4.0.jar", "haven-udf.jar"):
        (jars / name).write_bytes(b"")
    without = spark_conf(Settings(home=tmp_path / "home", jars_dir=jars))["spark.driver.extraJavaOptions"]
    assert "SharedArchiveFile" not in without
    (jars / CLASS_ARCHIVE).write_bytes(b"")
    options = spark_conf(Settings(home=tmp_path / "home", jars_dir=jars))["spark.driver.extraJavaOptions"]
    # An archive the JVM cannot map is skipped silently: the session starts without it.
    assert (
        options
        == f"{without} -XX:SharedArchiveFile={jars / CLASS_ARCHIVE} -Xlog:cds=off -Xlog:cds+dynamic=off"
    )


def test_an_early_start_that_fails_stays_silent_and_the_session_s_user_gets_the_error(
    tmp_path: Path,
) -> None:
    # In its own process: the test session's Spark is already up, and get_spark would reuse it.
    script = tmp_path / "early.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from common.errors import EnvironmentProblem\n"
        "from common.settings import Settings\n"
        "from common.spark import get_spark, spark_starting\n"
        "settings = Settings(home=Path(sys.argv[1]), jars_dir=Path(sys.argv[2]))\n"
        "with spark_starting(settings):\n"
        "    pass\n"
        "try:\n"
        "    get_spark(settings)\n"
        "except EnvironmentProblem as problem:\n"
        "    print(problem)\n"
    )
    (tmp_path / "no-jars").mkdir()
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "home"), str(tmp_path / "no-jars")],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"Delta jars not found in {tmp_path / 'no-jars'}: run `make jars`")
    assert done.stderr == ""


def test_the_driver_s_jit_is_tiered_unless_the_settings_ask_for_quick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def options(settings: Settings) -> list[str]:
        driver = spark_conf(settings)["spark.driver.extraJavaOptions"]
        return [o for o in driver.split() if o.startswith("-XX")]

    tiered = options(Settings(home=tmp_path))
    assert "-XX:CompileThresholdScaling=3" in tiered and "-XX:TieredStopAtLevel=1" not in tiered
    monkeypatch.setenv("HAVEN_SPARK_DRIVER_JIT", "quick")
    reset_settings()
    quick = options(get_settings())
    assert "-XX:TieredStopAtLevel=1" in quick and "-XX:CompileThresholdScaling=3" not in quick
    # Only the compilers differ; the collector is the throughput one either way.
    assert [o for o in quick if "Tiered" not in o] == [o for o in tiered if "CompileThreshold" not in o]
    monkeypatch.setenv("HAVEN_SPARK_DRIVER_JIT", "fast")
    reset_settings()
    with pytest.raises(ConfigError, match="spark_driver_jit"):
        get_settings()
